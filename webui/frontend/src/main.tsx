// page-args must be the first import: it takes the LLM history out of
// window.templateArgs before locust-ui, imported below, copies the rest.
import { args, initialPoints, initialRequests, mode } from './page-args';

import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { locustStore } from 'locust-ui';

import { LlmData } from './buffers';
import { csvLinks } from './downloads';
import LiveApp from './LiveApp';
import { requestedTheme, systemPrefersDark } from './mode';
import Report from './Report';
import { asSweep } from './sweep';
import { apiUrl, socketUrl } from './urls';

function storedTheme(): 'dark' | 'light' | null {
  try {
    return requestedTheme(localStorage.getItem('theme'));
  } catch {
    return null;
  }
}

function Unfilled() {
  return (
    <p style={{ fontFamily: 'sans-serif', margin: '2em' }}>
      This page is the llmlocust web UI template. llmlocust fills it in when it serves it: start llmlocust and open
      the address it prints.
    </p>
  );
}

function renderReport() {
  const isDarkMode = (requestedTheme(window.theme) ?? storedTheme() ?? (systemPrefersDark() ? 'dark' : 'light')) === 'dark';
  locustStore.dispatch({ type: 'theme/setIsDarkMode', payload: isDarkMode });
  return (
    <Provider store={locustStore}>
      <Report args={args} isDarkMode={isDarkMode} points={initialPoints} requests={initialRequests} />
    </Provider>
  );
}

function renderLive() {
  const location = window.location.href;
  const urls = {
    socket: socketUrl(args.llm?.ws_path ?? 'ws/llm', location, window.baseUrl),
    points: apiUrl(args.llm?.points_path ?? 'llm/points', location, window.baseUrl),
  };
  const data = new LlmData(initialPoints, initialRequests);
  return (
    <LiveApp
      data={data}
      downloads={csvLinks(args.extended_csv_files)}
      sweep={asSweep(args.sweep)}
      sweepUrl={apiUrl('llm/sweep', location, window.baseUrl)}
      theme={requestedTheme(window.theme)}
      urls={urls}
    />
  );
}

const root = createRoot(document.getElementById('root') as HTMLElement);
root.render(mode === 'report' ? renderReport() : mode === 'live' ? renderLive() : <Unfilled />);
