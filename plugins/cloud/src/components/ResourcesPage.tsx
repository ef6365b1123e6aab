import {
  Content,
  ContentHeader,
  Header,
  Link,
  LinkButton,
  Page,
  TableColumn,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { cloudUsageReadPermission, Stack } from '@internal/plugin-cloud-common';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import useAsync from 'react-use/esm/useAsync';
import { ListTable, useListFilter } from './ListTable';
import { cloudApiRef, StackListFilter } from '../api/CloudApi';
import { rootRouteRef } from '../routes';
import { StatusChip } from './StatusChip';
import { PAGE_SIZE, useCursorPages } from './useCursorPages';
import { formatTime } from './util';

const STATUSES = ['running', 'degraded', 'stopped', 'deploying', 'deleting'];

/** Every stack with owner, template, provider, region and status. */
export const ResourcesPage = () => {
  const cloudApi = useApi(cloudApiRef);
  const root = useRouteRef(rootRouteRef)?.() ?? '/cloud';
  const { filter, set } = useListFilter<StackListFilter>();
  const usage = usePermission({ permission: cloudUsageReadPermission });
  const providers = useAsync(() => cloudApi.listProviders(), [cloudApi]);
  const stacks = useCursorPages(
    cursor => cloudApi.listStacks({ ...filter, limit: PAGE_SIZE, cursor }),
    [cloudApi, filter],
  );

  const columns: TableColumn<Stack>[] = [
    {
      title: 'Stack',
      field: 'name',
      render: s => <Link to={`${root}/stacks/${s.id}`}>{s.name}</Link>,
    },
    {
      title: 'Owner',
      field: 'owner',
      render: s => <EntityRefLink entityRef={s.owner} />,
    },
    {
      title: 'Template',
      field: 'template',
      render: s => (s.template ? <EntityRefLink entityRef={s.template} /> : ''),
    },
    { title: 'Provider', field: 'provider' },
    { title: 'Region', field: 'region' },
    {
      title: 'Status',
      field: 'status',
      render: s => <StatusChip status={s.status} />,
    },
    {
      title: 'Created by',
      field: 'createdBy',
      render: s => <EntityRefLink entityRef={s.createdBy} />,
    },
    {
      title: 'Created at',
      field: 'createdAt',
      render: s => formatTime(s.createdAt),
    },
  ];

  return (
    <Page themeId="home">
      <Header
        title="Resources"
        subtitle="The stacks deployed from the store and their nodes"
      />
      <Content>
        <ContentHeader title="Stacks">
          {usage.allowed && (
            <LinkButton variant="outlined" to={`${root}/usage`}>
              Usage records
            </LinkButton>
          )}
        </ContentHeader>
        <Grid container spacing={2}>
          <Grid item xs={12} md={3}>
            <TextField
              label="Owner"
              fullWidth
              value={filter.owner ?? ''}
              onChange={set('owner')}
              placeholder="group:default/web-team"
            />
          </Grid>
          <Grid item xs={12} md={3}>
            <TextField
              select
              label="Status"
              fullWidth
              value={filter.status ?? ''}
              onChange={set('status')}
            >
              <MenuItem value="">Any</MenuItem>
              {STATUSES.map(s => (
                <MenuItem key={s} value={s}>
                  {s}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} md={3}>
            <TextField
              select
              label="Provider"
              fullWidth
              value={filter.provider ?? ''}
              onChange={set('provider')}
            >
              <MenuItem value="">Any</MenuItem>
              {(providers.value ?? []).map(p => (
                <MenuItem key={p.id} value={p.id}>
                  {p.title}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} md={3}>
            <TextField
              label="Template"
              fullWidth
              value={filter.template ?? ''}
              onChange={set('template')}
              placeholder="template:default/three-tier-web-app"
            />
          </Grid>
          <Grid item xs={12}>
            <ListTable title="Stacks" columns={columns} pages={stacks} />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
};
