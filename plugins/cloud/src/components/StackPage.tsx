import {
  Content,
  ContentHeader,
  Header,
  HeaderLabel,
  InfoCard,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
  Table,
  TableColumn,
} from '@backstage/core-components';
import {
  alertApiRef,
  useApi,
  useRouteRef,
} from '@backstage/frontend-plugin-api';
import { CloudNode, StackDetails } from '@internal/plugin-cloud-common';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Button from '@material-ui/core/Button';
import ButtonGroup from '@material-ui/core/ButtonGroup';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import useInterval from 'react-use/esm/useInterval';
import { cloudApiRef } from '../api/CloudApi';
import { rootRouteRef } from '../routes';
import { MetricsCharts } from './metrics/MetricsCharts';
import { REFRESH_INTERVAL_MS, usePageVisible } from './refresh/useAutoRefresh';
import { StackAlertsTable } from './StackAlertsTable';
import { StatusChip } from './StatusChip';
import { LogsDialog, ScaleDialog, ScriptDialog } from './StackDialogs';
import { formatTime, messageOf } from './util';

type DialogState =
  | { kind: 'scale' }
  | { kind: 'script'; node: string }
  | { kind: 'logs'; node: string }
  | { kind: 'delete' }
  | undefined;

/** One stack: its nodes the way admins know them, and lifecycle actions. */
export const StackPage = () => {
  const { stackId = '' } = useParams();
  const cloudApi = useApi(cloudApiRef);
  const alertApi = useApi(alertApiRef);
  const navigate = useNavigate();
  const root = useRouteRef(rootRouteRef)?.() ?? '/cloud';
  const [stack, setStack] = useState<StackDetails>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState<string>();
  const [dialog, setDialog] = useState<DialogState>();

  const load = useCallback(async () => {
    try {
      setStack(await cloudApi.getStack(stackId));
    } catch (e) {
      setError(e as Error);
    }
  }, [cloudApi, stackId]);

  useEffect(() => {
    load();
  }, [load]);

  // node statuses follow along with the charts; not while an action runs,
  // whose answer is the newer stack
  const visible = usePageVisible();
  useInterval(load, visible && !busy ? REFRESH_INTERVAL_MS : null);

  const run = async (label: string, fn: () => Promise<StackDetails | void>) => {
    setBusy(label);
    try {
      const result = await fn();
      if (result) {
        setStack(result);
      }
      alertApi.post({
        message: `${label}: done`,
        severity: 'success',
        display: 'transient',
      });
    } catch (e) {
      alertApi.post({
        message: `${label} failed: ${messageOf(e)}`,
        severity: 'error',
      });
    } finally {
      setBusy(undefined);
    }
  };

  const header = (
    <Header
      title={stack ? `Stack ${stack.name}` : 'Stack'}
      type="Resources"
      typeLink={root}
    >
      {stack && (
        <HeaderLabel
          label="Owner"
          value={<EntityRefLink entityRef={stack.owner} color="inherit" />}
        />
      )}
      {stack && <HeaderLabel label="Status" value={stack.status} />}
      {stack && (
        <HeaderLabel
          label="Provider"
          value={`${stack.provider} / ${stack.region}`}
        />
      )}
    </Header>
  );

  if (error) {
    return (
      <Page themeId="home">
        {header}
        <Content>
          <ResponseErrorPanel error={error} />
        </Content>
      </Page>
    );
  }
  if (!stack) {
    return (
      <Page themeId="home">
        {header}
        <Content>
          <Progress />
        </Content>
      </Page>
    );
  }

  const live = !['deleted', 'failed', 'deleting'].includes(stack.status);
  const columns: TableColumn<CloudNode>[] = [
    { title: 'Role', field: 'role' },
    { title: 'Node id', field: 'name' },
    { title: 'Private address', field: 'privateAddress' },
    {
      title: 'Public address',
      field: 'publicAddress',
      render: n =>
        n.publicAddress ? (
          <Link to={n.publicAddress}>{n.publicAddress}</Link>
        ) : (
          ''
        ),
    },
    { title: 'Provider', field: 'provider' },
    { title: 'Region', field: 'region' },
    { title: 'Resource id', field: 'providerResourceId' },
    {
      title: 'Status',
      field: 'status',
      render: n => <StatusChip status={n.status} />,
    },
    {
      title: 'Actions',
      render: n => (
        <ButtonGroup
          size="small"
          disabled={!live || !!busy}
          aria-label={`Actions of ${n.name}`}
        >
          <Button
            aria-label={`Start ${n.name}`}
            onClick={() =>
              run(`Start ${n.name}`, () =>
                cloudApi.operate(stack.id, 'start', [n.name]),
              )
            }
          >
            Start
          </Button>
          <Button
            aria-label={`Stop ${n.name}`}
            onClick={() =>
              run(`Stop ${n.name}`, () =>
                cloudApi.operate(stack.id, 'stop', [n.name]),
              )
            }
          >
            Stop
          </Button>
          <Button
            aria-label={`Restart ${n.name}`}
            onClick={() =>
              run(`Restart ${n.name}`, () =>
                cloudApi.operate(stack.id, 'restart', [n.name]),
              )
            }
          >
            Restart
          </Button>
          <Button
            aria-label={`Script on ${n.name}`}
            onClick={() => setDialog({ kind: 'script', node: n.name })}
          >
            Script
          </Button>
          <Button
            aria-label={`Logs of ${n.name}`}
            onClick={() => setDialog({ kind: 'logs', node: n.name })}
          >
            Logs
          </Button>
        </ButtonGroup>
      ),
    },
  ];

  return (
    <Page themeId="home">
      {header}
      <Content>
        <ContentHeader title="Nodes and actions">
          <ButtonGroup
            disabled={!live || !!busy}
            variant="outlined"
            color="primary"
            aria-label="Stack actions"
          >
            <Button
              onClick={() =>
                run('Start', () => cloudApi.operate(stack.id, 'start'))
              }
            >
              Start
            </Button>
            <Button
              onClick={() =>
                run('Stop', () => cloudApi.operate(stack.id, 'stop'))
              }
            >
              Stop
            </Button>
            <Button
              onClick={() =>
                run('Restart', () => cloudApi.operate(stack.id, 'restart'))
              }
            >
              Restart
            </Button>
            <Button onClick={() => setDialog({ kind: 'scale' })}>Scale</Button>
            <Button onClick={() => setDialog({ kind: 'delete' })}>
              Delete
            </Button>
          </ButtonGroup>
        </ContentHeader>
        {busy && <Progress />}
        <Grid container spacing={2}>
          <Grid item xs={12} md={6}>
            <InfoCard title="Stack">
              <StructuredMetadataTable
                metadata={{
                  status: <StatusChip status={stack.status} />,
                  url:
                    stack.url && live ? (
                      <Link to={stack.url}>{stack.url}</Link>
                    ) : (
                      '—'
                    ),
                  owner: <EntityRefLink entityRef={stack.owner} />,
                  template: stack.template ? (
                    <EntityRefLink entityRef={stack.template} />
                  ) : (
                    '—'
                  ),
                  provider: stack.provider,
                  region: stack.region,
                  'created by': <EntityRefLink entityRef={stack.createdBy} />,
                  'created at': formatTime(stack.createdAt),
                  'deleted by': stack.deletedBy ? (
                    <EntityRefLink entityRef={stack.deletedBy} />
                  ) : (
                    '—'
                  ),
                  'deleted at': formatTime(stack.deletedAt) || '—',
                  ...(stack.limits?.memoryMb
                    ? {
                        'memory limit': `${stack.limits.memoryMb} MiB per node`,
                      }
                    : {}),
                  ...(stack.limits?.instances !== undefined
                    ? { 'instance limit': stack.limits.instances }
                    : {}),
                  ...(stack.error ? { error: stack.error } : {}),
                }}
              />
            </InfoCard>
          </Grid>
          <Grid item xs={12}>
            <Table<CloudNode>
              title="Nodes"
              columns={columns}
              data={stack.nodes}
              options={{ paging: false, search: false }}
            />
          </Grid>
          <Grid item xs={12}>
            <InfoCard title="Monitoring">
              <MetricsCharts stack={stack} />
            </InfoCard>
          </Grid>
          <Grid item xs={12}>
            <StackAlertsTable stackId={stack.id} />
          </Grid>
        </Grid>
        {dialog?.kind === 'scale' && (
          <ScaleDialog
            stack={stack}
            onClose={() => setDialog(undefined)}
            onScale={(role, count) => {
              setDialog(undefined);
              run(`Scale ${role} to ${count}`, () =>
                cloudApi.scale(stack.id, role, count),
              );
            }}
          />
        )}
        {dialog?.kind === 'script' && (
          <ScriptDialog
            stackId={stack.id}
            node={dialog.node}
            onClose={() => setDialog(undefined)}
          />
        )}
        {dialog?.kind === 'logs' && (
          <LogsDialog
            stackId={stack.id}
            node={dialog.node}
            onClose={() => setDialog(undefined)}
          />
        )}
        {dialog?.kind === 'delete' && (
          <Dialog
            open
            onClose={() => setDialog(undefined)}
            aria-labelledby="delete-dialog-title"
          >
            <DialogTitle id="delete-dialog-title">
              Delete stack {stack.name}?
            </DialogTitle>
            <DialogContent>
              Every node ends and its folders are removed. The usage records
              keep who deleted it and when.
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setDialog(undefined)}>Cancel</Button>
              <Button
                color="secondary"
                onClick={() => {
                  setDialog(undefined);
                  run('Delete', async () => {
                    await cloudApi.deleteStack(stack.id);
                    navigate(root);
                  });
                }}
              >
                Delete
              </Button>
            </DialogActions>
          </Dialog>
        )}
      </Content>
    </Page>
  );
};
