import { describe, expect, it } from 'vitest';

import {
  POINT_CHARTS,
  POINT_KEYS,
  REQUEST_CHART,
  formatChartValue,
  locustChartSpecs,
  locustHistorySeries,
  percentileName,
  pointSeries,
  requestSeries,
  saturation,
  timeLabel,
  type Pair,
} from './series';
import { point, req } from './testdata/fixtures';

describe('pointSeries', () => {
  it('gives every charted line a value per point, at the point time', () => {
    const points = [point(0, 200), point(1, 250)];
    const series = pointSeries(points);

    expect(series.time).toEqual([points[0].time, points[1].time]);
    expect(series.ttftP50).toEqual([[points[0].time, 200], [points[1].time, 250]]);
    expect(series.ttftP99).toEqual([[points[0].time, 230], [points[1].time, 280]]);
    expect(series.itlP95).toEqual([[points[0].time, 30], [points[1].time, 30]]);
    expect(series.tpotP50).toEqual([[points[0].time, 21], [points[1].time, 21]]);
    expect(series.outputTokensPerS).toEqual([[points[0].time, 100], [points[1].time, 101]]);
    expect(series.userCount).toEqual([[points[0].time, 10], [points[1].time, 11]]);
    expect(series.sourceUsage).toEqual([[points[0].time, 5], [points[1].time, 5]]);
    expect(series.sourceTokenizer).toEqual([[points[0].time, 1], [points[1].time, 1]]);

    for (const spec of POINT_CHARTS) {
      for (const line of spec.lines) {
        expect(POINT_KEYS, `${spec.title}: ${line.name}`).toContain(line.key);
        expect((series[line.key] as Pair[]).length, line.key).toBe(2);
      }
    }
  });

  const missing = [
    { name: 'a null percentile', extra: { ttft: { p50: null, p90: 1, p95: 2, p99: 3 } }, key: 'ttftP50' },
    { name: 'no percentiles at all', extra: { itl: null }, key: 'itlP50' },
    { name: 'no token sources', extra: { token_sources: null }, key: 'sourceUsage' },
    { name: 'no backlog', extra: { backlog: null }, key: 'backlogQueued' },
  ];
  it.each(missing)('leaves a gap for $name', ({ extra, key }) => {
    const p = point(0, 200, extra);
    expect(pointSeries([p])[key]).toEqual([[p.time, null]]);
  });

  it('breaks the lines where points pause between tests', () => {
    const points = [point(0), point(1), point(60), point(61)];
    const series = pointSeries(points);
    const gapTime = point(2).time;

    expect(series.time).toEqual([points[0].time, points[1].time, gapTime, points[2].time, points[3].time]);
    for (const key of POINT_KEYS) {
      expect((series[key] as Pair[])[2], key).toEqual([gapTime, null]);
    }
  });

  it('skips points whose time cannot be read', () => {
    const series = pointSeries([point(0, 200, { time: 'not a time' }), point(1, 300)]);
    expect(series.ttftP50).toEqual([[point(1).time, 300]]);
  });
});

describe('requestSeries', () => {
  it('splits ok and failed requests', () => {
    const requests = [req(0, 210.5), req(100, 400, false), req(200, null, false), req(300, null, true), req(400, 190)];
    const series = requestSeries(requests);

    expect(series.ttftOk).toEqual([[requests[0][0], 210.5], [requests[4][0], 190]]);
    expect(series.ttftFailed).toEqual([[requests[1][0], 400], [requests[2][0], 0]]);
    expect(series.time).toHaveLength(4);
    expect(REQUEST_CHART.lines.map(l => l.key)).toEqual(['ttftOk', 'ttftFailed']);
  });

  it('skips malformed entries', () => {
    const series = requestSeries([null, [1, 2, 'x', true], req(0, 5)] as never);
    expect(series.ttftOk).toEqual([[req(0, 5)[0], 5]]);
    expect(series.ttftFailed).toEqual([]);
  });
});

describe('saturation', () => {
  const busy = { backlog: { queued: 900, oldest_ms: 250, saturated: true } };
  const cases = [
    { name: 'no points', points: [], want: { now: false, seconds: 0, total: 0 } },
    { name: 'never saturated', points: [point(0), point(1)], want: { now: false, seconds: 0, total: 2 } },
    { name: 'saturated now', points: [point(0), point(1, 200, busy)], want: { now: true, seconds: 1, total: 2 } },
    {
      name: 'saturated earlier',
      points: [point(0, 200, busy), point(1, 200, busy), point(2)],
      want: { now: false, seconds: 2, total: 3 },
    },
  ];
  it.each(cases)('$name', ({ points, want }) => {
    expect(saturation(points)).toEqual(want);
  });
});

describe('Locust history', () => {
  const t0 = '2026-11-26T18:00:00Z';
  const t1 = '2026-11-26T18:00:05Z';

  it('reads flat percentiles, as Locust writes its history', () => {
    const history = [
      {
        time: t0,
        current_rps: [t0, 12.5] as [string, number],
        current_fail_per_sec: [t0, 0.5] as [string, number],
        user_count: [t0, 20] as [string, number],
        'response_time_percentile_0.5': [t0, 210],
        'response_time_percentile_0.95': [t0, 480],
      },
    ];
    const series = locustHistorySeries(history, [0.5, 0.95]);
    expect(series.currentRps).toEqual([[t0, 12.5]]);
    expect(series.currentFailPerSec).toEqual([[t0, 0.5]]);
    expect(series.userCount).toEqual([[t0, 20]]);
    expect(series['responseTimePercentile0.5']).toEqual([[t0, 210]]);
    expect(series['responseTimePercentile0.95']).toEqual([[t0, 480]]);
  });

  it('reads nested percentiles and the older total_rps', () => {
    const history = [
      {
        time: t1,
        total_rps: [t1, 3] as [string, number],
        current_response_time_percentiles: { 'response_time_percentile_0.95': [t1, 99] as [string, number] },
      },
    ];
    const series = locustHistorySeries(history, [0.95]);
    expect(series.currentRps).toEqual([[t1, 3]]);
    expect(series['responseTimePercentile0.95']).toEqual([[t1, 99]]);
    expect(series.userCount).toEqual([[t1, null]]);
  });

  it('names percentile lines as Locust does', () => {
    expect(percentileName(0.5)).toBe('50th percentile');
    expect(percentileName(0.95)).toBe('95th percentile');
    expect(percentileName(0.999)).toBe('99.9th percentile');
    const [, responseTimes] = locustChartSpecs([0.5, 0.95]);
    expect(responseTimes.lines.map(l => l.key)).toEqual(['responseTimePercentile0.5', 'responseTimePercentile0.95']);
  });
});

describe('formatChartValue', () => {
  const cases = [
    { name: 'a pair', value: ['t', 201.234], want: '201.23' },
    { name: 'a bare number', value: 7, want: '7' },
    { name: 'no data', value: ['t', null], want: '–' },
    { name: 'nothing', value: undefined, want: '–' },
  ];
  it.each(cases)('$name', ({ value, want }) => {
    expect(formatChartValue(value)).toBe(want);
  });
});

describe('timeLabel', () => {
  it('gives the local time, 24-hour, two digits each', () => {
    expect(timeLabel(new Date(2026, 10, 26, 18, 0, 5).getTime())).toBe('18:00:05');
    expect(timeLabel(new Date(2026, 10, 26, 9, 7, 0))).toBe('09:07:00');
  });

  it('gives nothing for what is not a time', () => {
    expect(timeLabel('soon')).toBe('');
  });
});
