// End-to-end test of the web UI in Debian's headless Chromium, driven by
// playwright-core: start llmlocust on a scenario against its built-in
// simulated LLM server, fill the form, start a swarm, see the LLM charts
// draw, edit the user count, stop, download a CSV and the report, open the
// report from disk. Any browser console error fails the test; screenshots
// are saved as artifacts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '../../..');
const bin = process.env.LLMLOCUST_BIN || path.join(root, 'bin', 'llmlocust');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = process.env.E2E_ARTIFACTS || path.join(root, 'webui', 'frontend', 'e2e', 'artifacts');
const secret = 'sk-e2e-do-not-leak-4242';

function missing() {
  for (const [what, file] of [['the llmlocust binary (make build)', bin], ['chromium', chromiumPath]]) {
    if (!fs.existsSync(file)) return `${what} is missing: ${file}`;
  }
  return '';
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
async function startLlmlocust(port) {
  const proc = spawn(bin, [
    '-f', 'scenarios/openai_chat.lua', '-H', 'mock', '--web-port', String(port),
    '--prompt-tokens', '32', '--max-tokens', '16', '--api-key', secret,
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

test('a swarm from the web UI, with live LLM charts, an edit, a stop and the downloads', { timeout: 180000 }, async t => {
  const why = missing();
  if (why) {
    if (process.env.CI) assert.fail(`CI must have what the end-to-end test needs: ${why}`);
    t.skip(why);
    return;
  }
  fs.mkdirSync(artifacts, { recursive: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/`;
  const app = await startLlmlocust(port);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const errors = [];
  try {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', e => errors.push(String(e)));

    await page.goto(base);
    await page.fill('input[name=userCount]', '6');
    await page.fill('input[name=spawnRate]', '6');
    await page.getByRole('button', { name: 'Custom parameters' }).click();
    assert.equal(await page.inputValue('input[name=apiKey]'), '', 'the form shows a secret option');
    await page.fill('input[name=maxTokens]', '16');
    await page.screenshot({ path: path.join(artifacts, 'form.png') });
    await page.click('button[type=submit]');

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
    await page.screenshot({ path: path.join(artifacts, 'llm-tab.png'), fullPage: true });

    // Locust's own tabs render against our server.
    await page.getByRole('tab', { name: 'Charts', exact: true }).click();
    await page.locator('canvas').first().waitFor({ timeout: 30000 });
    await page.screenshot({ path: path.join(artifacts, 'charts.png') });
    await page.getByRole('tab', { name: 'Failures' }).click();
    await page.getByRole('columnheader', { name: 'Message' }).first().waitFor({ timeout: 30000 });

    // Edit the running swarm: more users, the stats are kept.
    const before = await (await page.request.get(base + 'stats/requests')).json();
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.locator('input[name=userCount]').last().fill('9');
    await page.locator('button[type=submit]').last().click();
    await page.waitForFunction(async url => (await (await fetch(url)).json()).user_count === 9, base + 'stats/requests', { timeout: 30000, polling: 500 });
    const after = await (await page.request.get(base + 'stats/requests')).json();
    assert.ok(after.stats.at(-1).num_requests >= before.stats.at(-1).num_requests, 'editing cleared the stats');

    // Stop.
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByText('STOPPED').first().waitFor({ timeout: 30000 });

    // Downloads: a CSV and the report.
    await page.getByRole('tab', { name: 'Download Data' }).click();
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByText('Download requests CSV').click()]);
    const csvPath = path.join(artifacts, 'requests.csv');
    await csv.saveAs(csvPath);
    const csvText = fs.readFileSync(csvPath, 'utf8');
    assert.match(csvText, /^Type,Name,Request Count,Failure Count,/);
    assert.match(csvText, /POST,chat,/);

    const reportPage = await context.newPage();
    const reportURL = base + 'stats/report?download=1';
    const [report] = await Promise.all([
      reportPage.waitForEvent('download'),
      reportPage.evaluate(url => { const a = document.createElement('a'); a.href = url; a.click(); }, reportURL).catch(() => reportPage.goto(reportURL).catch(() => {})),
    ]);
    const reportPath = path.join(artifacts, 'report.html');
    await report.saveAs(reportPath);
    const html = fs.readFileSync(reportPath, 'utf8');
    for (const text of [csvText, html, app.log()]) {
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
    await offline.screenshot({ path: path.join(artifacts, 'report.png'), fullPage: true });
    assert.deepEqual(requests, [], 'the report fetched from the network');
  } finally {
    await browser.close();
    app.proc.kill('SIGTERM');
  }
  assert.deepEqual(errors, [], 'the browser console showed errors');
});
