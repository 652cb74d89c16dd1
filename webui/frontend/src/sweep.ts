// The sweep's latency-against-throughput curves: one point per step, one
// curve per percentile, for the timing and the throughput chosen.
import type { StepTiming, SweepStep, SweepView } from './wire';

/** The timings a sweep chart can draw, by their key in a step. */
export const SWEEP_TIMINGS = [
  { key: 'ttft_ms', title: 'TTFT' },
  { key: 'tpot_ms', title: 'TPOT' },
  { key: 'itl_ms', title: 'ITL' },
  { key: 'e2e_ms', title: 'E2E latency' },
] as const;

export type SweepTiming = (typeof SWEEP_TIMINGS)[number]['key'];

/** The throughputs a sweep chart can put on its x axis. */
export const SWEEP_THROUGHPUTS = [
  { key: 'output_tokens_per_s', title: 'Output tokens/s' },
  { key: 'rps', title: 'Requests/s' },
] as const;

export type SweepThroughput = (typeof SWEEP_THROUGHPUTS)[number]['key'];

/** One point of a curve: a step's throughput and latency, and what the step ran. */
export interface CurvePoint {
  x: number;
  y: number;
  step: number;
  label: string;
}

/** One curve: a percentile's points, in step order. */
export interface Curve {
  key: string;
  points: CurvePoint[];
}

/** The percentile keys of a timing ("p50", "p99.9"), lowest first. */
export function percentileKeys(t: StepTiming): string[] {
  return Object.keys(t)
    .filter(k => /^p\d/.test(k))
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

/** What a step ran, as its point is labelled: "8 users", "1 user" or "4 req/s". */
export function stepLabel(mode: SweepView['mode'], step: SweepStep): string {
  if (mode === 'rate') {
    return `${step.value} req/s`;
  }
  return step.value === 1 ? '1 user' : `${step.value} users`;
}

/**
 * The curves of a sweep for a timing against a throughput. A step without
 * that timing (no request finished in it) has no point; a step with no
 * request at all is left out, so that an empty step under way is not drawn.
 */
export function sweepCurves(view: SweepView, timing: SweepTiming, x: SweepThroughput): Curve[] {
  const curves = new Map<string, CurvePoint[]>();
  view.steps.forEach((step, i) => {
    const t = step[timing];
    if (!t || step.requests === 0) {
      return;
    }
    for (const key of percentileKeys(t)) {
      const points = curves.get(key) ?? [];
      points.push({ x: step[x], y: t[key], step: i, label: stepLabel(view.mode, step) });
      curves.set(key, points);
    }
  });
  return [...curves].map(([key, points]) => ({ key, points }));
}

/** Round, readable axis ticks from 0 to at least max. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) {
    return [0, 1];
  }
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map(m => m * magnitude).find(s => s >= raw) ?? raw;
  const ticks = [];
  for (let v = 0; v < max + step / 2; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  if (ticks[ticks.length - 1] < max) {
    ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  }
  return ticks;
}

/** An empty sweep, for pages that carry none. */
export const NO_SWEEP: SweepView = { mode: null, step_time_s: null, steps: [], running: false, current: null };

/** The page's sweep, or none when it is missing or malformed. */
export function asSweep(v: unknown): SweepView {
  const s = v as SweepView | undefined;
  return s && Array.isArray(s.steps) ? s : NO_SWEEP;
}
