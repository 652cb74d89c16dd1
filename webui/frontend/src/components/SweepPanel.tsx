import { useState } from 'react';
import { Box, MenuItem, TextField, Typography } from '@mui/material';
import { Table } from 'locust-ui';

import { SWEEP_THROUGHPUTS, SWEEP_TIMINGS, stepLabel, sweepCurves, type SweepThroughput, type SweepTiming } from '../sweep';
import type { StepTiming, SweepView } from '../wire';
import SweepChart from './SweepChart';

const fixed = (v: number | null | undefined, digits = 1) => (v == null ? '—' : v.toFixed(digits));
const at = (t: StepTiming | null, key: string) => fixed(t?.[key]);

/** The steps as a table: what each ran and what it measured. */
function stepRows(view: SweepView) {
  return view.steps.map((s, i) => ({
    step: `${i + 1}${view.current?.index === i ? ' (running)' : ''}`,
    load: stepLabel(view.mode, s),
    requests: s.requests,
    failures: s.failures,
    rps: fixed(s.rps, 2),
    tokens: fixed(s.output_tokens_per_s),
    ttft50: at(s.ttft_ms, 'p50'),
    ttft99: at(s.ttft_ms, 'p99'),
    tpot50: at(s.tpot_ms, 'p50'),
    e2e50: at(s.e2e_ms, 'p50'),
    lag99: at(s.lag_ms, 'p99'),
    goodput: s.goodput ? fixed(s.goodput.requests_per_s, 2) : '—',
    good: s.goodput ? `${(s.goodput.fraction * 100).toFixed(1)}%` : '—',
  }));
}

const STEP_COLUMNS = [
  { key: 'step', title: 'Step' },
  { key: 'load', title: 'Load' },
  { key: 'requests', title: '# Requests' },
  { key: 'failures', title: '# Fails' },
  { key: 'rps', title: 'Req/s' },
  { key: 'tokens', title: 'Output tok/s' },
  { key: 'ttft50', title: 'TTFT p50 (ms)' },
  { key: 'ttft99', title: 'TTFT p99 (ms)' },
  { key: 'tpot50', title: 'TPOT p50 (ms)' },
  { key: 'e2e50', title: 'E2E p50 (ms)' },
  { key: 'lag99', title: 'Lag p99 (ms)' },
  { key: 'goodput', title: 'Goodput (req/s)' },
  { key: 'good', title: 'Good fraction' },
];

/** A sweep's chart, with its timing and throughput chosen, above its step table. */
export default function SweepPanel({ view }: { view: SweepView }) {
  const [timing, setTiming] = useState<SweepTiming>('ttft_ms');
  const [x, setX] = useState<SweepThroughput>('output_tokens_per_s');
  if (view.steps.length === 0) {
    return (
      <Typography color='text.secondary' data-testid='sweep-empty'>
        No sweep in this test. Start one from the form: give a sweep (users=1,2,4,8 or rate=1,2,4,8) and a step time.
      </Typography>
    );
  }
  const timingTitle = SWEEP_TIMINGS.find(t => t.key === timing)?.title ?? timing;
  const xTitle = SWEEP_THROUGHPUTS.find(t => t.key === x)?.title ?? x;
  return (
    <Box data-testid='sweep-panel' sx={{ display: 'flex', flexDirection: 'column', rowGap: 2 }}>
      <Typography variant='h6'>
        Sweep over {view.mode === 'rate' ? 'request rates' : 'user counts'}, {view.step_time_s} s a step
        {view.running && view.current ? `: step ${view.current.index + 1} of ${view.steps.length} running` : ''}
      </Typography>
      <Box sx={{ display: 'flex', columnGap: 2 }}>
        <TextField label='Latency' onChange={e => setTiming(e.target.value as SweepTiming)} select size='small' value={timing}>
          {SWEEP_TIMINGS.map(t => <MenuItem key={t.key} value={t.key}>{t.title}</MenuItem>)}
        </TextField>
        <TextField label='Throughput' onChange={e => setX(e.target.value as SweepThroughput)} select size='small' value={x}>
          {SWEEP_THROUGHPUTS.map(t => <MenuItem key={t.key} value={t.key}>{t.title}</MenuItem>)}
        </TextField>
      </Box>
      <SweepChart curves={sweepCurves(view, timing, x)} xTitle={xTitle} yTitle={`${timingTitle} (ms)`} />
      <Table rows={stepRows(view)} structure={STEP_COLUMNS} />
    </Box>
  );
}
