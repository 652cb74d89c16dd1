// End-to-end test of the web UI in Debian's headless Chromium, driven by
// playwright-core: start llmlocust on a scenario against its built-in
// simulated LLM server, fill the form, start a swarm, see the LLM charts
// draw, edit the user count and spawn rate, reload and find the Edit dialog
// showing the running test's settings, check the charts' time axes and the
// LLM table's width, stop, download the CSVs and the report, open the report
// from disk. Any browser console error fails the test; screenshots are saved
// as artifacts.
//
// Without Chromium or playwright-core the test cannot run: under CI=true
// that fails it; elsewhere it is skipped, with a line starting "SKIPPED:" on
// standard error so that the skip is not mistaken for a pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { lastColumnReachable, overflowProblems, recordCanvasText, timeAxisProblems } from './probes.mjs';

const root = path.resolve(import.meta.dirname, '../../..');
const bin = process.env.LLMLOCUST_BIN || path.join(root, 'bin', 'llmlocust');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = process.env.E2E_ARTIFACTS || path.join(root, 'webui', 'frontend', 'e2e', 'artifacts');
const secret = 'sk-e2e-do-not-leak-4242';
const inCI = /^(true|1|yes)$/i.test(process.env.CI ?? '');

// The run lasts this long before the charts' axes are checked: a 30-second
// run is where time labels used to pile up.
const RUN_BEFORE_AXIS_CHECK_MS = 32000;

// playwright is playwright-core's chromium launcher, or why it is missing.
async function loadPlaywright() {
  try {
    return { chromium: (await import('playwright-core')).chromium };
  } catch (err) {
    return { why: `playwright-core cannot be loaded (npm ci in webui/frontend): ${err.message}` };
  }
}

// announceSkip says why the test did not run: on standard error and, when
// LLMLOCUST_SKIPS names a file (make test sets it), in that file too, which
// make test prints at its end so that no skip passes unseen.
function announceSkip(line) {
  if (process.env.LLMLOCUST_SKIPS) fs.appendFileSync(process.env.LLMLOCUST_SKIPS, `ui.e2e.mjs: ${line.replace(/^SKIPPED: /, '')}`);
  process.stderr.write(line);
}

function missingFiles() {
  for (const [what, file] of [['the llmlocust binary (make build)', bin], ['chromium', chromiumPath]]) {
    if (!fs.existsSync(file)) return `${what} is missing: ${file}`;
  }
  return '';
}

// chromiumOrSkip is playwright's chromium, or null when what the test
// needs is missing: then under CI the test fails, elsewhere it is skipped
// and the skip announced.
async function chromiumOrSkip(t, what) {
  const { chromium, why: noPlaywright } = await loadPlaywright();
  const why = noPlaywright || missingFiles();
  if (!why) return chromium;
  if (inCI) assert.fail(`CI must have what the end-to-end test needs: ${why}`);
  announceSkip(`SKIPPED: ${what}: ${why}\n`);
  t.skip(why);
  return null;
}

// launchChromium starts Debian's Chromium headless, quiet on the network.
function launchChromium(chromium) {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// collectErrors keeps the page's console errors and uncaught exceptions.
function collectErrors(page, errors, prefix = '') {
  page.on('console', m => { if (m.type() === 'error') errors.push(prefix + m.text()); });
  page.on('pageerror', e => errors.push(prefix + String(e)));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

// startLlmlocust runs the binary's web UI and resolves once it listens.
async function startLlmlocust(port, csvPrefix) {
  const proc = spawn(bin, [
    '-f', 'scenarios/openai_chat.lua', '-H', 'mock', '--web-port', String(port),
    '--prompt-tokens', '32', '--max-tokens', '16', '--api-key', secret, '--csv', csvPrefix,
  ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`llmlocust did not start:\n${log}`)), 20000);
    proc.stderr.on('data', d => {
      log += d;
      if (log.includes('Starting web interface')) { clearTimeout(timer); resolve(); }
    });
    proc.on('exit', code => { clearTimeout(timer); reject(new Error(`llmlocust exited (${code}):\n${log}`)); });
  });
  proc.stderr.on('data', d => { log += d; });
  return { proc, log: () => log };
}

async function chartPoints(page, title) {
  return page.$eval(`[data-testid=llm-chart][data-title="${title}"]`, el => Number(el.dataset.points));
}

