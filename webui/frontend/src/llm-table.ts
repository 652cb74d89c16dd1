// The LLM stats table: the server's rows flattened into the cells that
// locust-ui's Table shows.
import type { LlmRow, LlmStats, TimingSummary, TokenSources } from './wire';

/** A column of locust-ui's Table. */
export interface Column {
  key: string;
  title: string;
}

/** A flattened table row. */
export type TableRow = Record<string, string | number | null>;

/** What a cell shows for a figure that was never measured: never a 0 that reads as one. */
export const NO_VALUE = '—';

const TIMINGS = [
  { field: 'ttft_ms', label: 'TTFT' },
  { field: 'ttfo_ms', label: 'TTFO' },
  { field: 'itl_ms', label: 'ITL' },
  { field: 'tpot_ms', label: 'TPOT' },
  { field: 'e2e_ms', label: 'E2E' },
  { field: 'schedule_lag_ms', label: 'Schedule lag' },
] as const;

type TimingField = (typeof TIMINGS)[number]['field'];

/** A figure rounded to two decimals, or NO_VALUE when there is none. */
function cell(value: unknown): number | string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return NO_VALUE;
  }
  return Number(value.toFixed(2));
}

/** Says where output token counts came from: one source by name, several with their counts. */
export function tokenSourceText(sources: TokenSources | null | undefined): string {
  if (!sources) {
    return '';
  }
  const used = (['usage', 'tokenizer', 'chunks'] as const).filter(source => (sources[source] ?? 0) > 0);
  if (used.length === 1) {
    return used[0];
  }
  return used.map(source => `${source} ${sources[source]}`).join(', ');
}

// TTFO differs from TTFT only for reasoning models; its columns are shown
// only when some row has it, so that plain chat runs keep a narrower table.
function hasTtfo(stats: LlmStats): boolean {
  return [...stats.rows, stats.total].some(row => row?.ttfo_ms?.p50 != null);
}

// The schedule lag of open-loop tests and the goodput under SLOs have
// columns only when some row has them.
function hasLag(stats: LlmStats): boolean {
  return [...stats.rows, stats.total].some(row => row?.schedule_lag_ms != null);
}

function hasGoodput(stats: LlmStats): boolean {
  return [...stats.rows, stats.total].some(row => row?.goodput != null);
}

/** The columns of the LLM stats table for these stats. */
export function llmColumns(stats: LlmStats): Column[] {
  const lag = hasLag(stats)
    ? [
        { key: 'lagP50', title: 'Lag p50 (ms)' },
        { key: 'lagP99', title: 'Lag p99 (ms)' },
      ]
    : [];
  const goodput = hasGoodput(stats)
    ? [
        { key: 'goodRps', title: 'Goodput (req/s)' },
        { key: 'goodFraction', title: 'Good (%)' },
      ]
    : [];
  const ttfo = hasTtfo(stats)
    ? [
        { key: 'ttfoP50', title: 'TTFO p50 (ms)' },
        { key: 'ttfoP95', title: 'TTFO p95 (ms)' },
      ]
    : [];
  return [
    { key: 'method', title: 'Type' },
    { key: 'name', title: 'Name' },
    { key: 'requests', title: '# Requests' },
    { key: 'failures', title: '# Fails' },
    { key: 'outputTokens', title: 'Output tokens' },
    { key: 'inputTokens', title: 'Input tokens' },
    { key: 'outputTokensPerS', title: 'Output tok/s' },
    { key: 'ttftP50', title: 'TTFT p50 (ms)' },
    { key: 'ttftP90', title: 'TTFT p90 (ms)' },
    { key: 'ttftP95', title: 'TTFT p95 (ms)' },
    { key: 'ttftP99', title: 'TTFT p99 (ms)' },
    ...ttfo,
    { key: 'itlP50', title: 'ITL p50 (ms)' },
    { key: 'itlP95', title: 'ITL p95 (ms)' },
    { key: 'tpotP50', title: 'TPOT p50 (ms)' },
    { key: 'tpotP95', title: 'TPOT p95 (ms)' },
    { key: 'e2eP50', title: 'E2E p50 (ms)' },
    { key: 'e2eP95', title: 'E2E p95 (ms)' },
    ...lag,
    ...goodput,
    { key: 'tokenSource', title: 'Token counts from' },
    { key: 'tokenMismatches', title: 'Count mismatches' },
  ];
}

function timing(row: LlmRow, field: TimingField): TimingSummary | null {
  const value = row[field];
  return value && typeof value === 'object' ? value : null;
}

