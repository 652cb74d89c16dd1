// The whole page in jsdom: which mode it picks from templateArgs, and that a
// report fetches nothing and opens no socket.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { point, req, row } from './testdata/fixtures';

function reportArgs() {
  return {
    is_report: true,
    locustfile: 'scenarios/openai_chat.lua',
    host: 'http://127.0.0.1:9999',
    start_time: '2026-11-26T18:00:00Z',
    end_time: '2026-11-26T18:01:05Z',
    duration: '1 minute and 5 seconds',
    show_download_link: false,
    history: [],
    percentiles_to_chart: [0.5, 0.95],
    requests_statistics: [],
    failures_statistics: [{ method: 'POST', name: 'chat', error: 'HTTP 500', occurrences: 3 }],
    exceptions_statistics: [],
    response_time_statistics: [],
    tasks: { per_class: { ChatUser: { ratio: 1, tasks: { chat: { ratio: 1 } } } }, total: {} },
    llm_report: { rows: [row('chat')], total: row('', { method: '' }) },
    llm: {
      points: [point(0), point(1, 200, { backlog: { queued: 900, oldest_ms: 250, saturated: true } })],
      requests: [req(0, 200), req(500, null, false)],
    },
  };
}

async function renderPage(templateArgs: unknown) {
  document.body.innerHTML = '<div id="root"></div>';
  window.templateArgs = templateArgs;
  await act(async () => {
    await import('./main');
  });
}

