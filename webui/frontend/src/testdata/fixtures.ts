// Small builders for test data shaped like the server's messages.
import type { LlmPoint, LlmReq, LlmRow, TimingSummary } from '../wire';

/** A point at second `second` after 18:00:00, with TTFT percentiles derived from `base`. */
export function point(second: number, base = 200, extra: Partial<LlmPoint> = {}): LlmPoint {
  const time = new Date(Date.UTC(2026, 10, 26, 18, 0, 0) + second * 1000).toISOString();
  return {
    time,
    user_count: 10 + second,
    rps: 2.5,
    fail_per_sec: 0,
    output_tokens_per_s: 100 + second,
    ttft: { p50: base, p90: base + 10, p95: base + 20, p99: base + 30 },
    itl: { p50: 20, p90: 25, p95: 30, p99: 40 },
    tpot: { p50: 21, p90: 26, p95: 31, p99: 41 },
    e2e: { p50: 1000, p90: 1100, p95: 1200, p99: 1300 },
    token_sources: { usage: 5, tokenizer: 1, chunks: 0 },
    token_mismatches: 0,
    backlog: { queued: 0, oldest_ms: 0, saturated: false },
    ...extra,
  };
}

/** A finished request at millisecond `ms` after 18:00:00. */
export function req(ms: number, ttft: number | null, ok = true, name = 'chat'): LlmReq {
  return [new Date(Date.UTC(2026, 10, 26, 18, 0, 0) + ms).toISOString(), ttft, name, ok];
}

/** A timing summary whose values all derive from `base`. */
export function timing(base: number): TimingSummary {
  return { mean: base + 0.123, min: base - 10, max: base + 100, p50: base, p90: base + 5, p95: base + 7, p99: base + 9 };
}

/** An LLM stats row. */
export function row(name: string, extra: Partial<LlmRow> = {}): LlmRow {
  return {
    name,
    method: 'POST',
    requests: 120,
    failures: 2,
    output_tokens: 7680,
    input_tokens: 30720,
    output_tokens_per_s: 320.123,
    token_mismatches: 1,
    token_count_source: { usage: 120, tokenizer: 0, chunks: 0 },
    ttft_ms: timing(200),
    ttfo_ms: null,
    itl_ms: timing(20),
    tpot_ms: timing(21),
    e2e_ms: timing(1000),
    ...extra,
  };
}
