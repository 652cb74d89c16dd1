import { useTheme } from '@mui/material';

import { niceTicks, type Curve } from '../sweep';

const WIDTH = 720;
const HEIGHT = 360;
const PAD = { left: 72, right: 120, top: 16, bottom: 48 };
// Readable on the light and the dark theme alike.
const COLORS = ['#00a84b', '#0099ff', '#ff9f00', '#ff3d6d', '#9966cc', '#8d6e63'];

/**
 * Latency against throughput: one point per step, a line per percentile,
 * each point labelled with what its step ran. Drawn as SVG, since
 * locust-ui's charts have a time axis only.
 */
export default function SweepChart({ curves, xTitle, yTitle }: { curves: Curve[]; xTitle: string; yTitle: string }) {
  const theme = useTheme();
  const ink = theme.palette.text.secondary;
  const points = curves.flatMap(c => c.points);
  const xTicks = niceTicks(Math.max(0, ...points.map(p => p.x)));
  const yTicks = niceTicks(Math.max(0, ...points.map(p => p.y)));
  const xMax = xTicks[xTicks.length - 1];
  const yMax = yTicks[yTicks.length - 1];
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const sx = (x: number) => PAD.left + (x / xMax) * plotW;
  const sy = (y: number) => PAD.top + plotH - (y / yMax) * plotH;

  return (
    <svg
      aria-label={`${yTitle} against ${xTitle}`}
      data-testid='sweep-chart'
      data-points={points.length}
      role='img'
      style={{ maxWidth: '100%', height: 'auto' }}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width={WIDTH}
    >
      {yTicks.map(t => (
        <g key={`y${t}`}>
          <line stroke={ink} strokeOpacity={0.2} x1={PAD.left} x2={PAD.left + plotW} y1={sy(t)} y2={sy(t)} />
          <text fill={ink} fontSize={12} textAnchor='end' x={PAD.left - 6} y={sy(t) + 4}>{t}</text>
        </g>
      ))}
      {xTicks.map(t => (
        <text fill={ink} fontSize={12} key={`x${t}`} textAnchor='middle' x={sx(t)} y={PAD.top + plotH + 18}>{t}</text>
      ))}
      <line stroke={ink} x1={PAD.left} x2={PAD.left + plotW} y1={PAD.top + plotH} y2={PAD.top + plotH} />
      <line stroke={ink} x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={PAD.top + plotH} />
      <text fill={ink} fontSize={13} textAnchor='middle' x={PAD.left + plotW / 2} y={HEIGHT - 8}>{xTitle}</text>
      <text fill={ink} fontSize={13} textAnchor='middle' transform={`rotate(-90 16 ${PAD.top + plotH / 2})`} x={16} y={PAD.top + plotH / 2}>
        {yTitle}
      </text>
      {curves.map((curve, i) => {
        const color = COLORS[i % COLORS.length];
        return (
          <g data-curve={curve.key} key={curve.key}>
            <polyline fill='none' points={curve.points.map(p => `${sx(p.x)},${sy(p.y)}`).join(' ')} stroke={color} strokeWidth={2} />
            {curve.points.map(p => (
              <circle cx={sx(p.x)} cy={sy(p.y)} fill={color} key={p.step} r={4}>
                <title>{`${curve.key} ${p.y.toFixed(1)} ms at ${p.x.toFixed(2)} (${p.label})`}</title>
              </circle>
            ))}
            <text fill={color} fontSize={12} x={WIDTH - PAD.right + 12} y={PAD.top + 14 + i * 18}>{curve.key}</text>
          </g>
        );
      })}
      {curves[0]?.points.map(p => (
        <text fill={ink} fontSize={11} key={`l${p.step}`} textAnchor='middle' x={sx(p.x)} y={sy(p.y) - 8}>{p.label}</text>
      ))}
    </svg>
  );
}
