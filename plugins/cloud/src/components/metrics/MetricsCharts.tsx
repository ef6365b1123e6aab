import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  METRIC_RANGES,
  MetricName,
  MetricRange,
  MetricSeries,
  StackDetails,
} from '@internal/plugin-cloud-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import ButtonGroup from '@material-ui/core/ButtonGroup';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { cloudApiRef } from '../../api/CloudApi';
import { RefreshControl } from '../refresh/RefreshControl';
import { useAutoRefresh } from '../refresh/useAutoRefresh';
import { MetricChart } from './MetricChart';
import {
  ChartLine,
  formatBytes,
  formatPercent,
  formatRate,
  memoryLimitBytes,
  RANGE_LABELS,
} from './metricStats';

const ALL_NODES = '';

function linesOf(
  series: MetricSeries[],
  metrics: MetricName[],
  showNode: boolean,
): ChartLine[] {
  const suffix: Partial<Record<MetricName, string>> = {
    networkIn: 'in',
    networkOut: 'out',
  };
  return series
    .filter(s => metrics.includes(s.metric))
    .sort(
      (a, b) =>
        a.nodeName.localeCompare(b.nodeName) ||
        metrics.indexOf(a.metric) - metrics.indexOf(b.metric),
    )
    .map((s, i) => ({
      key: `line${i}`,
      label:
        [showNode ? s.nodeName : undefined, suffix[s.metric]]
          .filter(Boolean)
          .join(' ') || s.nodeName,
      series: s,
    }));
}

/**
 * CPU, memory, disk and network of a stack's nodes over a range the user
 * picks, of every node at once or of one, with the memory limit drawn where
 * the plan or the role sets one; fetched again every 30 seconds while the
 * tab is shown, or at the user's request.
 */
export function MetricsCharts(props: { stack: StackDetails }) {
  const { stack } = props;
  const cloudApi = useApi(cloudApiRef);
  const [range, setRange] = useState<MetricRange>('1h');
  const [node, setNode] = useState(ALL_NODES);
  const metrics = useAutoRefresh(
    () =>
      node === ALL_NODES
        ? cloudApi.getStackMetrics(stack.id, { range })
        : cloudApi.getNodeMetrics(stack.id, node, { range }),
    [cloudApi, stack.id, node, range],
  );
  const limit = memoryLimitBytes(stack, node || undefined);
  const series = metrics.value?.series ?? [];
  const showNode = node === ALL_NODES;

  return (
    <>
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        gridGap={16}
        mb={2}
      >
        <ButtonGroup color="primary" size="small" aria-label="Range">
          {METRIC_RANGES.map(r => (
            <Button
              key={r}
              variant={r === range ? 'contained' : 'outlined'}
              aria-pressed={r === range}
              onClick={() => setRange(r)}
            >
              {RANGE_LABELS[r]}
            </Button>
          ))}
        </ButtonGroup>
        <TextField
          select
          id="metrics-node"
          size="small"
          variant="outlined"
          label="Node"
          style={{ minWidth: 160 }}
          value={node}
          onChange={e => setNode(String(e.target.value))}
        >
          <MenuItem value={ALL_NODES}>Every node</MenuItem>
          {stack.nodes.map(n => (
            <MenuItem key={n.name} value={n.name}>
              {n.name}
            </MenuItem>
          ))}
        </TextField>
        {metrics.value && (
          <Typography variant="body2" color="textSecondary">
            {metrics.value.resolution === 'raw'
              ? 'Raw samples'
              : `${metrics.value.resolution} buckets`}
          </Typography>
        )}
        <RefreshControl refreshed={metrics} />
      </Box>
      {metrics.loading && !metrics.value && <Progress />}
      {metrics.error && <ResponseErrorPanel error={metrics.error} />}
      {metrics.value && (
        <Grid container spacing={2}>
          <Grid item xs={12} lg={6}>
            <MetricChart
              title="CPU"
              range={range}
              lines={linesOf(series, ['cpu'], showNode)}
              format={formatPercent}
            />
          </Grid>
          <Grid item xs={12} lg={6}>
            <MetricChart
              title="Memory"
              range={range}
              lines={linesOf(series, ['memory'], showNode)}
              format={formatBytes}
              limit={
                limit
                  ? { value: limit, label: `Limit ${formatBytes(limit)}` }
                  : undefined
              }
            />
          </Grid>
          <Grid item xs={12} lg={6}>
            <MetricChart
              title="Disk"
              range={range}
              lines={linesOf(series, ['disk'], showNode)}
              format={formatBytes}
            />
          </Grid>
          <Grid item xs={12} lg={6}>
            <MetricChart
              title="Network"
              range={range}
              lines={linesOf(series, ['networkIn', 'networkOut'], showNode)}
              format={formatRate}
            />
          </Grid>
        </Grid>
      )}
    </>
  );
}