async function statsOf(page, base) {
  return (await page.request.get(base + 'stats/requests')).json();
}

// waitForStats polls /stats/requests until ok(stats) holds.
async function waitForStats(page, base, what, ok, timeout = 30000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const stats = await statsOf(page, base);
    if (ok(stats)) return stats;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await page.waitForTimeout(250);
  }
}

// download clicks a link of the Download Data tab and returns the file's text.
async function download(page, linkText, file) {
  const link = page.getByRole('link', { name: linkText, exact: true });
  await link.first().waitFor({ timeout: 10000 }).catch(() => {});
  assert.equal(await link.count(), 1, `the Download Data tab has no "${linkText}" link`);
  const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const to = path.join(artifacts, file);
  await dl.saveAs(to);
  return fs.readFileSync(to, 'utf8');
}

// checkLayout: at the page's width nothing runs past the right edge (the
// LLM table fits), and every chart's time labels stand apart.
async function checkLayout(page, selector, where) {
  assert.deepEqual(await page.evaluate(overflowProblems, { selector, reachable: false }), [], `${where}: past the right edge at 1400 px`);
  assert.deepEqual(await page.evaluate(timeAxisProblems), [], `${where}: time axis labels`);
}

// checkNarrow: on a narrower screen the LLM table scrolls inside its own
// box, which keeps its last column reachable, and nothing else overflows.
async function checkNarrow(page, selector, where) {
  await page.setViewportSize({ width: 900, height: 1000 });
  await page.waitForTimeout(500);
  assert.deepEqual(await page.evaluate(overflowProblems, { selector, reachable: true }), [], `${where}: past the right edge at 900 px`);
  assert.deepEqual(await page.evaluate(lastColumnReachable), { scrolls: true, visible: true }, `${where}: the LLM table at 900 px`);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.waitForTimeout(500);
}

