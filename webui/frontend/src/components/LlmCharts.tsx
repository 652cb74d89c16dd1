import { useMemo } from 'react';
import { Alert, Box, Typography } from '@mui/material';
import { LineChart } from 'locust-ui';

import {
  POINT_CHARTS,
  REQUEST_CHART,
  formatChartValue,
  isShown,
  pointSeries,
  requestSeries,
  saturation,
  timeLabel,
  warmupBand,
  warmupRanges,
  type ChartSeries,
  type ChartSpec,
  type Range,
} from '../series';
import type { LlmPoint, LlmReq } from '../wire';

type Lines = Parameters<typeof LineChart<ChartSeries>>[0]['lines'];

// locust-ui fixes the x axis to start at the first time it sees when a chart
// is created; history that arrives later would fall off the left edge, so
// the axis follows the data instead. ECharts puts a time tick every second
// or two of a short run, far closer than a label is wide: labels are short
// (18:00:05) and ECharts leaves out any that would overlap another.
const TIME_AXIS = {
  type: 'time' as const,
  min: 'dataMin',
  max: 'dataMax',
  splitNumber: 6,
  axisLabel: { formatter: timeLabel, hideOverlap: true },
};

// locust-ui's bundled ECharts has no scatter series, so the scatter is a line
// series with the line hidden and every point drawn.
const SCATTER_LINES = REQUEST_CHART.lines.map(line => ({
  ...line,
  showSymbol: true,
  showAllSymbol: true,
  symbol: 'circle',
  symbolSize: 5,
  lineStyle: { width: 0, opacity: 0 },
  emphasis: { disabled: true },
})) as Lines;

// A symbol on each of up to 3600 points per line hides the line itself.
function plainLines(spec: ChartSpec): Lines {
  return spec.lines.map(line => ({ ...line, showSymbol: false })) as Lines;
}

const WARMUP_KEY = 'warmupBand';
const WARMUP_COLOR = '#9e9e9e';

// The warm-up's band: a filled line without a stroke, behind the others.
const WARMUP_LINE = {
  name: 'Warm-up (not counted)',
  key: WARMUP_KEY,
  showSymbol: false,
  connectNulls: false,
  lineStyle: { width: 0 },
  areaStyle: { opacity: 0.25 },
  emphasis: { disabled: true },
  z: 0,
};

const NO_RANGES: Range[] = [];

/** Draws one chart spec with locust-ui's LineChart, the warm-up shaded. */
export function SpecChart({ spec, series, isDarkMode, lines, warmup = NO_RANGES }: {
  spec: ChartSpec;
  series: ChartSeries;
  isDarkMode: boolean;
  lines?: Lines;
  warmup?: readonly Range[];
}) {
  const band = useMemo(() => (lines ? null : warmupBand(spec, series, warmup)), [lines, spec, series, warmup]);
  // LineChart redraws its series whenever the lines change identity.
  const drawn = useMemo(
    () => lines ?? ([...plainLines(spec), ...(band ? [WARMUP_LINE] : [])] as Lines),
    [lines, spec, band !== null],
  );
  const charts = useMemo(() => (band ? { ...series, [WARMUP_KEY]: band } : series), [series, band]);
  const colors = band ? [...spec.colors, WARMUP_COLOR] : spec.colors;
  // data-points says how many points the chart holds, for end-to-end tests
  // that cannot read the canvas.
  return (
    <Box data-testid='llm-chart' data-title={spec.title} data-points={series.time.length} data-warmup={band ? 'shaded' : undefined}>
    <LineChart<ChartSeries>
      chartValueFormatter={formatChartValue}
      charts={charts}
      colors={colors}
      isDarkMode={isDarkMode}
      lines={drawn}
      splitAxis={spec.splitAxis}
      title={spec.title}
      xAxis={TIME_AXIS}
      yAxisLabels={spec.yAxisLabels}
    />
    </Box>
  );
}

function SaturationNotice({ points, finished }: { points: readonly LlmPoint[]; finished: boolean }) {
  const state = saturation(points);
  const last = points[points.length - 1];
  if (state.now) {
    return (
      <Alert severity='warning' data-testid='saturation-warning'>
        {finished
          ? 'The load generator was saturated when the run ended: its metrics daemon was behind'
          : 'The load generator is saturated: its metrics daemon is behind'}{' '}
        ({last?.backlog?.queued ?? 0} chunks queued,
        the oldest waiting {formatChartValue(last?.backlog?.oldest_ms)} ms). Chunk times are still stamped on
        arrival, but a busy client can slow the test down. Run fewer users per process, or add workers.
      </Alert>
    );
  }
  if (state.seconds > 0) {
    return (
      <Alert severity='info' data-testid='saturation-warning'>
        The load generator was saturated for {state.seconds} of the {state.total} seconds shown: its metrics
        daemon fell behind. See the metrics backlog chart.
      </Alert>
    );
  }
  return null;
}

/** Every LLM chart, drawn from the points and finished requests held; `finished` for a report. */
export default function LlmCharts({ points, requests, isDarkMode, finished = false }: {
  points: readonly LlmPoint[];
  requests: readonly LlmReq[];
  isDarkMode: boolean;
  finished?: boolean;
}) {
  const series = useMemo(() => pointSeries(points), [points]);
  const warmupText = JSON.stringify(warmupRanges(points));
  // The ranges keep their identity while they stay the same, so that the
  // charts are not redrawn each second for them.
  const warmup = useMemo(() => JSON.parse(warmupText) as Range[], [warmupText]);
  const scatter = useMemo(() => requestSeries(requests), [requests]);
  const [ttft, itl, e2e, ...rest] = POINT_CHARTS;

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', rowGap: 2 }}>
      <SaturationNotice finished={finished} points={points} />
      {points.length === 0 && requests.length === 0 && (
        <Typography color='text.secondary'>No LLM data yet: the charts fill in once a test runs.</Typography>
      )}
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '1fr 1fr' }, gap: 2 }}>
        <SpecChart isDarkMode={isDarkMode} series={series} spec={ttft} warmup={warmup} />
        <Box>
          <SpecChart isDarkMode={isDarkMode} lines={SCATTER_LINES} series={scatter} spec={REQUEST_CHART} />
          <Typography color='text.secondary' variant='caption'>
            One dot per request, at its start time. Failed requests are red; those that got no token sit at 0.
          </Typography>
        </Box>
        <SpecChart isDarkMode={isDarkMode} series={series} spec={itl} warmup={warmup} />
        <SpecChart isDarkMode={isDarkMode} series={series} spec={e2e} warmup={warmup} />
        {rest.filter(spec => isShown(spec, series)).map(spec => (
          <SpecChart isDarkMode={isDarkMode} key={spec.title} series={series} spec={spec} warmup={warmup} />
        ))}
      </Box>
    </Box>
  );
}