/** One flattened row of the LLM stats table. */
export function llmTableRow(row: LlmRow): TableRow {
  const ttft = timing(row, 'ttft_ms');
  const ttfo = timing(row, 'ttfo_ms');
  const itl = timing(row, 'itl_ms');
  const tpot = timing(row, 'tpot_ms');
  const e2e = timing(row, 'e2e_ms');
  const lag = timing(row, 'schedule_lag_ms');
  return {
    method: row.method ?? '',
    name: row.name ?? '',
    requests: row.requests ?? 0,
    failures: row.failures ?? 0,
    outputTokens: row.output_tokens ?? 0,
    inputTokens: row.input_tokens ?? 0,
    outputTokensPerS: cell(row.output_tokens_per_s),
    ttftP50: cell(ttft?.p50),
    ttftP90: cell(ttft?.p90),
    ttftP95: cell(ttft?.p95),
    ttftP99: cell(ttft?.p99),
    ttfoP50: cell(ttfo?.p50),
    ttfoP95: cell(ttfo?.p95),
    itlP50: cell(itl?.p50),
    itlP95: cell(itl?.p95),
    tpotP50: cell(tpot?.p50),
    tpotP95: cell(tpot?.p95),
    e2eP50: cell(e2e?.p50),
    e2eP95: cell(e2e?.p95),
    lagP50: cell(lag?.p50),
    lagP99: cell(lag?.p99),
    goodRps: cell(row.goodput?.requests_per_s),
    goodFraction: cell(row.goodput == null ? null : row.goodput.fraction * 100),
    tokenSource: tokenSourceText(row.token_count_source),
    tokenMismatches: row.token_mismatches ?? 0,
  };
}

/** The rows of the LLM stats table, the total last (locust-ui's Table keeps it there). */
export function llmTableRows(stats: LlmStats): TableRow[] {
  const rows = stats.rows.map(llmTableRow);
  if (stats.total) {
    rows.push(llmTableRow({ ...stats.total, name: stats.total.name || 'Aggregated' }));
  }
  return rows;
}

/** The columns of the latency details table. */
export const DETAIL_COLUMNS: Column[] = [
  { key: 'method', title: 'Type' },
  { key: 'name', title: 'Name' },
  { key: 'metric', title: 'Metric' },
  { key: 'mean', title: 'Mean (ms)' },
  { key: 'min', title: 'Min (ms)' },
  { key: 'p50', title: 'p50 (ms)' },
  { key: 'p90', title: 'p90 (ms)' },
  { key: 'p95', title: 'p95 (ms)' },
  { key: 'p99', title: 'p99 (ms)' },
  { key: 'max', title: 'Max (ms)' },
];

/**
 * Every timing of every row in full (mean, min, max and percentiles), one
 * line per metric. `order` keeps the server's order with the total last
 * (pass it as the Table's defaultSortKey); it is not a column.
 */
export function llmDetailRows(stats: LlmStats): TableRow[] {
  const ttfo = hasTtfo(stats);
  const rows = stats.total ? [...stats.rows, { ...stats.total, name: stats.total.name || 'Aggregated' }] : stats.rows;
  const lag = hasLag(stats);
  const metrics = TIMINGS.filter(({ field }) => (field !== 'ttfo_ms' || ttfo) && (field !== 'schedule_lag_ms' || lag));
  return rows.flatMap((row, rowIndex) =>
    metrics.map(({ field, label }, metricIndex) => {
      const t = timing(row, field);
      return {
        order: rowIndex * metrics.length + metricIndex,
        method: row.method ?? '',
        name: row.name ?? '',
        metric: label,
        mean: cell(t?.mean),
        min: cell(t?.min),
        p50: cell(t?.p50),
        p90: cell(t?.p90),
        p95: cell(t?.p95),
        p99: cell(t?.p99),
        max: cell(t?.max),
      };
    }),
  );
}

/** Turns locust-ui's camelCased keys back into the wire's snake_case ("ttftMs" → "ttft_ms"). */
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(snakeCaseKeys);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key.replace(/[A-Z]/g, letter => `_${letter.toLowerCase()}`),
        snakeCaseKeys(inner),
      ]),
    );
  }
  return value;
}

/** Checks the shape of LLM stats; null when they are missing or malformed. */
export function asLlmStats(value: unknown): LlmStats | null {
  if (!value || typeof value !== 'object') {
    return null;
  }
  const { rows, total } = value as { rows?: unknown; total?: unknown };
  if (!Array.isArray(rows)) {
    return null;
  }
  return {
    rows: rows.filter(row => row && typeof row === 'object') as LlmRow[],
    total: total && typeof total === 'object' ? (total as LlmRow) : null,
  };
}

/**
 * The `llm` entry of the newest /stats/requests answer, read from locust-ui's
 * store, which already polls that route: the page does not poll it twice.
 * It comes camelCased, as locust-ui stores everything.
 */
export function llmStatsInLocustStore(state: unknown): unknown {
  const queries = (state as { api?: { queries?: Record<string, unknown> } } | null)?.api?.queries;
  if (!queries) {
    return undefined;
  }
  for (const query of Object.values(queries)) {
    const { endpointName, data } = (query ?? {}) as { endpointName?: string; data?: { llm?: unknown } };
    if (endpointName === 'getStats' && data?.llm) {
      return data.llm;
    }
  }
  return undefined;
}
