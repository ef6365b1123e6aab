import {
  Content,
  Header,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  cloudMetricsReadPermission,
  MonitoredNode,
  MonitoringOverview,
} from '@internal/plugin-cloud-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import { cloudApiRef } from '../api/CloudApi';
import { rootRouteRef } from '../routes';
import { formatBytes, formatPercent } from './metrics/metricStats';
import { RefreshControl } from './refresh/RefreshControl';
import { useAutoRefresh } from './refresh/useAutoRefresh';
import { AlertStateChip } from './StackAlertsTable';
import { formatTime } from './util';

type FiringAlert = MonitoringOverview['alerts'][number];

function NodeTable(props: {
  title: string;
  nodes: MonitoredNode[];
  columns: TableColumn<MonitoredNode>[];
  empty: string;
}) {
  return (
    <section aria-label={props.title}>
      <Table<MonitoredNode>
        title={props.title}
        columns={props.columns}
        data={props.nodes}
        options={{ paging: false, search: false }}
        emptyContent={<div style={{ padding: 16 }}>{props.empty}</div>}
      />
    </section>
  );
}

function Overview(props: { root: string }) {
  const { root } = props;
  const cloudApi = useApi(cloudApiRef);
  const overview = useAutoRefresh(
    () => cloudApi.getMonitoringOverview(),
    [cloudApi],
  );
  if (overview.error) {
    return <ResponseErrorPanel error={overview.error} />;
  }
  if (!overview.value) {
    return <Progress />;
  }
  const { busiest, nearLimits, notReporting, alerts } = overview.value;

  const stackLink = (n: { stackId: string; stackName: string }) => (
    <Link to={`${root}/stacks/${encodeURIComponent(n.stackId)}`}>
      {n.stackName}
    </Link>
  );
  const where: TableColumn<MonitoredNode>[] = [
    { title: 'Stack', field: 'stackName', render: stackLink },
    { title: 'Node', field: 'nodeName' },
    {
      title: 'Owner',
      field: 'owner',
      render: n => <EntityRefLink entityRef={n.owner} />,
    },
  ];
  const cpu: TableColumn<MonitoredNode> = {
    title: 'CPU (5 min)',
    field: 'cpu',
    render: n => (n.cpu === undefined ? '—' : formatPercent(n.cpu)),
  };
  const memory: TableColumn<MonitoredNode> = {
    title: 'Memory',
    field: 'memoryBytes',
    render: n =>
      n.memoryBytes === undefined ? '—' : formatBytes(n.memoryBytes),
  };
  const memoryOfLimit: TableColumn<MonitoredNode> = {
    title: 'Of limit',
    render: n =>
      n.memoryBytes !== undefined && n.memoryLimitBytes
        ? `${Math.round(
            (100 * n.memoryBytes) / n.memoryLimitBytes,
          )}% of ${formatBytes(n.memoryLimitBytes)}`
        : '—',
  };
  const reported: TableColumn<MonitoredNode> = {
    title: 'Last report',
    field: 'reportedAt',
    render: n => formatTime(n.reportedAt) || 'never',
  };
  const alertColumns: TableColumn<FiringAlert>[] = [
    {
      title: 'State',
      field: 'state',
      render: a => <AlertStateChip state={a.state} />,
    },
    { title: 'Stack', field: 'stackName', render: stackLink },
    { title: 'Node', field: 'nodeName' },
    {
      title: 'Owner',
      field: 'owner',
      render: a => <EntityRefLink entityRef={a.owner} />,
    },
    { title: 'Rule', field: 'rule' },
    { title: 'Message', field: 'message' },
    { title: 'Fired', field: 'firedAt', render: a => formatTime(a.firedAt) },
  ];

  return (
    <Grid container spacing={2}>
      <Grid item xs={12}>
        <Box display="flex" justifyContent="flex-end">
          <RefreshControl refreshed={overview} />
        </Box>
      </Grid>
      <Grid item xs={12}>
        <section aria-label="Firing alerts">
          <Table<FiringAlert>
            title="Firing alerts"
            columns={alertColumns}
            data={alerts}
            options={{ paging: false, search: false }}
            emptyContent={
              <div style={{ padding: 16 }}>No alert is firing.</div>
            }
          />
        </section>
      </Grid>
      <Grid item xs={12} lg={6}>
        <NodeTable
          title="Busiest nodes"
          nodes={busiest}
          columns={[...where, cpu, memory]}
          empty="No node has reported yet."
        />
      </Grid>
      <Grid item xs={12} lg={6}>
        <NodeTable
          title="Nodes near their limits"
          nodes={nearLimits}
          columns={[...where, memory, memoryOfLimit]}
          empty="No node is near its memory limit."
        />
      </Grid>
      <Grid item xs={12}>
        <NodeTable
          title="Nodes not reporting"
          nodes={notReporting}
          columns={[...where, reported]}
          empty="Every running node reports."
        />
      </Grid>
    </Grid>
  );
}

/**
 * Every node at once, for admins: the busiest, those near their limits,
 * those not reporting, and every firing alert, each linking to its stack;
 * fetched again every 30 seconds while the tab is shown.
 */
export function MonitoringPage() {
  const root = useRouteRef(rootRouteRef)?.() ?? '/cloud';
  const permission = usePermission({ permission: cloudMetricsReadPermission });
  return (
    <Page themeId="home">
      <Header
        title="Monitoring"
        subtitle="How every node of every stack is doing"
        type="Resources"
        typeLink={root}
      />
      <Content>
        {permission.loading && <Progress />}
        {!permission.loading && !permission.allowed && (
          <WarningPanel
            severity="info"
            title="Not allowed"
            message="The monitoring overview is for cloud administrators. The metrics and alerts of your own stacks are on their stack pages."
          />
        )}
        {permission.allowed && <Overview root={root} />}
      </Content>
    </Page>
  );
}