// The first test pays for transforming locust-ui's 1 MB bundle: seconds, not milliseconds.
describe('the page', { timeout: 30_000 }, () => {
  const fetchSpy = vi.fn();
  const socketSpy = vi.fn();

  beforeEach(() => {
    vi.resetModules();
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    // jsdom lays nothing out, so ECharts warns that its boxes have no size.
    const warn = console.warn;
    vi.spyOn(console, 'warn').mockImplementation((...args) => {
      if (!String(args[0]).startsWith('[ECharts]')) {
        warn(...args);
      }
    });
    vi.stubGlobal('fetch', fetchSpy);
    vi.stubGlobal('WebSocket', socketSpy);
    vi.stubGlobal('matchMedia', (query: string) => ({ matches: false, media: query, addEventListener() {}, removeEventListener() {} }));
    // jsdom draws nothing; ECharts only needs a context that accepts calls.
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(
      () => new Proxy({}, { get: (_, key) => (key === 'measureText' ? () => ({ width: 10 }) : () => {}) }) as never,
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    fetchSpy.mockReset();
    socketSpy.mockReset();
  });

  it('renders a report that fetches nothing', async () => {
    await renderPage(reportArgs());
    const text = document.body.textContent ?? '';

    expect(text).toContain('llmlocust test report');
    expect(text).toContain('scenarios/openai_chat.lua');
    expect(text).toContain('1 minute and 5 seconds');
    expect(text).toContain('HTTP 500');
    expect(text).toContain('Ratio per class');
    expect(text).toContain('100.0% ChatUser');
    expect(text).not.toContain('Total ratio'); // empty in the fixture
    expect(text).toContain('LLM Statistics');
    expect(text).toContain('Aggregated');
    expect(text).toContain('Latency details');
    expect(document.querySelector('[data-testid="saturation-warning"]')?.textContent).toContain('saturated');
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(socketSpy).not.toHaveBeenCalled();
  });

  it('draws a sweep in the report: one point per step and percentile, and its step table', async () => {
    const timing = (p50: number, p99: number) => ({ mean: p50, min: p50, max: p99, p50, p99 });
    const step = (value: number, rps: number, ttft: number) => ({
      value, users: 16, rate: value, start_s: 0, duration_s: 30, requests: 40, failures: 0, rps, output_tokens_per_s: rps * 64,
      ttft_ms: timing(ttft, ttft * 2), tpot_ms: timing(20, 30), itl_ms: timing(20, 30), e2e_ms: timing(1000, 2000), lag_ms: timing(0.1, 0.3),
      goodput: { requests: 40, good_requests: 36, fraction: 0.9, requests_per_s: rps * 0.9, output_tokens_per_s: 1 },
    });
    const sweep = { mode: 'rate', step_time_s: 30, running: false, current: null, steps: [step(2, 1.4, 200), step(4, 3.6, 235), step(8, 6.6, 15290)] };
    await renderPage({ ...reportArgs(), sweep });

    const chart = document.querySelector('[data-testid="sweep-chart"]');
    expect(chart?.getAttribute('data-points')).toBe('6');
    expect([...(chart?.querySelectorAll('[data-curve]') ?? [])].map(c => c.getAttribute('data-curve'))).toEqual(['p50', 'p99']);
    const text = document.body.textContent ?? '';
    expect(text).toContain('Sweep over request rates, 30 s a step');
    expect(text).toContain('8 req/s');
    expect(text).toContain('15290.0');
    expect(text).toContain('90.0%');
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('leaves the sweep out of a report without one', async () => {
    await renderPage(reportArgs());
    expect(document.querySelector('[data-testid="sweep-chart"]')).toBeNull();
  });

  it('keeps the LLM history out of what locust-ui reads', async () => {
    await renderPage(reportArgs());
    expect(window.templateArgs).not.toHaveProperty('llm');
    expect(window.templateArgs).toHaveProperty('llm_report');
  });

  it('shows the live dashboard with the LLM tab after Charts, fed by the websocket', async () => {
    window.history.replaceState(null, '', '/load/?tab=llm');
    fetchSpy.mockRejectedValue(new Error('no server in this test'));
    // Node's Request rejects the relative routes locust-ui asks for; the page's address resolves them.
    vi.stubGlobal('Request', class {
      readonly url: string;
      constructor(url: string) {
        this.url = new URL(url, window.location.href).toString();
      }
    });
    await renderPage({ state: 'running', percentiles_to_chart: [0.5, 0.95], llm: { points: [point(0)], requests: [] } });

    const tabs = [...document.querySelectorAll('[role="tab"]')].map(tab => tab.textContent);
    expect(tabs.slice(0, 4)).toEqual(['Statistics', 'Charts', 'LLM', 'Sweep']);
    expect(document.body.textContent).toContain('Connecting to the live feed');
    expect(socketSpy).toHaveBeenCalledWith(`ws://${window.location.host}/load/ws/llm`);
    window.history.replaceState(null, '', '/');
  });

  it('polls the sweep in its tab, under the page\'s base path', async () => {
    window.history.replaceState(null, '', '/load/?tab=sweep');
    fetchSpy.mockRejectedValue(new Error('no server in this test'));
    vi.stubGlobal('Request', class {
      readonly url: string;
      constructor(url: string) {
        this.url = new URL(url, window.location.href).toString();
      }
    });
    await renderPage({ state: 'stopped', percentiles_to_chart: [0.5, 0.95], llm: { points: [], requests: [] } });

    expect(document.querySelector('[data-testid="sweep-empty"]')?.textContent).toContain('Start one from the form');
    const asked = fetchSpy.mock.calls.map(call => String(call[0]));
    expect(asked).toContain(`http://${window.location.host}/load/llm/sweep`);
    window.history.replaceState(null, '', '/');
  });

  it('lists the LLM downloads the server names in the Download Data tab', async () => {
    window.history.replaceState(null, '', '/?tab=reports');
    fetchSpy.mockRejectedValue(new Error('no server in this test'));
    vi.stubGlobal('Request', class {
      readonly url: string;
      constructor(url: string) {
        this.url = new URL(url, window.location.href).toString();
      }
    });
    const extended_csv_files = [
      { href: './stats/llm/csv', title: 'Download LLM stats CSV' },
      { href: './stats/llm/history/csv', title: 'Download LLM stats history CSV' },
    ];
    await renderPage({ state: 'stopped', percentiles_to_chart: [0.5, 0.95], extended_csv_files, llm: { points: [], requests: [] } });

    const links = Object.fromEntries([...document.querySelectorAll('a')].map(a => [a.textContent, a.getAttribute('href')]));
    expect(links).toMatchObject({
      'Download requests CSV': './stats/requests/csv',
      'Download LLM stats CSV': './stats/llm/csv',
      'Download LLM stats history CSV': './stats/llm/history/csv',
    });
    window.history.replaceState(null, '', '/');
  });

  it('says what it is when the server did not fill it in', async () => {
    await renderPage(undefined);
    expect(document.body.textContent).toContain('llmlocust fills it in when it serves it');
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(socketSpy).not.toHaveBeenCalled();
  });
});
