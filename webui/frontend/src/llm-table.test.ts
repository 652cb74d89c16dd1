import { describe, expect, it } from 'vitest';

import {
  asLlmStats,
  llmColumns,
  llmDetailRows,
  llmStatsInLocustStore,
  llmTableRows,
  NO_VALUE,
  snakeCaseKeys,
  tokenSourceText,
} from './llm-table';
import { row, timing } from './testdata/fixtures';

describe('llmTableRows', () => {
  it('flattens each row and puts the total last', () => {
    const stats = { rows: [row('chat'), row('complete', { requests: 3 })], total: row('', { method: '', requests: 123 }) };
    const rows = llmTableRows(stats);

    expect(rows.map(r => [r.name, r.requests])).toEqual([['chat', 120], ['complete', 3], ['Aggregated', 123]]);
    expect(rows[0]).toMatchObject({
      method: 'POST',
      failures: 2,
      outputTokens: 7680,
      inputTokens: 30720,
      outputTokensPerS: 320.12,
      ttftP50: 200,
      ttftP99: 209,
      itlP95: 27,
      tpotP50: 21,
      e2eP95: 1007,
      tokenSource: 'usage',
      tokenMismatches: 1,
    });
  });

  it('shows a dash, never a 0, where nothing was measured', () => {
    const [only] = llmTableRows({ rows: [row('chat', { ttft_ms: null, tpot_ms: { ...timing(1), p50: null } })], total: null });
    expect(only.ttftP50).toBe(NO_VALUE);
    expect(only.ttftP99).toBe(NO_VALUE);
    expect(only.tpotP50).toBe(NO_VALUE);
    expect(only.tpotP95).toBe(8);
    expect(NO_VALUE).toBe('—');
  });

  it('gives rows without reasoning a dash in the TTFO columns that another row needs', () => {
    const stats = { rows: [row('chat'), row('think', { ttfo_ms: timing(900) })], total: row('', { ttfo_ms: timing(900) }) };
    const [chat, think] = llmTableRows(stats);
    expect(chat.ttfoP50).toBe(NO_VALUE);
    expect(chat.ttfoP95).toBe(NO_VALUE);
    expect(think.ttfoP50).toBe(900);
  });
});

describe('llmColumns', () => {
  it('shows TTFO only when some row has it', () => {
    const plain = llmColumns({ rows: [row('chat')], total: row('') }).map(c => c.key);
    expect(plain).not.toContain('ttfoP50');

    const reasoning = llmColumns({ rows: [row('think', { ttfo_ms: timing(900) })], total: null }).map(c => c.key);
    expect(reasoning).toContain('ttfoP50');
    expect(reasoning.indexOf('ttfoP50')).toBeGreaterThan(reasoning.indexOf('ttftP99'));
  });

  it('has a column for every flattened cell it names', () => {
    const stats = { rows: [row('think', { ttfo_ms: timing(900) })], total: null };
    const [cells] = llmTableRows(stats);
    for (const column of llmColumns(stats)) {
      expect(cells, column.key).toHaveProperty(column.key);
    }
  });
});

describe('llmDetailRows', () => {
  it('gives every metric of every row, total included', () => {
    const rows = llmDetailRows({ rows: [row('chat')], total: row('') });
    expect(rows.map(r => `${r.name}/${r.metric}`)).toEqual([
      'chat/TTFT', 'chat/ITL', 'chat/TPOT', 'chat/E2E',
      'Aggregated/TTFT', 'Aggregated/ITL', 'Aggregated/TPOT', 'Aggregated/E2E',
    ]);
    expect(rows.map(r => r.order)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rows[0]).toMatchObject({ mean: 200.12, min: 190, p50: 200, p90: 205, p95: 207, p99: 209, max: 300 });
  });

  it('shows a dash for every figure of a timing without samples', () => {
    // Every answer had one token: there is no time per output token.
    const rows = llmDetailRows({ rows: [row('short', { tpot_ms: null, itl_ms: null })], total: null });
    const tpot = rows.find(r => r.metric === 'TPOT');
    for (const key of ['mean', 'min', 'p50', 'p90', 'p95', 'p99', 'max']) {
      expect(tpot?.[key], key).toBe(NO_VALUE);
    }
    expect(rows.find(r => r.metric === 'TTFT')?.p50).toBe(200);
  });
});

