/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';

import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';

// The Go server fills these placeholders when it serves the page. The dev
// server has no Go behind it, so it fills them from a fixture instead.
const ARGS_PLACEHOLDER = '__LLMLOCUST_TEMPLATE_ARGS__';
const THEME_PLACEHOLDER = '__LLMLOCUST_THEME__';

// Where `npm run dev` sends API calls: a running llmlocust (default port 8089).
const devBackend = process.env.LLMLOCUST_DEV_BACKEND ?? 'http://127.0.0.1:8089';

function devTemplateArgs(): Plugin {
  return {
    name: 'llmlocust-dev-template-args',
    apply: 'serve',
    transformIndexHtml(html) {
      const args = readFileSync(new URL('./dev/template-args.json', import.meta.url), 'utf8');
      return html.replace(ARGS_PLACEHOLDER, args.trim()).replace(THEME_PLACEHOLDER, '""');
    },
  };
}

const apiRoutes = ['/stats', '/swarm', '/stop', '/tasks', '/exceptions', '/logs', '/worker-count', '/llm', '/user'];

export default defineConfig({
  // Relative asset paths, so that the page works under --web-base-path and from disk.
  base: './',
  plugins: [react(), viteSingleFile(), devTemplateArgs()],
  build: {
    outDir: '../dist',
    // dist/ holds a committed .keep file that must survive the build.
    emptyOutDir: false,
    chunkSizeWarningLimit: 4096,
  },
  server: {
    proxy: {
      ...Object.fromEntries(apiRoutes.map(route => [route, devBackend])),
      '/ws': { target: devBackend, ws: true },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}', 'e2e/**/*.test.ts'],
    // locust-ui's bundle require()s React, which Node's ESM loader cannot do;
    // run it through Vite's transform as the browser build does.
    server: { deps: { inline: ['locust-ui'] } },
  },
});
