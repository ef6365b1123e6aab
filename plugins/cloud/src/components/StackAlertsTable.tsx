import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { MetricAlert } from '@internal/plugin-cloud-common';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { cloudApiRef } from '../api/CloudApi';
import { useAutoRefresh } from './refresh/useAutoRefresh';
import { formatTime } from './util';

/** A firing or resolved alert. */
export const AlertStateChip = ({ state }: { state: MetricAlert['state'] }) => (
  <Chip
    size="small"
    label={state}
    color={state === 'firing' ? 'secondary' : 'default'}
  />
);

/**
 * The firing and resolved alerts of a stack's nodes, newest first, fetched
 * again as the charts beside them are.
 */
export function StackAlertsTable(props: { stackId: string }) {
  const { stackId } = props;
  const cloudApi = useApi(cloudApiRef);
  const alerts = useAutoRefresh(
    () => cloudApi.listStackAlerts(stackId),
    [cloudApi, stackId],
  );
  if (alerts.error) {
    return <ResponseErrorPanel error={alerts.error} />;
  }
  const columns: TableColumn<MetricAlert>[] = [
    {
      title: 'State',
      field: 'state',
      render: a => <AlertStateChip state={a.state} />,
    },
    { title: 'Node', field: 'nodeName' },
    { title: 'Rule', field: 'rule' },
    { title: 'Message', field: 'message' },
    { title: 'Since', field: 'since', render: a => formatTime(a.since) },
    { title: 'Fired', field: 'firedAt', render: a => formatTime(a.firedAt) },
    {
      title: 'Resolved',
      field: 'resolvedAt',
      render: a => formatTime(a.resolvedAt) || '—',
    },
  ];
  return (
    <Table<MetricAlert>
      title="Alerts"
      isLoading={alerts.loading && !alerts.value}
      columns={columns}
      data={alerts.value ?? []}
      options={{ paging: true, pageSize: 10, search: false }}
      emptyContent={
        <Typography style={{ padding: 16 }}>
          No alert has fired on this stack's nodes.
        </Typography>
      }
    />
  );
}
