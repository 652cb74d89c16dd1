// Turns the server's points and requests into the series locust-ui's LineChart
// draws: an object of [time, value] lists keyed by line, plus the time axis.
import type { LlmPoint, LlmReq, LocustHistoryEntry, Percentiles } from './wire';

/** One chart value: [ISO time, value]; a null value leaves a gap in the line. */
export type Pair = [string, number | null];

/** What LineChart takes: lines by key, and the times of the x axis. */
export interface ChartSeries {
  time: string[];
  [key: string]: Pair[] | string[];
}

/** A line of a chart: its legend name and the key of its series. */
export interface LineSpec {
  name: string;
  key: string;
}

/** One chart: title, lines and how they are drawn. */
export interface ChartSpec {
  title: string;
  lines: LineSpec[];
  colors: string[];
  // Two y axes: the first line on the left one, the others on the right.
  splitAxis?: boolean;
  yAxisLabels?: string | [string, string];
  // Drawn only once some point has a value for it: an open-loop test's
  // lag, a run with SLOs' goodput.
  onlyWithData?: boolean;
}

/** Whether a chart is drawn: always, or once one of its lines has a value. */
export function isShown(spec: ChartSpec, series: ChartSeries): boolean {
  return !spec.onlyWithData || spec.lines.some(line => (series[line.key] as Pair[] | undefined)?.some(pair => pair[1] != null));
}

/** A stretch of the warm-up, from its first second to its last: [start, end] ISO times. */
export type Range = [string, string];

/**
 * The warm-up's stretches: runs of points marked warmup, each from its
 * first point's time to the time of the point after it (or its last).
 */
export function warmupRanges(points: readonly LlmPoint[]): Range[] {
  const ranges: Range[] = [];
  let start: string | null = null;
  points.forEach((point, i) => {
    if (point.warmup && start === null) {
      start = point.time;
    }
    const next = points[i + 1];
    if (start !== null && (!next || !next.warmup)) {
      ranges.push([start, next ? next.time : point.time]);
      start = null;
    }
  });
  return ranges;
}

/**
 * The warm-up's band in a chart: at each time inside a warm-up stretch the
 * chart's highest value, elsewhere nothing, so that a filled line shades
 * the stretch from top to bottom. Null when nothing is to be shaded.
 * locust-ui's ECharts bundle has no mark areas, hence a line.
 */
export function warmupBand(spec: ChartSpec, series: ChartSeries, ranges: readonly Range[]): Pair[] | null {
  if (ranges.length === 0 || spec.splitAxis) {
    return null; // a band on one of two axes would mislead
  }
  let top = 0;
  for (const line of spec.lines) {
    for (const [, v] of (series[line.key] as Pair[] | undefined) ?? []) {
      top = Math.max(top, v ?? 0);
    }
  }
  const spans = ranges.map(([from, to]) => [Date.parse(from), Date.parse(to)]);
  return series.time.map(t => {
    const at = Date.parse(t);
    return [t, spans.some(([from, to]) => at >= from && at <= to) ? top || 1 : null];
  });
}

// Points come once a second while a test runs; a longer silence is a pause
// between tests, drawn as a gap rather than a line across it.
const GAP_MS = 5000;

const PERCENTILE_COLORS = ['#00ca5a', '#ff9f00', '#9966CC', '#ff6d6d'];

