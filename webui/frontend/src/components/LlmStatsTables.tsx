import { useMemo } from 'react';
import { Box, Typography } from '@mui/material';
import { Table } from 'locust-ui';

import { DETAIL_COLUMNS, llmColumns, llmDetailRows, llmTableRows } from '../llm-table';
import type { LlmStats } from '../wire';

// The LLM table has twenty-odd columns: with MUI's roomy cells it is wider
// than a laptop screen. Tighter cells let it fit; below that width it
// scrolls sideways inside its own box (locust-ui's table container) instead
// of running off the page, where a report would cut it.
const COMPACT = {
  maxWidth: '100%',
  '& .MuiTableContainer-root': { overflowX: 'auto' },
  '& .MuiTableCell-root': { px: 1, py: 0.75 },
  '& .MuiTableCell-body': { whiteSpace: 'nowrap' },
} as const;

/** The LLM stats table (one row per request name, the total last). */
export function LlmStatsTable({ stats }: { stats: LlmStats | null }) {
  const rows = useMemo(() => (stats ? llmTableRows(stats) : []), [stats]);
  const columns = useMemo(() => (stats ? llmColumns(stats) : []), [stats]);
  if (!stats || rows.length === 0) {
    return <Typography color='text.secondary'>No LLM requests yet.</Typography>;
  }
  return (
    <Box data-testid='llm-stats-table' sx={COMPACT}>
      <Table hasTotalRow={!!stats.total} rows={rows} structure={columns} />
    </Box>
  );
}

/** Mean, min, max and percentiles of every LLM timing, per request name. */
export function LlmDetailTable({ stats }: { stats: LlmStats | null }) {
  const rows = useMemo(() => (stats ? llmDetailRows(stats) : []), [stats]);
  if (rows.length === 0) {
    return null;
  }
  return (
    <Box>
      <Typography component='h3' sx={{ mb: 1 }} variant='h6'>
        Latency details
      </Typography>
      <Box sx={COMPACT}>
        <Table defaultSortKey='order' rows={rows} structure={DETAIL_COLUMNS} />
      </Box>
    </Box>
  );
}
