// The shapes the Go server sends, exactly as they arrive (snake_case keys).
// locust-ui camelCases its own data; ours is read as it is on the wire.

/** p50/p90/p95/p99 of one metric over the current window; null when there was no data. */
export interface Percentiles {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

/** How many requests had their output tokens counted from each source. */
export interface TokenSources {
  usage: number;
  tokenizer: number;
  chunks: number;
}

/** The metrics daemon's queue: a saturated client measures late, so it is shown. */
export interface Backlog {
  queued: number;
  oldest_ms: number;
  saturated: boolean;
}

/** One second of a running test. */
export interface LlmPoint {
  time: string;
  user_count: number;
  rps: number;
  fail_per_sec: number;
  output_tokens_per_s: number;
  ttft: Percentiles | null;
  itl: Percentiles | null;
  tpot: Percentiles | null;
  e2e: Percentiles | null;
  token_sources: TokenSources | null;
  token_mismatches: number;
  backlog: Backlog | null;
  /** How late an open-loop test's requests went out; values null in a closed loop. */
  schedule_lag?: Percentiles | null;
  /** Current goodput under SLOs; null without SLOs. */
  good_rps?: number | null;
  good_fraction?: number | null;
  /** A second of the warm-up, left out of every figure. */
  warmup?: boolean;
}

/** One finished request: [start time, TTFT ms (null if no token came), name, ok]. */
export type LlmReq = [string, number | null, string, boolean];

/** Summary of one timing metric in the LLM stats table. */
export interface TimingSummary {
  mean: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

/** One row of the LLM stats table: a (name, method) pair, or the total. */
export interface LlmRow {
  name: string;
  method: string;
  requests: number;
  failures: number;
  output_tokens: number;
  input_tokens: number;
  output_tokens_per_s: number;
  token_mismatches: number;
  token_count_source: TokenSources | null;
  ttft_ms: TimingSummary | null;
  ttfo_ms: TimingSummary | null;
  itl_ms: TimingSummary | null;
  tpot_ms: TimingSummary | null;
  e2e_ms: TimingSummary | null;
  /** Schedule lag of an open-loop test; null in a closed loop. */
  schedule_lag_ms?: TimingSummary | null;
  /** Goodput under SLOs; null without SLOs. */
  goodput?: Goodput | null;
}

/** The LLM stats table: rows per (name, method) and the total. */
export interface LlmStats {
  rows: LlmRow[];
  total: LlmRow | null;
}

/** The `llm` entry of templateArgs: what the page starts with. */
export interface LlmTemplateData {
  points: LlmPoint[];
  requests: LlmReq[];
  percentiles?: number[];
  ws_path?: string;
  points_path?: string;
}

/** Messages on the `ws/llm` websocket. */
export type FeedMessage =
  | { type: 'history'; points: LlmPoint[]; requests: LlmReq[] }
  | { type: 'point'; point: LlmPoint }
  | { type: 'requests'; requests: LlmReq[] }
  | { type: 'reset' };

/** The answer of `GET llm/points?since=N`. */
export interface PointsResponse {
  seq: number;
  points: LlmPoint[];
  requests: LlmReq[];
}

/** Locust's request-statistics row, as the report arguments carry it. */
export interface LocustStatsRow {
  method: string;
  name: string;
  num_requests: number;
  num_failures: number;
  avg_response_time: number;
  min_response_time: number | null;
  max_response_time: number | null;
  avg_content_length: number;
  total_rps: number;
  total_fail_per_sec: number;
  [key: string]: unknown;
}

/** A Locust failure row. */
export interface LocustFailureRow {
  method: string;
  name: string;
  error: string;
  occurrences: number;
}

/** A Locust exception row. */
export interface LocustExceptionRow {
  count: number;
  msg: string;
  traceback: string;
  nodes: string;
}

/** A row of Locust's response-time table: method, name and one cell per percentile key ("0.5", …). */
export type LocustResponseTimeRow = { method: string; name: string } & Record<string, string | number | null>;

/** Task ratios, as `/tasks` and the report's `tasks` give them. */
export interface RatioTree {
  [name: string]: { ratio: number; tasks?: RatioTree };
}

/** The report's `tasks`: per-class and total ratios. */
export interface TaskRatios {
  per_class?: RatioTree;
  total?: RatioTree;
}

/** One entry of Locust's chart history. Values are [time, value] pairs. */
export interface LocustHistoryEntry {
  time: string;
  current_rps?: [string, number];
  current_fail_per_sec?: [string, number];
  user_count?: [string, number];
  total_avg_response_time?: [string, number];
  current_response_time_percentiles?: Record<string, [string, number | null]>;
  [key: string]: unknown;
}

/** The templateArgs fields this frontend reads itself (locust-ui reads the rest). */
export interface TemplateArgs {
  locustfile?: string;
  host?: string;
  state?: string;
  is_report?: boolean;
  history?: LocustHistoryEntry[];
  percentiles_to_chart?: number[];
  llm?: LlmTemplateData;
  llm_report?: LlmStats;
  extended_csv_files?: { href: string; title: string }[];
  requests_statistics?: LocustStatsRow[];
  failures_statistics?: LocustFailureRow[];
  exceptions_statistics?: LocustExceptionRow[];
  response_time_statistics?: LocustResponseTimeRow[];
  start_time?: string;
  end_time?: string;
  duration?: string;
  show_download_link?: boolean;
  tasks?: TaskRatios | string;
  profile?: string;
  [key: string]: unknown;
}

/** A timing of one sweep step: mean, min, max and one key per percentile (p50, p99, …), in ms. */
export type StepTiming = { mean: number; min: number; max: number } & Record<string, number>;

/** Goodput under the run's SLOs. */
export interface Goodput {
  requests: number;
  good_requests: number;
  fraction: number;
  requests_per_s: number;
  output_tokens_per_s: number;
}

/** One step of a sweep, as `GET llm/sweep` and the JSON summary give it. */
export interface SweepStep {
  value: number;
  users: number;
  rate: number | null;
  start_s: number;
  duration_s: number;
  requests: number;
  failures: number;
  rps: number;
  output_tokens_per_s: number;
  ttft_ms: StepTiming | null;
  tpot_ms: StepTiming | null;
  itl_ms: StepTiming | null;
  e2e_ms: StepTiming | null;
  lag_ms: StepTiming | null;
  goodput: Goodput | null;
}

/** `GET llm/sweep` and the page's `sweep`: the steps so far, with the one under way. */
export interface SweepView {
  mode: 'users' | 'rate' | null;
  step_time_s: number | null;
  steps: SweepStep[];
  running: boolean;
  current: { index: number; value: number; started_s: number } | null;
}