/** The LLM charts drawn from points, in page order. */
export const POINT_CHARTS: ChartSpec[] = [
  {
    title: 'Time to first token (ms)',
    lines: [
      { name: 'p50', key: 'ttftP50' },
      { name: 'p90', key: 'ttftP90' },
      { name: 'p95', key: 'ttftP95' },
      { name: 'p99', key: 'ttftP99' },
    ],
    colors: PERCENTILE_COLORS,
  },
  {
    title: 'Inter-token latency and time per output token (ms)',
    lines: [
      { name: 'ITL p50', key: 'itlP50' },
      { name: 'ITL p95', key: 'itlP95' },
      { name: 'TPOT p50', key: 'tpotP50' },
      { name: 'TPOT p95', key: 'tpotP95' },
    ],
    colors: ['#0099ff', '#00d4ff', '#ff9f00', '#ffcc66'],
  },
  {
    title: 'End-to-end latency (ms)',
    lines: [
      { name: 'p50', key: 'e2eP50' },
      { name: 'p90', key: 'e2eP90' },
      { name: 'p95', key: 'e2eP95' },
      { name: 'p99', key: 'e2eP99' },
    ],
    colors: PERCENTILE_COLORS,
  },
  {
    title: 'Output tokens per second and users',
    lines: [
      { name: 'Output tokens/s', key: 'outputTokensPerS' },
      { name: 'Users', key: 'userCount' },
    ],
    colors: ['#00ca5a', '#0099ff'],
    splitAxis: true,
    yAxisLabels: ['tokens/s', 'users'],
  },
  {
    title: 'Token counts: source and mismatches',
    lines: [
      { name: 'Server usage', key: 'sourceUsage' },
      { name: 'Tokenizer', key: 'sourceTokenizer' },
      { name: 'Chunk count', key: 'sourceChunks' },
      { name: 'Usage/tokenizer mismatches', key: 'tokenMismatches' },
    ],
    colors: ['#00ca5a', '#0099ff', '#ff9f00', '#ff6d6d'],
  },
  {
    title: 'Schedule lag (ms)',
    lines: [
      { name: 'p50', key: 'lagP50' },
      { name: 'p99', key: 'lagP99' },
    ],
    colors: ['#00ca5a', '#ff6d6d'],
    onlyWithData: true,
  },
  {
    title: 'Goodput under the SLOs',
    lines: [
      { name: 'Good requests/s', key: 'goodRps' },
      { name: 'Good fraction (%)', key: 'goodPercent' },
    ],
    colors: ['#00ca5a', '#ff9f00'],
    splitAxis: true,
    yAxisLabels: ['req/s', '%'],
    onlyWithData: true,
  },
  {
    title: 'Metrics backlog',
    lines: [
      { name: 'Queued chunks', key: 'backlogQueued' },
      { name: 'Oldest wait (ms)', key: 'backlogOldestMs' },
    ],
    colors: ['#9966CC', '#ff6d6d'],
    splitAxis: true,
    yAxisLabels: ['queued', 'ms'],
  },
];

/** The TTFT-against-time chart drawn from finished requests. */
export const REQUEST_CHART: ChartSpec = {
  title: 'Time to first token of each request (ms)',
  lines: [
    { name: 'ok', key: 'ttftOk' },
    { name: 'failed', key: 'ttftFailed' },
  ],
  colors: ['#0099ff', '#ff3d3d'],
};

type PointField = (point: LlmPoint) => number | null | undefined;

function percentile(pick: (point: LlmPoint) => Percentiles | null | undefined, p: keyof Percentiles): PointField {
  return point => pick(point)?.[p];
}

const POINT_FIELDS: Record<string, PointField> = {
  ttftP50: percentile(p => p.ttft, 'p50'),
  ttftP90: percentile(p => p.ttft, 'p90'),
  ttftP95: percentile(p => p.ttft, 'p95'),
  ttftP99: percentile(p => p.ttft, 'p99'),
  itlP50: percentile(p => p.itl, 'p50'),
  itlP95: percentile(p => p.itl, 'p95'),
  tpotP50: percentile(p => p.tpot, 'p50'),
  tpotP95: percentile(p => p.tpot, 'p95'),
  e2eP50: percentile(p => p.e2e, 'p50'),
  e2eP90: percentile(p => p.e2e, 'p90'),
  e2eP95: percentile(p => p.e2e, 'p95'),
  e2eP99: percentile(p => p.e2e, 'p99'),
  outputTokensPerS: p => p.output_tokens_per_s,
  userCount: p => p.user_count,
  sourceUsage: p => p.token_sources?.usage,
  sourceTokenizer: p => p.token_sources?.tokenizer,
  sourceChunks: p => p.token_sources?.chunks,
  tokenMismatches: p => p.token_mismatches,
  lagP50: percentile(p => p.schedule_lag, 'p50'),
  lagP99: percentile(p => p.schedule_lag, 'p99'),
  goodRps: p => p.good_rps,
  goodPercent: p => (p.good_fraction == null ? null : p.good_fraction * 100),
  backlogQueued: p => p.backlog?.queued,
  backlogOldestMs: p => p.backlog?.oldest_ms,
};

/** The keys pointSeries fills: every line of every point chart. */
export const POINT_KEYS = Object.keys(POINT_FIELDS);

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function emptySeries(keys: readonly string[]): ChartSeries {
  const series: ChartSeries = { time: [] };
  keys.forEach(key => (series[key] = []));
  return series;
}

/** Every point chart's series, with a gap wherever the points pause for more than 5 s. */
export function pointSeries(points: readonly LlmPoint[]): ChartSeries {
  const series = emptySeries(POINT_KEYS);
  let previous = NaN;
  for (const point of points) {
    const at = Date.parse(point.time);
    if (Number.isNaN(at)) {
      continue;
    }
    if (at - previous > GAP_MS) {
      const gapTime = new Date(previous + 1000).toISOString();
      series.time.push(gapTime);
      POINT_KEYS.forEach(key => (series[key] as Pair[]).push([gapTime, null]));
    }
    previous = at;
    series.time.push(point.time);
    POINT_KEYS.forEach(key => (series[key] as Pair[]).push([point.time, finite(POINT_FIELDS[key](point))]));
  }
  return series;
}

