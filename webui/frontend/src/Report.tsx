import { useEffect, useMemo, type ReactNode } from 'react';
import { Box, Container, CssBaseline, Link, ThemeProvider, Typography } from '@mui/material';
import { Table, useCreateTheme } from 'locust-ui';

import LlmCharts, { SpecChart } from './components/LlmCharts';
import { LlmDetailTable, LlmStatsTable } from './components/LlmStatsTables';
import SweepPanel from './components/SweepPanel';
import { asSweep } from './sweep';
import { asLlmStats } from './llm-table';
import { locustChartSpecs, locustHistorySeries } from './series';
import type { LlmPoint, LlmReq, RatioTree, TemplateArgs } from './wire';

// Locust's own report columns; rates are whole-run averages here.
const REQUEST_COLUMNS = [
  { key: 'method', title: 'Type' },
  { key: 'name', title: 'Name' },
  { key: 'num_requests', title: '# Requests' },
  { key: 'num_failures', title: '# Fails' },
  { key: 'avg_response_time', title: 'Average (ms)', round: 2 },
  { key: 'min_response_time', title: 'Min (ms)' },
  { key: 'max_response_time', title: 'Max (ms)' },
  { key: 'avg_content_length', title: 'Average size (bytes)', round: 2 },
  { key: 'total_rps', title: 'RPS', round: 2 },
  { key: 'total_fail_per_sec', title: 'Failures/s', round: 2 },
];

const FAILURE_COLUMNS = [
  { key: 'method', title: 'Method' },
  { key: 'name', title: 'Name' },
  { key: 'error', title: 'Message' },
  { key: 'occurrences', title: 'Occurrences' },
];

const EXCEPTION_COLUMNS = [
  { key: 'count', title: '# Occurrences' },
  { key: 'msg', title: 'Message' },
  { key: 'traceback', title: 'Traceback' },
  { key: 'nodes', title: 'Nodes' },
];

/** The columns of Locust's response-time table: one per percentile key the rows carry ("0.5" … "1.0"). */
export function responseTimeColumns(rows: readonly Record<string, unknown>[]) {
  const keys = Object.keys(rows[0] ?? {})
    .filter(key => key !== 'method' && key !== 'name' && !Number.isNaN(Number(key)))
    .sort((a, b) => Number(a) - Number(b));
  return [
    { key: 'method', title: 'Method' },
    { key: 'name', title: 'Name' },
    ...keys.map(key => ({ key, title: `${Number((Number(key) * 100).toFixed(2))}%ile (ms)` })),
  ];
}

function formatTime(iso: string | undefined): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box component='section'>
      <Typography component='h2' sx={{ mb: 1 }} variant='h4'>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

function Fact({ label, value }: { label: string; value: ReactNode }) {
  return (
    <Box sx={{ display: 'flex', columnGap: 0.5 }}>
      <Typography sx={{ fontWeight: 600 }}>{label}:</Typography>
      <Typography>{value}</Typography>
    </Box>
  );
}

function Ratios({ tree }: { tree: RatioTree }) {
  return (
    <ul>
      {Object.entries(tree).map(([name, { ratio, tasks }]) => (
        <li key={name}>
          {`${(ratio * 100).toFixed(1)}% ${name}`}
          {tasks && Object.keys(tasks).length > 0 && <Ratios tree={tasks} />}
        </li>
      ))}
    </ul>
  );
}

function FinalRatio({ tasks }: { tasks: TemplateArgs['tasks'] }) {
  if (!tasks || typeof tasks !== 'object') {
    return null;
  }
  const nonEmpty = (tree?: RatioTree) => (tree && Object.keys(tree).length > 0 ? tree : undefined);
  const perClass = nonEmpty(tasks.per_class);
  const total = nonEmpty(tasks.total);
  if (!perClass && !total) {
    return null;
  }
  return (
    <Section title='Final ratio'>
      {perClass && (
        <>
          <Typography variant='h6'>Ratio per class</Typography>
          <Ratios tree={perClass} />
        </>
      )}
      {total && (
        <>
          <Typography variant='h6'>Total ratio</Typography>
          <Ratios tree={total} />
        </>
      )}
    </Section>
  );
}

