import type { FeedMessage, LlmPoint, LlmReq } from './wire';

/** The server keeps an hour of points; so do we, so a long run cannot grow the page without bound. */
export const MAX_POINTS = 3600;

/** The server keeps the last 5000 finished requests for the scatter; so do we. */
export const MAX_REQUESTS = 5000;

/** Returns list followed by items, keeping only the newest max entries. */
export function appendCapped<T>(list: readonly T[], items: readonly T[], max: number): readonly T[] {
  if (items.length === 0) {
    return list;
  }
  const joined = list.concat(items);
  return joined.length > max ? joined.slice(joined.length - max) : joined;
}

/** An immutable view of the LLM data: a new object whenever anything changes. */
export interface LlmSnapshot {
  readonly points: readonly LlmPoint[];
  readonly requests: readonly LlmReq[];
}

/** Size limits of an LlmData. */
export interface Limits {
  points: number;
  requests: number;
}

/**
 * The LLM points and requests the page holds, fed by the websocket or by
 * polling. Its snapshot suits React's useSyncExternalStore.
 */
export class LlmData {
  private snapshot: LlmSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly limits: Limits;

  constructor(points: readonly LlmPoint[] = [], requests: readonly LlmReq[] = [], limits?: Limits) {
    this.limits = limits ?? { points: MAX_POINTS, requests: MAX_REQUESTS };
    this.snapshot = {
      points: appendCapped([], points, this.limits.points),
      requests: appendCapped([], requests, this.limits.requests),
    };
  }

  /** The current data. */
  getSnapshot = (): LlmSnapshot => this.snapshot;

  /** Calls listener after every change; returns the function that stops it. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Replaces everything, as a full history from the server does. */
  replace(points: readonly LlmPoint[], requests: readonly LlmReq[]): void {
    this.set({
      points: appendCapped([], points, this.limits.points),
      requests: appendCapped([], requests, this.limits.requests),
    });
  }

  /** Adds new points and requests after the ones held. */
  append(points: readonly LlmPoint[], requests: readonly LlmReq[]): void {
    if (points.length === 0 && requests.length === 0) {
      return;
    }
    this.set({
      points: appendCapped(this.snapshot.points, points, this.limits.points),
      requests: appendCapped(this.snapshot.requests, requests, this.limits.requests),
    });
  }

  /** Forgets everything: a new test has started. */
  clear(): void {
    this.set({ points: [], requests: [] });
  }

  /** Applies one websocket message; anything malformed is ignored. */
  apply(message: FeedMessage): void {
    switch (message.type) {
      case 'history':
        this.replace(arrayOrEmpty(message.points), arrayOrEmpty(message.requests));
        break;
      case 'point':
        if (message.point && typeof message.point === 'object') {
          this.append([message.point], []);
        }
        break;
      case 'requests':
        this.append([], arrayOrEmpty(message.requests));
        break;
      case 'reset':
        this.clear();
        break;
    }
  }

  private set(snapshot: LlmSnapshot): void {
    this.snapshot = snapshot;
    this.listeners.forEach(listener => listener());
  }
}

function arrayOrEmpty<T>(value: readonly T[] | undefined | null): readonly T[] {
  return Array.isArray(value) ? value : [];
}
