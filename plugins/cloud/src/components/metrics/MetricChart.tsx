import { InfoCard } from '@backstage/core-components';
import { MetricRange } from '@internal/plugin-cloud-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartLine, chartRows, formatTick, seriesStats } from './metricStats';

/** A limit drawn across a chart. */
export type ChartLimit = { value: number; label: string };

/**
 * One metric over a range: a line per series, a limit as a reference line,
 * and below the chart each series' current value, peak and average.
 */
export function MetricChart(props: {
  title: string;
  range: MetricRange;
  lines: ChartLine[];
  format: (value: number) => string;
  limit?: ChartLimit;
}) {
  const { title, range, lines, format, limit } = props;
  const theme = useTheme();
  const colors = [
    theme.palette.primary.main,
    theme.palette.secondary.main,
    theme.palette.success.main,
    theme.palette.warning.main,
    theme.palette.info.main,
    theme.palette.error.main,
  ];
  const rows = chartRows(lines);
  const stats = lines.map(line => ({
    line,
    stats: seriesStats(line.series.points),
  }));

  return (
    <InfoCard title={title} noPadding={false}>
      <figure aria-label={`${title} chart`} style={{ margin: 0 }}>
        {rows.length === 0 ? (
          <Typography color="textSecondary">
            No samples in this range yet.
          </Typography>
        ) : (
          <ResponsiveContainer
            width="100%"
            height={240}
            initialDimension={{ width: 600, height: 240 }}
          >
            <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 8 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis
                dataKey="time"
                type="number"
                scale="time"
                domain={['dataMin', 'dataMax']}
                tickFormatter={formatTick(range)}
              />
              <YAxis tickFormatter={format} width={80} />
              <Tooltip
                labelFormatter={time => new Date(Number(time)).toLocaleString()}
                formatter={value => format(Number(value))}
              />
              <Legend />
              {lines.map((line, i) => (
                <Line
                  key={line.key}
                  dataKey={line.key}
                  name={line.label}
                  type="monotone"
                  dot={false}
                  isAnimationActive={false}
                  connectNulls
                  stroke={colors[i % colors.length]}
                  strokeDasharray={
                    line.series.metric === 'networkOut' ? '5 3' : undefined
                  }
                />
              ))}
              {limit && (
                <ReferenceLine
                  y={limit.value}
                  ifOverflow="extendDomain"
                  stroke={theme.palette.error.main}
                  strokeDasharray="4 4"
                  label={{ value: limit.label, position: 'insideTopRight' }}
                />
              )}
            </LineChart>
          </ResponsiveContainer>
        )}
        <Table size="small" aria-label={`${title} figures`}>
          <TableHead>
            <TableRow>
              <TableCell>Series</TableCell>
              <TableCell align="right">Current</TableCell>
              <TableCell align="right">Peak</TableCell>
              <TableCell align="right">Average</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {stats.map(({ line, stats: s }) => (
              <TableRow key={line.key}>
                <TableCell>{line.label}</TableCell>
                <TableCell align="right">
                  {s ? format(s.current) : '—'}
                </TableCell>
                <TableCell align="right">{s ? format(s.peak) : '—'}</TableCell>
                <TableCell align="right">
                  {s ? format(s.average) : '—'}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </figure>
    </InfoCard>
  );
}