// reloadAndCheckEdit reloads the page while the test runs: the Edit dialog
// must offer the running test's user count, spawn rate and options.
async function reloadAndCheckEdit(page, want) {
  await page.reload();
  await page.getByRole('button', { name: 'Edit' }).click();
  // locust-ui's Modal is MUI's, which has no dialog role.
  const dialog = page.locator('.MuiModal-root').last();
  await dialog.getByRole('button', { name: 'Custom parameters' }).click();
  await dialog.locator('input[name=maxTokens]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(artifacts, 'edit-after-reload.png') });
  const got = {
    userCount: await dialog.locator('input[name=userCount]').inputValue(),
    spawnRate: await dialog.locator('input[name=spawnRate]').inputValue(),
    maxTokens: await dialog.locator('input[name=maxTokens]').inputValue(),
  };
  assert.deepEqual(got, want, 'the Edit dialog after a reload');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
}

test('a swarm from the web UI, with live LLM charts, an edit, a reload, a stop and the downloads', { timeout: 240000 }, async t => {
  const chromium = await chromiumOrSkip(t, 'web UI end-to-end test');
  if (!chromium) return;
  fs.mkdirSync(artifacts, { recursive: true });
  const csvDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmlocust-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/`;
  const app = await startLlmlocust(port, path.join(csvDir, 'run'));
  const browser = await launchChromium(chromium);
  const errors = [];
  try {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    await context.addInitScript(recordCanvasText);
    const page = await context.newPage();
    collectErrors(page, errors);

    await page.goto(base);
    await page.fill('input[name=userCount]', '6');
    await page.fill('input[name=spawnRate]', '6');
    await page.getByRole('button', { name: 'Custom parameters' }).click();
    assert.equal(await page.inputValue('input[name=apiKey]'), '', 'the form shows a secret option');
    await page.fill('input[name=maxTokens]', '12');
    await page.screenshot({ path: path.join(artifacts, 'form.png') });
    await page.click('button[type=submit]');
    const started = Date.now();

    // The stats table gets its rows.
    await page.getByRole('cell', { name: 'chat', exact: true }).first().waitFor({ timeout: 30000 });
    await page.screenshot({ path: path.join(artifacts, 'statistics.png') });

    // The LLM charts draw points, live.
    await page.getByRole('tab', { name: 'LLM' }).click();
    await page.waitForFunction(() => {
      const charts = [...document.querySelectorAll('[data-testid=llm-chart]')];
      const ttft = charts.find(c => c.dataset.title === 'Time to first token (ms)');
      return ttft && Number(ttft.dataset.points) >= 3;
    }, null, { timeout: 60000 });
    assert.ok(await chartPoints(page, 'Output tokens per second and users') >= 3);
    assert.ok(await chartPoints(page, 'Time to first token of each request (ms)') >= 3);

    // Locust's own tabs render against our server.
    await page.getByRole('tab', { name: 'Charts', exact: true }).click();
    await page.locator('canvas').first().waitFor({ timeout: 30000 });
    await page.screenshot({ path: path.join(artifacts, 'charts.png') });
    await page.getByRole('tab', { name: 'Failures' }).click();
    await page.getByRole('columnheader', { name: 'Message' }).first().waitFor({ timeout: 30000 });

    // Edit the running swarm: more users at another rate and another
    // option value; the stats are kept.
    const before = await statsOf(page, base);
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.locator('.MuiModal-root').last();
    await edit.locator('input[name=userCount]').fill('9');
    await edit.locator('input[name=spawnRate]').fill('4');
    await edit.getByRole('button', { name: 'Custom parameters' }).click();
    assert.equal(await edit.locator('input[name=maxTokens]').inputValue(), '12', 'the Edit dialog offers the options the test started with');
    await edit.locator('input[name=maxTokens]').fill('10');
    await edit.locator('button[type=submit]').click();
    const after = await waitForStats(page, base, '9 users', s => s.user_count === 9);
    assert.ok(after.stats.at(-1).num_requests >= before.stats.at(-1).num_requests, 'editing cleared the stats');

    await reloadAndCheckEdit(page, { userCount: '9', spawnRate: '4', maxTokens: '10' });

    // Half a minute in, the charts' time axes are full: their labels must
    // stand apart, and the LLM tab must fit the page.
    await page.waitForTimeout(Math.max(0, started + RUN_BEFORE_AXIS_CHECK_MS - Date.now()));
    await page.getByRole('tab', { name: 'LLM' }).click();
    await page.getByText('Latency details').waitFor({ timeout: 30000 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: path.join(artifacts, 'llm-tab.png'), fullPage: true });
    await checkLayout(page, 'main', 'the LLM tab');
    await checkNarrow(page, 'main', 'the LLM tab');

    // Stop.
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByText('STOPPED').first().waitFor({ timeout: 30000 });

    // Downloads: Locust's requests CSV, the LLM stats and their history, the report.
    await page.getByRole('tab', { name: 'Download Data' }).click();
    const csvText = await download(page, 'Download requests CSV', 'requests.csv');
    assert.match(csvText, /^Type,Name,Request Count,Failure Count,/);
    assert.match(csvText, /POST,chat,/);
    const llmCsv = await download(page, 'Download LLM stats CSV', 'llm_stats.csv');
    assert.match(llmCsv, /^Type,Name,Request Count,Failure Count,Output Tokens,Input Tokens,.*,TTFT Mean,/);
    assert.match(llmCsv, /\nPOST,chat,\d+,/);
    const historyCsv = await download(page, 'Download LLM stats history CSV', 'llm_stats_history.csv');
    assert.match(historyCsv, /^Timestamp,User Count,Type,Name,Output Tokens\/s,TTFT 50%,TTFT 95%,/);
    assert.match(historyCsv, /\n\d+,\d+,,Aggregated,/);

    const reportPage = await context.newPage();
    const reportURL = base + 'stats/report?download=1';
    const [report] = await Promise.all([
      reportPage.waitForEvent('download'),
      reportPage.evaluate(url => { const a = document.createElement('a'); a.href = url; a.click(); }, reportURL).catch(() => reportPage.goto(reportURL).catch(() => {})),
    ]);
    const reportPath = path.join(artifacts, 'report.html');
    await report.saveAs(reportPath);
    const html = fs.readFileSync(reportPath, 'utf8');
    for (const text of [csvText, llmCsv, historyCsv, html, app.log()]) {
      assert.ok(!text.includes(secret), 'the API key leaked');
    }

    // The report opens from disk, with no server and no network.
    const offline = await context.newPage();
    const requests = [];
    offline.on('request', r => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
    offline.on('console', m => { if (m.type() === 'error') errors.push('report: ' + m.text()); });
    offline.on('pageerror', e => errors.push('report: ' + String(e)));
    await offline.goto('file://' + reportPath);
    await offline.getByText('Aggregated').first().waitFor({ timeout: 30000 });
    await offline.waitForFunction(() => document.querySelectorAll('[data-testid=llm-chart]').length > 0, null, { timeout: 30000 });
    await offline.waitForTimeout(1500);
    await offline.screenshot({ path: path.join(artifacts, 'report.png'), fullPage: true });
    await checkLayout(offline, 'body', 'the report');
    await checkNarrow(offline, 'body', 'the report');
    assert.deepEqual(requests, [], 'the report fetched from the network');
  } finally {
    await browser.close();
    app.proc.kill('SIGTERM');
    fs.rmSync(csvDir, { recursive: true, force: true });
  }
  assert.deepEqual(errors, [], 'the browser console showed errors');
});

// startSimulator runs the built-in simulated LLM server on its own, serving
// two requests at once, so that latency rises as a sweep adds users.
async function startSimulator(port) {
  const proc = spawn(bin, ['mock', '--port', String(port), '--max-concurrent', '2', '--itl-load-factor', '0.5'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    const up = await new Promise(resolve => {
      const sock = net.connect(port, '127.0.0.1', () => { sock.end(); resolve(true); });
      sock.on('error', () => resolve(false));
    });
    if (up) return { proc, url };
    assert.ok(Date.now() < deadline, 'the simulator did not start');
    await new Promise(r => setTimeout(r, 200));
  }
}

const SWEEP_STEPS = 4;

test('a sweep started from the form, drawn in its tab and in the report', { timeout: 180000 }, async t => {
  const chromium = await chromiumOrSkip(t, 'web UI sweep end-to-end test');
  if (!chromium) return;
  fs.mkdirSync(artifacts, { recursive: true });
  const sim = await startSimulator(await freePort());
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/`;
  const proc = spawn(bin, ['-f', 'scenarios/openai_chat.lua', '-H', sim.url, '--web-port', String(port),
    '--prompt-tokens', '32', '--max-tokens', '24'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stderr.on('data', d => { log += d; });
  const browser = await launchChromium(chromium);
  const errors = [];
  try {
    await waitForLog(() => log, 'Starting web interface', 'llmlocust did not start');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    collectErrors(page, errors);

    await page.goto(base);
    await page.fill('input[name=userCount]', '8');
    await page.fill('input[name=spawnRate]', '8');
    await page.getByRole('button', { name: 'Custom parameters' }).click();
    assert.equal(await page.inputValue('input[name=stepTime]'), '60s', 'the form offers the default step time');
    await page.fill('input[name=sweep]', 'users=1,2,4,8');
    await page.fill('input[name=stepTime]', '6s');
    await page.click('button[type=submit]');

    // The Sweep tab follows the steps as they run, then shows them all.
    await page.getByRole('tab', { name: 'Sweep' }).click();
    await page.getByTestId('sweep-chart').waitFor({ timeout: 30000 });
    await page.getByText(/step \d of \d running/).first().waitFor({ timeout: 30000 });
    const done = Date.now() + 90000;
    for (;;) {
      const sweep = await (await page.request.get(base + 'llm/sweep')).json();
      if (!sweep.running && sweep.steps.length === SWEEP_STEPS) {
        assert.equal(sweep.mode, 'users');
        const ttft = sweep.steps.map(s => s.ttft_ms.p50);
        assert.ok(ttft[SWEEP_STEPS - 1] > ttft[0], `TTFT p50 did not rise over the sweep: ${ttft}`);
        break;
      }
      assert.ok(Date.now() < done, 'the sweep did not finish');
      await page.waitForTimeout(500);
    }
    // One point per step on each of the run's four percentiles, once the
    // tab has polled the last step.
    await page.waitForFunction(n => Number(document.querySelector('[data-testid=sweep-chart]')?.dataset.points) === n,
      SWEEP_STEPS * 4, { timeout: 10000 });
    const curves = await page.$$eval('[data-testid=sweep-chart] [data-curve]', els => els.map(e => e.dataset.curve));
    assert.deepEqual(curves, ['p50', 'p90', 'p95', 'p99']);
    assert.equal(await page.getByText('8 users').count() > 0, true, 'the steps are labelled with their users');
    await page.getByTestId('sweep-tab').screenshot({ path: path.join(artifacts, 'sweep.png') });

    // The report draws the same sweep.
    const report = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    report.on('console', m => { if (m.type() === 'error') errors.push('report: ' + m.text()); });
    await report.goto(base + 'stats/report');
    await report.getByText('Sweep over user counts').waitFor({ timeout: 30000 });
    assert.equal(Number(await report.getByTestId('sweep-chart').getAttribute('data-points')), SWEEP_STEPS * 4);
  } finally {
    await browser.close();
    proc.kill('SIGTERM');
    sim.proc.kill('SIGTERM');
  }
  assert.deepEqual(errors, [], 'the browser console showed errors');
});

// waitForLog waits until a process's log holds text.
async function waitForLog(get, text, what, timeout = 20000) {
  const deadline = Date.now() + timeout;
  while (!get().includes(text)) {
    assert.ok(Date.now() < deadline, `${what}:\n${get()}`);
    await new Promise(r => setTimeout(r, 200));
  }
}

test('a master and two workers, started and watched from the web UI', { timeout: 180000 }, async t => {
  const chromium = await chromiumOrSkip(t, 'web UI distributed end-to-end test');
  if (!chromium) return;
  fs.mkdirSync(artifacts, { recursive: true });
  const sim = await startSimulator(await freePort());
  const port = await freePort();
  const masterPort = String(await freePort());
  const base = `http://127.0.0.1:${port}/`;
  const procs = [];
  const run = args => {
    const proc = spawn(bin, ['-f', 'scenarios/openai_chat.lua', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const p = { proc, log: '' };
    proc.stderr.on('data', d => { p.log += d; });
    procs.push(p);
    return p;
  };
  const master = run(['--master', '--master-bind-host', '127.0.0.1', '--master-bind-port', masterPort,
    '-H', sim.url, '--web-port', String(port)]);
  const browser = await launchChromium(chromium);
  const errors = [];
  try {
    await waitForLog(() => master.log, 'Starting web interface', 'the master did not start');
    for (let i = 0; i < 2; i++) run(['--worker', '--master-port', masterPort, '--max-tokens', '12']);
    await waitForLog(() => master.log, '(index 1) connected', 'the workers did not connect');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    collectErrors(page, errors);

    await page.goto(base);
    await page.fill('input[name=userCount]', '4');
    await page.fill('input[name=spawnRate]', '4');
    await page.click('button[type=submit]');

    // The Workers tab lists both workers running two users each.
    await page.getByRole('tab', { name: 'Workers' }).click();
    const stats = await waitForStats(page, base, 'both workers running',
      s => s.worker_count === 2 && s.workers.every(w => w.state === 'running' && w.user_count === 2));
    for (const w of stats.workers) {
      await page.getByRole('cell', { name: w.id }).waitFor({ timeout: 30000 });
    }
    await page.waitForFunction(() => [...document.querySelectorAll('td')].filter(td => td.textContent === 'running').length === 2,
      null, { timeout: 30000 });
    await page.screenshot({ path: path.join(artifacts, 'workers.png') });

    // The LLM tab charts what the workers measured.
    await page.getByRole('tab', { name: 'LLM' }).click();
    await page.waitForFunction(() => {
      const ttft = [...document.querySelectorAll('[data-testid=llm-chart]')].find(c => c.dataset.title === 'Time to first token (ms)');
      return ttft && Number(ttft.dataset.points) >= 3;
    }, null, { timeout: 60000 });
    const merged = await statsOf(page, base);
    assert.ok(merged.stats.at(-1).num_requests > 0, 'the master counts no request');
    assert.ok(merged.llm.total.ttft_ms.p50 > 150, `TTFT p50 ${merged.llm.total.ttft_ms.p50}`);

    await page.getByRole('button', { name: 'Stop' }).click();
    await waitForStats(page, base, 'the workers ready again', s => s.state === 'stopped' && s.workers.every(w => w.state === 'ready'));
  } finally {
    await browser.close();
    for (const p of procs) p.proc.kill('SIGTERM');
    sim.proc.kill('SIGTERM');
  }
  assert.deepEqual(errors, [], 'the browser console showed errors');
});
