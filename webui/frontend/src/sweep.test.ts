import { describe, expect, it } from 'vitest';

import { asSweep, niceTicks, percentileKeys, sweepCurves } from './sweep';
import type { SweepStep, SweepView } from './wire';

function step(value: number, rps: number, tokens: number, ttft: Record<string, number> | null, requests = 10): SweepStep {
  const t = ttft && { mean: 0, min: 0, max: 0, ...ttft };
  return {
    value, users: 16, rate: value, start_s: 0, duration_s: 30, requests, failures: 0, rps, output_tokens_per_s: tokens,
    ttft_ms: t, tpot_ms: null, itl_ms: null, e2e_ms: null, lag_ms: null, goodput: null,
  };
}

const view: SweepView = {
  mode: 'rate', step_time_s: 30, running: false, current: null,
  steps: [
    step(2, 1.4, 90, { p50: 200, p99: 260, 'p99.9': 300 }),
    step(4, 3.6, 230, { p50: 235, p99: 400, 'p99.9': 500 }),
    step(8, 6.6, 420, { p50: 15290, p99: 20000, 'p99.9': 21000 }),
  ],
};

describe('sweepCurves', () => {
  it('draws one point per step on each percentile curve, lowest percentile first', () => {
    const curves = sweepCurves(view, 'ttft_ms', 'output_tokens_per_s');
    expect(curves.map(c => c.key)).toEqual(['p50', 'p99', 'p99.9']);
    expect(curves[0].points).toEqual([
      { x: 90, y: 200, step: 0, label: '2 req/s' },
      { x: 230, y: 235, step: 1, label: '4 req/s' },
      { x: 420, y: 15290, step: 2, label: '8 req/s' },
    ]);
  });

  it('puts requests/s on the x axis when asked, and labels user steps by users', () => {
    const users = { ...view, mode: 'users' as const, steps: [step(1, 0.5, 30, { p50: 190, p99: 250 }), ...view.steps] };
    const curves = sweepCurves(users, 'ttft_ms', 'rps');
    expect(curves[1].points.map(p => [p.x, p.y, p.label])).toEqual([
      [0.5, 250, '1 user'], [1.4, 260, '2 users'], [3.6, 400, '4 users'], [6.6, 20000, '8 users'],
    ]);
  });

  it('leaves out steps without the timing or without any request', () => {
    const sparse = { ...view, steps: [view.steps[0], step(4, 0, 0, null), step(8, 0, 0, { p50: 1, p99: 1 }, 0)] };
    expect(sweepCurves(sparse, 'ttft_ms', 'rps').map(c => c.points.length)).toEqual([1, 1, 1]);
    expect(sweepCurves(view, 'tpot_ms', 'rps')).toEqual([]);
  });
});

describe('percentileKeys', () => {
  it('orders the keys numerically, leaving out mean, min and max', () => {
    expect(percentileKeys({ mean: 1, min: 0, max: 2, 'p99.9': 1, p50: 1, p9: 1 })).toEqual(['p9', 'p50', 'p99.9']);
  });
});

describe('niceTicks', () => {
  it.each([
    [420, [0, 100, 200, 300, 400, 500]],
    [6.6, [0, 2, 4, 6, 8]],
    [1, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0, [0, 1]],
  ])('covers %s with round steps', (max, want) => {
    expect(niceTicks(max)).toEqual(want);
  });
});

describe('asSweep', () => {
  it('takes a page without a sweep as an empty one', () => {
    expect(asSweep(undefined).steps).toEqual([]);
    expect(asSweep({ steps: 'x' }).mode).toBeNull();
    expect(asSweep(view)).toBe(view);
  });
});
