import { createContext, useContext, useMemo, useSyncExternalStore } from 'react';
import { Box, Typography } from '@mui/material';
import type { IRootState } from 'locust-ui';
import { useSelector } from 'react-redux';

import type { LlmData } from '../buffers';
import type { FeedStatus } from '../feed';
import { asLlmStats, llmStatsInLocustStore, snakeCaseKeys } from '../llm-table';
import LlmCharts from './LlmCharts';
import { LlmDetailTable, LlmStatsTable } from './LlmStatsTables';

/** What the live LLM tab reads: the data held and where it comes from. */
export interface LiveLlm {
  data: LlmData;
  status: FeedStatus;
}

/** Carries the live LLM data down to the tab, which locust-ui renders without props. */
export const LiveLlmContext = createContext<LiveLlm | null>(null);

const STATUS_TEXT: Record<FeedStatus, string> = {
  stopped: 'Live feed stopped.',
  connecting: 'Connecting to the live feed…',
  socket: 'Live over a websocket, one point a second.',
  polling: 'Live by polling every 2 s (the websocket is unavailable).',
};

/** The LLM tab of the live dashboard. */
export default function LlmTab() {
  const live = useContext(LiveLlmContext);
  if (!live) {
    throw new Error('LlmTab needs a LiveLlmContext provider');
  }
  const { points, requests } = useSyncExternalStore(live.data.subscribe, live.data.getSnapshot);
  const isDarkMode = useSelector((state: IRootState) => state.theme.isDarkMode);
  const rawStats = useSelector(llmStatsInLocustStore);
  const stats = useMemo(() => asLlmStats(snakeCaseKeys(rawStats)), [rawStats]);

  return (
    <Box data-testid='llm-tab' sx={{ display: 'flex', flexDirection: 'column', rowGap: 3, pb: 4 }}>
      <LlmStatsTable stats={stats} />
      <LlmCharts isDarkMode={isDarkMode} points={points} requests={requests} />
      <LlmDetailTable stats={stats} />
      <Typography color='text.secondary' variant='caption'>
        {STATUS_TEXT[live.status]}
      </Typography>
    </Box>
  );
}
