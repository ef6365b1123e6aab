import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { CursorPage, MetricAlert } from '@internal/plugin-cloud-common';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { cloudApiRef } from '../api/CloudApi';
import { useAutoRefresh } from './refresh/useAutoRefresh';
import { PAGE_SIZE, ShowMore } from './useCursorPages';
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
 * The firing and resolved alerts of a stack's nodes, newest first: the
 * newest page fetched again as the charts beside it are, older pages on
 * "Show more".
 */
export function StackAlertsTable(props: { stackId: string }) {
  const { stackId } = props;
  const cloudApi = useApi(cloudApiRef);
  const alerts = useAutoRefresh(
    () => cloudApi.listStackAlerts(stackId, { limit: PAGE_SIZE }),
    [cloudApi, stackId],
  );
  // Older pages hold while the newest page ends where it did; once new
  // alerts move that end, they would leave a gap, and are dropped.
  const boundary = alerts.value?.nextCursor;
  const [older, setOlder] = useState<
    CursorPage<MetricAlert> & { after?: string }
  >();
  const shown = older?.after === boundary ? older : undefined;
  const nextCursor = shown ? shown.nextCursor : boundary;
  const [moreState, loadMore] = useAsyncFn(async () => {
    const page = await cloudApi.listStackAlerts(stackId, {
      limit: PAGE_SIZE,
      cursor: nextCursor,
    });
    setOlder({
      after: boundary,
      items: [...(shown?.items ?? []), ...page.items],
      nextCursor: page.nextCursor,
    });
  }, [cloudApi, stackId, boundary, nextCursor, shown]);
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
    <>
      <Table<MetricAlert>
        title="Alerts"
        isLoading={alerts.loading && !alerts.value}
        columns={columns}
        data={[...(alerts.value?.items ?? []), ...(shown?.items ?? [])]}
        options={{ paging: false, search: false }}
        emptyContent={
          <Typography style={{ padding: 16 }}>
            No alert has fired on this stack's nodes.
          </Typography>
        }
      />
      <ShowMore
        more={{ ...moreState, nextCursor, loadMore }}
        errorTitle="More alerts could not be loaded"
      />
    </>
  );
}
