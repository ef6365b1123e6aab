import {
  Content,
  ContentHeader,
  Header,
  Page,
  TableColumn,
} from '@backstage/core-components';
import {
  alertApiRef,
  useApi,
  useRouteRef,
} from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { UsageRecord } from '@internal/plugin-cloud-common';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { ListTable, useListFilter } from './ListTable';
import { cloudApiRef, UsageListFilter } from '../api/CloudApi';
import { rootRouteRef } from '../routes';
import { PAGE_SIZE, useCursorPages } from './useCursorPages';
import { formatTime, messageOf } from './util';

const refLink = (ref?: string) =>
  ref ? <EntityRefLink entityRef={ref} /> : '';

/** Who created and deleted which stack and node, where and when. */
export const UsagePage = () => {
  const cloudApi = useApi(cloudApiRef);
  const alertApi = useApi(alertApiRef);
  const root = useRouteRef(rootRouteRef)?.() ?? '/cloud';
  const { filter, set } = useListFilter<UsageListFilter>();
  const usage = useCursorPages(
    cursor => cloudApi.listUsage({ ...filter, limit: PAGE_SIZE, cursor }),
    [cloudApi, filter],
  );

  const exportCsv = async () => {
    try {
      const csv = await cloudApi.exportUsageCsv(filter);
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = 'cloud-usage.csv';
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      alertApi.post({
        message: `Export failed: ${messageOf(e)}`,
        severity: 'error',
      });
    }
  };

  const columns: TableColumn<UsageRecord>[] = [
    { title: 'Kind', field: 'kind' },
    { title: 'Stack', field: 'stackName' },
    { title: 'Role', field: 'role' },
    { title: 'Owner', field: 'owner', render: r => refLink(r.owner) },
    { title: 'Provider', field: 'provider' },
    { title: 'Region', field: 'region' },
    { title: 'Resource id', field: 'providerResourceId' },
    {
      title: 'Created by',
      field: 'createdBy',
      render: r => refLink(r.createdBy),
    },
    {
      title: 'Created at',
      field: 'createdAt',
      render: r => formatTime(r.createdAt),
    },
    {
      title: 'Deleted by',
      field: 'deletedBy',
      render: r => refLink(r.deletedBy),
    },
    {
      title: 'Deleted at',
      field: 'deletedAt',
      render: r => formatTime(r.deletedAt),
    },
  ];

  return (
    <Page themeId="home">
      <Header
        title="Usage records"
        subtitle="Who created and deleted which stack and node, where and when"
        type="Resources"
        typeLink={root}
      />
      <Content>
        <ContentHeader title="Stacks and nodes">
          <Button variant="outlined" color="primary" onClick={exportCsv}>
            Export CSV
          </Button>
        </ContentHeader>
        <Grid container spacing={2}>
          <Grid item xs={6} md={2}>
            <TextField
              select
              id="usage-filter-kind"
              label="Kind"
              fullWidth
              value={filter.kind ?? ''}
              onChange={set('kind')}
            >
              <MenuItem value="">Any</MenuItem>
              <MenuItem value="stack">stack</MenuItem>
              <MenuItem value="node">node</MenuItem>
            </TextField>
          </Grid>
          <Grid item xs={6} md={2}>
            <TextField
              id="usage-filter-provider"
              label="Provider"
              fullWidth
              value={filter.provider ?? ''}
              onChange={set('provider')}
            />
          </Grid>
          <Grid item xs={6} md={2}>
            <TextField
              id="usage-filter-region"
              label="Region"
              fullWidth
              value={filter.region ?? ''}
              onChange={set('region')}
            />
          </Grid>
          <Grid item xs={6} md={2}>
            <TextField
              id="usage-filter-user"
              label="User"
              fullWidth
              value={filter.user ?? ''}
              onChange={set('user')}
              placeholder="user:default/developer"
            />
          </Grid>
          <Grid item xs={6} md={2}>
            <TextField
              id="usage-filter-from"
              label="From"
              type="date"
              fullWidth
              InputLabelProps={{ shrink: true }}
              value={filter.from ?? ''}
              onChange={set('from')}
            />
          </Grid>
          <Grid item xs={6} md={2}>
            <TextField
              id="usage-filter-to"
              label="To"
              type="date"
              fullWidth
              InputLabelProps={{ shrink: true }}
              value={filter.to ?? ''}
              onChange={set('to')}
            />
          </Grid>
          <Grid item xs={12}>
            <ListTable
              title="Stacks and nodes"
              columns={columns}
              pages={usage}
            />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
};
