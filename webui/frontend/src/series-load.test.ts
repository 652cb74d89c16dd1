// The charts of open-loop tests and SLOs: schedule lag, goodput, and the
// warm-up's shading.
import { describe, expect, it } from 'vitest';

import { POINT_CHARTS, isShown, pointSeries, warmupBand, warmupRanges } from './series';
import { point } from './testdata/fixtures';

const chart = (title: string) => {
  const spec = POINT_CHARTS.find(c => c.title.startsWith(title));
  if (!spec) throw new Error(`no chart ${title}`);
  return spec;
};

describe('the lag and goodput charts', () => {
  it('are left out of a closed-loop test without SLOs', () => {
    const series = pointSeries([point(0), point(1)]);
    expect(isShown(chart('Schedule lag'), series)).toBe(false);
    expect(isShown(chart('Goodput'), series)).toBe(false);
    expect(isShown(chart('Time to first token'), series)).toBe(true);
  });

  it('draw the lag percentiles and the goodput, as a percentage, once they come', () => {
    const points = [
      point(0),
      point(1, 200, { schedule_lag: { p50: 0.1, p90: null, p95: null, p99: 0.4 }, good_rps: 3.5, good_fraction: 0.875 }),
    ];
    const series = pointSeries(points);
    expect(isShown(chart('Schedule lag'), series)).toBe(true);
    expect(isShown(chart('Goodput'), series)).toBe(true);
    expect(series.lagP99).toEqual([[points[0].time, null], [points[1].time, 0.4]]);
    expect(series.goodRps).toEqual([[points[0].time, null], [points[1].time, 3.5]]);
    expect(series.goodPercent).toEqual([[points[0].time, null], [points[1].time, 87.5]]);
  });
});

describe('warmupRanges', () => {
  it.each([
    ['no warm-up', [false, false, false], []],
    ['a warm-up at the start ends at the first counted second', [true, true, false, false], [[0, 2]]],
    ['a warm-up still going ends at its last second', [false, true, true], [[1, 2]]],
    ['a second test warms up again', [true, false, false, true, false], [[0, 1], [3, 4]]],
  ])('%s', (_, marks, want) => {
    const points = (marks as boolean[]).map((warmup, i) => point(i, 200, { warmup }));
    expect(warmupRanges(points)).toEqual((want as number[][]).map(([a, b]) => [points[a].time, points[b].time]));
  });
});

describe('warmupBand', () => {
  const points = [point(0, 200, { warmup: true }), point(1, 500, { warmup: true }), point(2, 300), point(3, 250)];
  const series = pointSeries(points);

  it('fills the warm-up at the height of the chart\'s highest value', () => {
    // TTFT p99 of the fixture is base + 30; the highest is 530.
    const band = warmupBand(chart('Time to first token'), series, warmupRanges(points));
    expect(band).toEqual([[points[0].time, 530], [points[1].time, 530], [points[2].time, 530], [points[3].time, null]]);
  });

  it('shades nothing without a warm-up, and no chart with two axes', () => {
    expect(warmupBand(chart('Time to first token'), series, [])).toBeNull();
    expect(warmupBand(chart('Output tokens per second'), series, warmupRanges(points))).toBeNull();
  });
});
