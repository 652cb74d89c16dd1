import { useEffect, useMemo, useState } from 'react';
import LocustUi, { baseTabs, locustStore, type ITab } from 'locust-ui';

import type { LlmData } from './buffers';
import LlmTab, { LiveLlmContext } from './components/LlmTab';
import { makeSweepTab } from './components/SweepTab';
import type { CsvLink } from './downloads';
import { keepSubmittedOptions } from './form-sync';
import { LiveFeed, type FeedDeps, type FeedStatus, type FeedUrls } from './feed';
import type { SweepView } from './wire';

/** Our tabs sit right after Locust's own charts: LLM, then Sweep. */
export function dashboardTabs(base: readonly ITab[], sweepTab: ITab['component']): ITab[] {
  const tabs = [...base];
  const charts = tabs.findIndex(tab => tab.key === 'charts');
  tabs.splice(charts + 1, 0, { key: 'llm', title: 'LLM', component: LlmTab }, { key: 'sweep', title: 'Sweep', component: sweepTab });
  return tabs;
}

function browserDeps(): FeedDeps {
  return {
    openSocket: url => new WebSocket(url),
    fetchJson: async url => {
      const response = await fetch(url, window.baseUrl ? { credentials: 'include' } : undefined);
      if (!response.ok) {
        throw new Error(`GET ${url}: ${response.status}`);
      }
      return response.json();
    },
  };
}

function storedThemeChoice(): boolean {
  try {
    return 'theme' in localStorage;
  } catch {
    return false;
  }
}

/**
 * The live dashboard: locust-ui's, with the LLM tab fed by the websocket or
 * polling, and the LLM downloads in its Download Data tab.
 */
export default function LiveApp({ data, urls, theme, downloads, sweep, sweepUrl }: {
  data: LlmData;
  urls: FeedUrls;
  theme: 'dark' | 'light' | null;
  downloads: CsvLink[];
  sweep: SweepView;
  sweepUrl: string;
}) {
  const [status, setStatus] = useState<FeedStatus>('stopped');
  // The tab is made once: locust-ui remounts a tab whose component changes.
  const tabs = useMemo(() => {
    const { fetchJson } = browserDeps();
    return dashboardTabs(baseTabs, makeSweepTab(sweep, () => fetchJson(sweepUrl)));
  }, [sweep, sweepUrl]);

  useEffect(() => {
    const feed = new LiveFeed(data, urls, browserDeps(), setStatus);
    feed.start();
    return () => feed.stop();
  }, [data, urls]);

  // locust-ui picks the theme from the user's last toggle or the system; a
  // theme the server asks for replaces only the system default. This effect
  // runs after locust-ui's own, which sets its initial theme on mount.
  useEffect(() => {
    if (theme && !storedThemeChoice()) {
      locustStore.dispatch({ type: 'theme/setIsDarkMode', payload: theme === 'dark' });
    }
  }, [theme]);

  useEffect(() => keepSubmittedOptions(locustStore), []);

  const live = useMemo(() => ({ data, status }), [data, status]);

  return (
    <LiveLlmContext.Provider value={live}>
      {/* locust-ui replaces the extended_csv_files it read from templateArgs with this prop, so it must be given. */}
      <LocustUi extendedReports={downloads} tabs={tabs} />
    </LiveLlmContext.Provider>
  );
}
