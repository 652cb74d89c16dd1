import type { LlmData } from './buffers';
import { pointsUrl } from './urls';
import type { FeedMessage, LlmPoint, LlmReq } from './wire';

/** How often the page polls when the websocket cannot be used: Locust's UI polls every 2 s too. */
export const POLL_INTERVAL_MS = 2000;

/** A socket that has neither opened nor failed by then is treated as failed (a proxy may hold it). */
export const CONNECT_TIMEOUT_MS = 5000;

/** While polling, the websocket is tried again this often, so a passing failure does not last. */
export const SOCKET_RETRY_MS = 30000;

/** The part of the browser's WebSocket the feed uses. */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  close(): void;
}

/** What the feed needs from the outside world; tests pass their own. */
export interface FeedDeps {
  openSocket(url: string): SocketLike;
  fetchJson(url: string): Promise<unknown>;
}

/** Where the feed connects: the websocket and the polling route, both absolute. */
export interface FeedUrls {
  socket: string;
  points: string;
}

/** Where the data comes from at the moment. */
export type FeedStatus = 'stopped' | 'connecting' | 'socket' | 'polling';

/**
 * Keeps an LlmData up to date while a page is open: through the websocket
 * when it works, else by polling llm/points every 2 s.
 */
export class LiveFeed {
  private state: FeedStatus = 'stopped';
  private socket: SocketLike | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private pollInFlight = false;
  // null until the first poll: that one fetches everything and replaces what
  // the page holds, since the page cannot know the server's sequence numbers.
  private since: number | null = null;

  constructor(
    private readonly data: LlmData,
    private readonly urls: FeedUrls,
    private readonly deps: FeedDeps,
    private readonly onStatus: (status: FeedStatus) => void = () => {},
  ) {}

  /** Where the data comes from now. */
  get status(): FeedStatus {
    return this.state;
  }

  /** Connects; does nothing if already started. */
  start(): void {
    if (this.state !== 'stopped') {
      return;
    }
    this.setStatus('connecting');
    this.openSocket();
  }

  /** Closes the socket and stops every timer. */
  stop(): void {
    this.setStatus('stopped');
    this.stopPolling();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.dropSocket();
  }

  private openSocket(): void {
    let socket: SocketLike;
    try {
      socket = this.deps.openSocket(this.urls.socket);
    } catch {
      this.socketFailed();
      return;
    }
    this.socket = socket;
    this.connectTimer = setTimeout(() => {
      if (this.socket === socket) {
        this.dropSocket();
        this.socketFailed();
      }
    }, CONNECT_TIMEOUT_MS);
    socket.onopen = () => {
      if (this.socket !== socket) {
        return;
      }
      clearTimeout(this.connectTimer);
      this.stopPolling();
      this.setStatus('socket');
    };
    socket.onmessage = event => {
      const message = this.socket === socket ? parseMessage(event.data) : null;
      if (message) {
        this.data.apply(message);
      }
    };
    // An error is always followed by a close, which is where the feed reacts.
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this.socket !== socket) {
        return;
      }
      clearTimeout(this.connectTimer);
      this.socket = null;
      this.socketFailed();
    };
  }

  private dropSocket(): void {
    clearTimeout(this.connectTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
      try {
        socket.close();
      } catch {
        // Closing a socket that never connected may throw; it is gone either way.
      }
    }
  }

  private socketFailed(): void {
    if (this.state === 'stopped') {
      return;
    }
    this.startPolling();
    if (this.retryTimer === undefined) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        if (this.state === 'polling' && this.socket === null) {
          this.openSocket();
        }
      }, SOCKET_RETRY_MS);
    }
  }

  private startPolling(): void {
    if (this.pollTimer !== undefined) {
      return;
    }
    this.setStatus('polling');
    this.since = null;
    void this.poll();
    this.pollTimer = setInterval(() => void this.poll(), POLL_INTERVAL_MS);
  }

  private stopPolling(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.pollInFlight) {
      return;
    }
    this.pollInFlight = true;
    try {
      const response = await this.deps.fetchJson(pointsUrl(this.urls.points, this.since ?? 0));
      if (this.state === 'polling') {
        this.applyPoll(response);
      }
    } catch {
      // The next tick asks again; a server that is gone stays visible as a frozen chart.
    } finally {
      this.pollInFlight = false;
    }
  }

  private applyPoll(response: unknown): void {
    if (!response || typeof response !== 'object') {
      return;
    }
    const { seq, points, requests, reset } = response as {
      seq?: unknown;
      points?: unknown;
      requests?: unknown;
      reset?: unknown;
    };
    if (typeof seq !== 'number') {
      return;
    }
    const newPoints = (Array.isArray(points) ? points : []) as LlmPoint[];
    const newRequests = (Array.isArray(requests) ? requests : []) as LlmReq[];
    // A new test since the last poll (the server may say so with `reset`), or
    // a sequence number that went backwards (the server restarted), both
    // mean that what the page holds is stale.
    if (this.since === null || reset === true || seq < this.since) {
      this.data.replace(newPoints, newRequests);
    } else {
      this.data.append(newPoints, newRequests);
    }
    this.since = seq;
  }

  private setStatus(status: FeedStatus): void {
    if (this.state !== status) {
      this.state = status;
      this.onStatus(status);
    }
  }
}

const MESSAGE_TYPES = new Set(['history', 'point', 'requests', 'reset']);

/** Parses one websocket frame; null for anything that is not a known message. */
export function parseMessage(data: unknown): FeedMessage | null {
  if (typeof data !== 'string') {
    return null;
  }
  try {
    const message: unknown = JSON.parse(data);
    if (message && typeof message === 'object' && MESSAGE_TYPES.has((message as { type?: string }).type ?? '')) {
      return message as FeedMessage;
    }
  } catch {
    // Not JSON: ignored like any other unknown frame.
  }
  return null;
}