/**
 * The scatter of TTFT against request start time, ok and failed requests
 * apart. A failed request that never got a token has no TTFT: it sits at 0 so
 * that the failure still shows where it happened.
 */
export function requestSeries(requests: readonly LlmReq[]): ChartSeries {
  const series = emptySeries(['ttftOk', 'ttftFailed']);
  for (const request of requests) {
    if (!Array.isArray(request) || typeof request[0] !== 'string') {
      continue;
    }
    const [start, ttft, , ok] = request;
    const value = finite(ttft);
    if (ok === true) {
      if (value !== null) {
        (series.ttftOk as Pair[]).push([start, value]);
        series.time.push(start);
      }
    } else {
      (series.ttftFailed as Pair[]).push([start, value ?? 0]);
      series.time.push(start);
    }
  }
  return series;
}

/** How much of the time shown the metrics daemon was behind. */
export interface Saturation {
  // The newest point says the client is saturated now.
  now: boolean;
  // Seconds (points) with the flag set, out of all points.
  seconds: number;
  total: number;
}

/** Reads the backlog flags of the points. */
export function saturation(points: readonly LlmPoint[]): Saturation {
  const seconds = points.filter(point => point.backlog?.saturated === true).length;
  const last = points[points.length - 1];
  return { now: last?.backlog?.saturated === true, seconds, total: points.length };
}

/** Legend name of a Locust response-time percentile, as Locust writes it: "95th percentile". */
export function percentileName(p: number): string {
  return `${Number((p * 100).toFixed(2))}th percentile`;
}

/** The key of a Locust percentile series after locust-ui's camelCasing: "responseTimePercentile0.95". */
export function percentileKey(p: number): string {
  return `responseTimePercentile${p}`;
}

/** Locust's three charts (RPS and failures, response times, users), as in its report. */
export function locustChartSpecs(percentiles: readonly number[]): ChartSpec[] {
  return [
    {
      title: 'Total Requests per Second',
      lines: [
        { name: 'RPS', key: 'currentRps' },
        { name: 'Failures/s', key: 'currentFailPerSec' },
      ],
      colors: ['#00ca5a', '#ff6d6d'],
    },
    {
      title: 'Response Times (ms)',
      lines: percentiles.map(p => ({ name: percentileName(p), key: percentileKey(p) })),
      colors: ['#ff9f00', '#9966CC', '#8A2BE2', '#8E4585', '#E0B0FF', '#C8A2C8'],
    },
    {
      title: 'Number of Users',
      lines: [{ name: 'Number of Users', key: 'userCount' }],
      colors: ['#0099ff'],
    },
  ];
}

function historyPair(entry: LocustHistoryEntry, key: string): Pair {
  const value = entry[key];
  if (Array.isArray(value) && value.length === 2) {
    return [String(value[0] ?? entry.time), finite(value[1])];
  }
  return [entry.time, null];
}

/**
 * Locust's chart series from the report's history. Percentiles are read flat
 * (response_time_percentile_0.95, as Locust writes them) or nested under
 * current_response_time_percentiles (as older locust-ui builds expect).
 */
export function locustHistorySeries(history: readonly LocustHistoryEntry[], percentiles: readonly number[]): ChartSeries {
  const keys = ['currentRps', 'currentFailPerSec', 'userCount', ...percentiles.map(percentileKey)];
  const series = emptySeries(keys);
  for (const entry of history) {
    if (!entry || typeof entry.time !== 'string') {
      continue;
    }
    series.time.push(entry.time);
    const rps = entry.current_rps ? historyPair(entry, 'current_rps') : historyPair(entry, 'total_rps');
    (series.currentRps as Pair[]).push(rps);
    (series.currentFailPerSec as Pair[]).push(historyPair(entry, 'current_fail_per_sec'));
    (series.userCount as Pair[]).push(historyPair(entry, 'user_count'));
    for (const p of percentiles) {
      const flatKey = `response_time_percentile_${p}`;
      const nested = entry.current_response_time_percentiles?.[flatKey];
      const pair = nested ? historyPair({ time: entry.time, [flatKey]: nested }, flatKey) : historyPair(entry, flatKey);
      (series[percentileKey(p)] as Pair[]).push(pair);
    }
  }
  return series;
}

/** Formats a chart tooltip value: two decimals at most, a dash for no data. */
export function formatChartValue(value?: unknown): string {
  const raw = Array.isArray(value) ? value[1] : value;
  const number = finite(raw);
  return number === null ? '–' : String(Number(number.toFixed(2)));
}

function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}

/** A time axis label: the local time as HH:MM:SS, 24-hour, so that every label is short and the same width. */
export function timeLabel(value: number | string | Date): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return '';
  }
  return `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}:${twoDigits(date.getSeconds())}`;
}