function Header({ args, theme }: { args: TemplateArgs; theme: string }) {
  return (
    <>
      <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-end' }}>
        <Typography component='h1' sx={{ fontWeight: 700 }} variant='h3'>
          llmlocust test report
        </Typography>
        {args.show_download_link && <Link href={`?download=1&theme=${theme}`}>Download the report</Link>}
      </Box>
      <Box sx={{ my: 2 }}>
        {args.profile && <Fact label='Profile' value={args.profile} />}
        <Fact
          label='During'
          value={`${formatTime(args.start_time)} - ${formatTime(args.end_time)}${args.duration ? ` (${args.duration})` : ''}`}
        />
        <Fact label='Target host' value={args.host || 'None'} />
        <Fact label='Script' value={args.locustfile ?? ''} />
      </Box>
    </>
  );
}

function LocustCharts({ args, isDarkMode }: { args: TemplateArgs; isDarkMode: boolean }) {
  const percentiles = useMemo(() => args.percentiles_to_chart ?? [0.5, 0.95], [args.percentiles_to_chart]);
  const specs = useMemo(() => locustChartSpecs(percentiles), [percentiles]);
  const series = useMemo(() => locustHistorySeries(args.history ?? [], percentiles), [args.history, percentiles]);
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '1fr 1fr' }, gap: 2 }}>
      {specs.map(spec => (
        <SpecChart isDarkMode={isDarkMode} key={spec.title} series={series} spec={spec} />
      ))}
    </Box>
  );
}

/**
 * The static report: Locust's report sections, then the LLM section. It
 * fetches nothing, so it works opened from disk.
 */
export default function Report({ args, points, requests, isDarkMode }: {
  args: TemplateArgs;
  points: readonly LlmPoint[];
  requests: readonly LlmReq[];
  isDarkMode: boolean;
}) {
  const theme = useCreateTheme();
  const llmStats = useMemo(() => asLlmStats(args.llm_report), [args.llm_report]);
  const responseTimes = args.response_time_statistics ?? [];
  const exceptions = args.exceptions_statistics ?? [];

  useEffect(() => {
    document.title = args.locustfile ? `llmlocust report: ${args.locustfile}` : 'llmlocust report';
  }, [args.locustfile]);

  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <Container maxWidth='xl' sx={{ my: 4 }}>
        <Header args={args} theme={isDarkMode ? 'dark' : 'light'} />
        <Box sx={{ display: 'flex', flexDirection: 'column', rowGap: 4 }}>
          <Section title='Request Statistics'>
            <Table hasTotalRow rows={args.requests_statistics ?? []} structure={REQUEST_COLUMNS} />
          </Section>
          {responseTimes.length > 0 && (
            <Section title='Response Time Statistics'>
              <Table hasTotalRow rows={responseTimes} structure={responseTimeColumns(responseTimes)} />
            </Section>
          )}
          <Section title='Failures Statistics'>
            <Table rows={args.failures_statistics ?? []} structure={FAILURE_COLUMNS} />
          </Section>
          {exceptions.length > 0 && (
            <Section title='Exceptions Statistics'>
              <Table rows={exceptions} structure={EXCEPTION_COLUMNS} />
            </Section>
          )}
          <Section title='Charts'>
            <LocustCharts args={args} isDarkMode={isDarkMode} />
          </Section>
          <FinalRatio tasks={args.tasks} />
          <Section title='LLM Statistics'>
            <Box sx={{ display: 'flex', flexDirection: 'column', rowGap: 3 }}>
              <LlmStatsTable stats={llmStats} />
              <LlmDetailTable stats={llmStats} />
            </Box>
          </Section>
          {asSweep(args.sweep).steps.length > 0 && (
            <Section title='Sweep'>
              <SweepPanel view={asSweep(args.sweep)} />
            </Section>
          )}
          <Section title='LLM Charts'>
            <LlmCharts finished isDarkMode={isDarkMode} points={points} requests={requests} />
          </Section>
        </Box>
      </Container>
    </ThemeProvider>
  );
}
