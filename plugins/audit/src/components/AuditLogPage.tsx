import {
  ContentHeader,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  AuditChainVerification,
  AuditLogFilter,
  AuditLogRecord,
} from '@internal/plugin-audit-common';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Alert from '@material-ui/lab/Alert';
import { ChangeEvent, useEffect, useState } from 'react';
import useDebounce from 'react-use/esm/useDebounce';
import { auditApiRef } from '../api';
import { AdminPage } from './AdminPage';

const PAGE_SIZE = 50;

/** The filters as typed: dates are whole days, `to` included. */
type FilterFields = {
  user?: string;
  action?: string;
  target?: string;
  status?: 'succeeded' | 'failed';
  from?: string;
  to?: string;
};

/** The day after an ISO date, since the API's `to` is exclusive. */
function dayAfter(date: string): string {
  const next = new Date(`${date}T00:00:00.000Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/** The API's filter for what the fields say. */
export function toAuditLogFilter(fields: FilterFields): AuditLogFilter {
  return {
    user: fields.user?.trim() || undefined,
    action: fields.action?.trim() || undefined,
    target: fields.target?.trim() || undefined,
    status: fields.status,
    from: fields.from || undefined,
    to: fields.to ? dayAfter(fields.to) : undefined,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An actor: a catalog entity as a link, a service by its subject. */
function Actor(props: { actor?: string }) {
  const { actor } = props;
  if (!actor) {
    return null;
  }
  if (/^(user|group):/.test(actor)) {
    return <EntityRefLink entityRef={actor} />;
  }
  return <>{actor}</>;
}

function Result(props: { record: AuditLogRecord }) {
  const { status, error } = props.record;
  const chip = (
    <Chip
      size="small"
      label={status}
      color={status === 'failed' ? 'secondary' : 'default'}
    />
  );
  return error ? <Tooltip title={error}>{chip}</Tooltip> : chip;
}

const columns: TableColumn<AuditLogRecord>[] = [
  {
    title: 'When',
    field: 'occurredAt',
    render: r => new Date(r.occurredAt).toLocaleString(),
  },
  { title: 'User', field: 'actor', render: r => <Actor actor={r.actor} /> },
  { title: 'Action', field: 'action' },
  { title: 'Target', field: 'target' },
  { title: 'Address', field: 'ip' },
  { title: 'Result', field: 'status', render: r => <Result record={r} /> },
  { title: 'Plugin', field: 'plugin' },
  { title: '#', field: 'seq', type: 'numeric' },
];

function Verification(props: { result: AuditChainVerification }) {
  const { ok, checked, firstMismatch } = props.result;
  if (ok) {
    return (
      <Alert severity="success">
        The hash chain is intact: {checked} record(s) checked.
      </Alert>
    );
  }
  return (
    <Alert severity="error">
      Record #{firstMismatch?.seq} does not match the chain:{' '}
      {firstMismatch?.reason} ({checked} record(s) checked).
    </Alert>
  );
}

function AuditLog() {
  const auditApi = useApi(auditApiRef);
  const alertApi = useApi(alertApiRef);
  const [fields, setFields] = useState<FilterFields>({});
  const [filter, setFilter] = useState<AuditLogFilter>({});
  const [records, setRecords] = useState<AuditLogRecord[]>([]);
  const [nextCursor, setNextCursor] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error>();
  const [verification, setVerification] = useState<AuditChainVerification>();

  // Text is typed a key at a time: ask once the typing pauses, and only
  // when the filter really changed (the pages already read stay otherwise).
  useDebounce(
    () => {
      const next = toAuditLogFilter(fields);
      setFilter(current =>
        JSON.stringify(current) === JSON.stringify(next) ? current : next,
      );
    },
    300,
    [fields],
  );

  useEffect(() => {
    let current = true;
    setLoading(true);
    auditApi
      .listEvents(filter, { limit: PAGE_SIZE })
      .then(page => {
        if (current) {
          setRecords(page.items);
          setNextCursor(page.nextCursor);
          setError(undefined);
        }
      })
      .catch(e => current && setError(e))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [auditApi, filter]);

  const loadMore = async () => {
    setLoading(true);
    try {
      const page = await auditApi.listEvents(filter, {
        limit: PAGE_SIZE,
        cursor: nextCursor,
      });
      setRecords(r => [...r, ...page.items]);
      setNextCursor(page.nextCursor);
    } catch (e) {
      alertApi.post({ message: messageOf(e), severity: 'error' });
    } finally {
      setLoading(false);
    }
  };

  const exportCsv = async () => {
    try {
      const csv = await auditApi.exportCsv(filter);
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = 'audit-log.csv';
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      alertApi.post({
        message: `Export failed: ${messageOf(e)}`,
        severity: 'error',
      });
    }
  };

  const verify = async () => {
    try {
      setVerification(await auditApi.verify());
    } catch (e) {
      alertApi.post({
        message: `Verification failed: ${messageOf(e)}`,
        severity: 'error',
      });
    }
  };

  const set =
    (key: keyof FilterFields) => (event: ChangeEvent<{ value: unknown }>) =>
      setFields(f => ({
        ...f,
        [key]: (event.target.value as string) || undefined,
      }));
  const text = (key: keyof FilterFields, label: string, hint: string) => (
    <Grid item xs={6} md={2}>
      <TextField
        id={`audit-filter-${key}`}
        label={label}
        fullWidth
        placeholder={hint}
        value={fields[key] ?? ''}
        onChange={set(key)}
      />
    </Grid>
  );
  const date = (key: 'from' | 'to', label: string) => (
    <Grid item xs={6} md={2}>
      <TextField
        id={`audit-filter-${key}`}
        label={label}
        type="date"
        fullWidth
        InputLabelProps={{ shrink: true }}
        value={fields[key] ?? ''}
        onChange={set(key)}
      />
    </Grid>
  );

  return (
    <>
      <ContentHeader title="Events">
        <Button variant="outlined" color="primary" onClick={verify}>
          Verify chain
        </Button>
        <Button variant="outlined" color="primary" onClick={exportCsv}>
          Export CSV
        </Button>
      </ContentHeader>
      <Grid container spacing={2}>
        {verification && (
          <Grid item xs={12}>
            <Verification result={verification} />
          </Grid>
        )}
        {text('user', 'User', 'user:default/developer')}
        {text('action', 'Action', 'ORDER_CREATE')}
        {text('target', 'Target', 'order:…')}
        <Grid item xs={6} md={2}>
          <TextField
            id="audit-filter-status"
            select
            label="Result"
            fullWidth
            value={fields.status ?? ''}
            onChange={set('status')}
          >
            <MenuItem value="">Any</MenuItem>
            <MenuItem value="succeeded">succeeded</MenuItem>
            <MenuItem value="failed">failed</MenuItem>
          </TextField>
        </Grid>
        {date('from', 'From')}
        {date('to', 'To')}
        <Grid item xs={12}>
          {error ? (
            <ResponseErrorPanel error={error} />
          ) : (
            <Table<AuditLogRecord>
              title="Audit log"
              isLoading={loading}
              columns={columns}
              data={records}
              options={{ paging: false, search: false }}
            />
          )}
        </Grid>
        {nextCursor && (
          <Grid item xs={12}>
            <Button onClick={loadMore} disabled={loading}>
              Older events
            </Button>
          </Grid>
        )}
      </Grid>
    </>
  );
}

/**
 * The audit log for administrators: who did what, to which target, from
 * which address, when and whether it succeeded; filters, CSV export and a
 * check of the hash chain.
 */
export const AuditLogPage = () => (
  <AdminPage
    title="Audit log"
    subtitle="Who did what, to which target, from where and when"
    notAllowed="Only administrators read the audit log."
  >
    <AuditLog />
  </AdminPage>
);
