// The end-to-end test's own guard: without Chromium or playwright-core it
// must fail under CI=true and, elsewhere, skip with a loud "SKIPPED:" line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const e2eDir = path.resolve(import.meta.dirname);

// A copy of the test where no node_modules can be found: playwright-core
// does not load.
const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'llmlocust-e2e-guard-'));
for (const file of ['ui.e2e.mjs', 'probes.mjs']) {
  fs.copyFileSync(path.join(e2eDir, file), path.join(bare, file));
}
afterAll(() => fs.rmSync(bare, { recursive: true, force: true }));

// runE2E runs the test as `make test` does; its standard error goes to a
// file, as a terminal, a pipe or a log would take it.
function runE2E(dir: string, env: Record<string, string | undefined>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'CI' && !key.startsWith('NODE_')));
  fs.rmSync(path.join(bare, 'skips.txt'), { force: true });
  const errFile = path.join(bare, 'stderr.txt');
  const errFd = fs.openSync(errFile, 'w');
  try {
    const run = spawnSync(process.execPath, ['--test', path.join(dir, 'ui.e2e.mjs')], {
      env: { ...clean, E2E_ARTIFACTS: path.join(bare, 'artifacts'), LLMLOCUST_SKIPS: path.join(bare, 'skips.txt'), ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', errFd],
      timeout: 60_000,
    });
    const stderr = fs.readFileSync(errFile, 'utf8');
    return { code: run.status, stderr, out: run.stdout + stderr };
  } finally {
    fs.closeSync(errFd);
  }
}

const cases = [
  // Any existing file passes for the binary: the test stops before running it.
  { name: 'no Chromium', dir: e2eDir, env: { CHROMIUM: path.join(bare, 'no-chromium'), LLMLOCUST_BIN: process.execPath }, why: /chromium is missing/ },
  { name: 'no playwright-core', dir: bare, env: {}, why: /playwright-core cannot be loaded/ },
];

describe('the end-to-end test without what it needs', { timeout: 60_000 }, () => {
  it.each(cases)('$name: skips loudly outside CI', ({ dir, env, why }) => {
    const run = runE2E(dir, env);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/SKIPPED:/);
    const listed = fs.readFileSync(path.join(bare, 'skips.txt'), 'utf8');
    expect(listed, run.out).toMatch(why);
  });

  it.each(cases)('$name: fails under CI=true', ({ dir, env, why }) => {
    const run = runE2E(dir, { ...env, CI: 'true' });
    expect(run.code, run.out).not.toBe(0);
    expect(run.out).toMatch(why);
    expect(run.stderr).not.toMatch(/^SKIPPED:/m);
    expect(fs.existsSync(path.join(bare, 'skips.txt')) && fs.readFileSync(path.join(bare, 'skips.txt'), 'utf8')).toBeFalsy();
  });
});