describe('tokenSourceText', () => {
  const cases = [
    { name: 'nothing', sources: null, want: '' },
    { name: 'one source', sources: { usage: 0, tokenizer: 40, chunks: 0 }, want: 'tokenizer' },
    { name: 'mixed', sources: { usage: 100, tokenizer: 20, chunks: 0 }, want: 'usage 100, tokenizer 20' },
    { name: 'all zero', sources: { usage: 0, tokenizer: 0, chunks: 0 }, want: '' },
  ];
  it.each(cases)('$name', ({ sources, want }) => {
    expect(tokenSourceText(sources)).toBe(want);
  });
});

describe('reading the stats locust-ui already fetched', () => {
  const camel = {
    rows: [{ name: 'chat_v2', method: 'POST', outputTokensPerS: 5, ttftMs: { p50: 1 }, tokenCountSource: { usage: 2 } }],
    total: null,
  };

  it('undoes locust-ui camelCasing on keys, not on values', () => {
    expect(snakeCaseKeys(camel)).toEqual({
      rows: [{ name: 'chat_v2', method: 'POST', output_tokens_per_s: 5, ttft_ms: { p50: 1 }, token_count_source: { usage: 2 } }],
      total: null,
    });
  });

  it('finds the llm entry of the getStats query', () => {
    const state = {
      api: {
        queries: {
          'getLogs(undefined)': { endpointName: 'getLogs', data: { master: [] } },
          'getStats(undefined)': { endpointName: 'getStats', data: { stats: [], llm: camel } },
        },
      },
    };
    expect(llmStatsInLocustStore(state)).toBe(camel);
    expect(llmStatsInLocustStore({ api: { queries: {} } })).toBeUndefined();
    expect(llmStatsInLocustStore(undefined)).toBeUndefined();
  });

  const shapes = [
    { name: 'nothing', value: undefined, want: null },
    { name: 'no rows', value: { total: {} }, want: null },
    { name: 'rows and no total', value: { rows: [{ name: 'a' }, null] }, want: { rows: [{ name: 'a' }], total: null } },
  ];
  it.each(shapes)('checks the shape: $name', ({ value, want }) => {
    expect(asLlmStats(value)).toEqual(want);
  });
});

describe('the open-loop and SLO columns', () => {
  const lag = { ...timing(0), p50: 0.12, p99: 0.27 };
  const goodput = { requests: 120, good_requests: 108, fraction: 0.9, requests_per_s: 15.9, output_tokens_per_s: 1000 };

  it('are left out when no row has them', () => {
    const keys = llmColumns({ rows: [row('chat')], total: row('') }).map(c => c.key);
    expect(keys).not.toContain('lagP99');
    expect(keys).not.toContain('goodRps');
    expect(llmDetailRows({ rows: [row('chat')], total: null }).map(r => r.metric)).not.toContain('Schedule lag');
  });

  it('show the schedule lag and the goodput when a row has them', () => {
    const stats = { rows: [row('chat', { schedule_lag_ms: lag, goodput })], total: null };
    const keys = llmColumns(stats).map(c => c.key);
    expect(keys).toEqual(expect.arrayContaining(['lagP50', 'lagP99', 'goodRps', 'goodFraction']));
    expect(llmTableRows(stats)[0]).toMatchObject({ lagP50: 0.12, lagP99: 0.27, goodRps: 15.9, goodFraction: 90 });
    expect(llmDetailRows(stats).find(r => r.metric === 'Schedule lag')).toMatchObject({ p50: 0.12, p99: 0.27 });
  });
});

