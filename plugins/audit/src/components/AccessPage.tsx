import {
  ContentHeader,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  AccessExplanation,
  AccessMatrix,
  AccessPolicyInfo,
  AccessResult,
} from '@internal/plugin-audit-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import MuiTable from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { FormEvent, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { accessApiRef } from '../api';
import { AdminPage } from './AdminPage';

const RESULT_TEXT: Record<AccessResult, string> = {
  ALLOW: 'allowed',
  DENY: 'denied',
  CONDITIONAL: 'conditional',
};

function messageOf(error: unknown): string {
  const body = (error as { body?: { error?: { message?: string } } }).body;
  return (
    body?.error?.message ??
    (error instanceof Error ? error.message : String(error))
  );
}

function Principals(props: { refs: string[] }) {
  if (props.refs.length === 0) {
    return <Typography variant="body2">not bound</Typography>;
  }
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
      {props.refs.map(ref =>
        ref === '*' ? (
          <Chip key={ref} size="small" label="every signed-in user" />
        ) : (
          <EntityRefLink key={ref} entityRef={ref} />
        ),
      )}
    </Box>
  );
}

/** One statement in a line: effect, what it matches, and its conditions. */
function statementText(statement: AccessPolicyInfo['statements'][number]) {
  const what = [
    statement.permissions?.join(', '),
    statement.resourceTypes &&
      `resource types ${statement.resourceTypes.join(', ')}`,
    statement.actions && `actions ${statement.actions.join(', ')}`,
  ]
    .filter(Boolean)
    .join('; ');
  const conditions = statement.conditions
    ? ` when ${JSON.stringify(statement.conditions)}`
    : '';
  return `${statement.effect} ${what}${conditions}`;
}

const policyColumns: TableColumn<AccessPolicyInfo>[] = [
  { title: 'Policy', field: 'name' },
  {
    title: 'Type',
    field: 'type',
    render: p => (
      <Chip
        size="small"
        label={p.type}
        color={p.type === 'custom' ? 'primary' : 'default'}
      />
    ),
  },
  { title: 'Description', field: 'description' },
  {
    title: 'Bound to',
    field: 'boundTo',
    render: p => <Principals refs={p.boundTo} />,
  },
];

function PolicyStatements(props: { policy: AccessPolicyInfo }) {
  return (
    <Box padding={2}>
      <ol>
        {props.policy.statements.map((statement, index) => (
          <li key={index}>
            <Typography variant="body2">
              {statementText(statement)}
              {statement.description && ` — ${statement.description}`}
            </Typography>
          </li>
        ))}
      </ol>
    </Box>
  );
}

function Policies(props: { policies: AccessPolicyInfo[] }) {
  return (
    <Table<AccessPolicyInfo>
      title="Policies"
      columns={policyColumns}
      data={props.policies}
      options={{ paging: false, search: true }}
      detailPanel={({ rowData }) => <PolicyStatements policy={rowData} />}
    />
  );
}

function Matrix(props: { matrix: AccessMatrix }) {
  const { permissions, groups } = props.matrix;
  return (
    <InfoCard title="Groups by permissions" noPadding>
      <Box overflow="auto">
        <MuiTable size="small" aria-label="Groups by permissions">
          <TableHead>
            <TableRow>
              <TableCell>Permission</TableCell>
              {groups.map(group => (
                <TableCell key={group.ref}>
                  <EntityRefLink entityRef={group.ref} title={group.title} />
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {permissions.map(permission => (
              <TableRow key={permission.name}>
                <TableCell component="th" scope="row">
                  {permission.name}
                </TableCell>
                {groups.map(group => {
                  const result = group.decisions[permission.name];
                  return (
                    <TableCell
                      key={group.ref}
                      data-testid={`${group.ref} ${permission.name}`}
                    >
                      <Chip
                        size="small"
                        variant={result === 'DENY' ? 'outlined' : 'default'}
                        color={result === 'ALLOW' ? 'primary' : 'default'}
                        label={RESULT_TEXT[result]}
                      />
                    </TableCell>
                  );
                })}
              </TableRow>
            ))}
          </TableBody>
        </MuiTable>
      </Box>
    </InfoCard>
  );
}

function Explanation(props: { explanation: AccessExplanation }) {
  const { explanation } = props;
  const result = explanation.resourceResult ?? explanation.decision.result;
  const severity = { ALLOW: 'success', DENY: 'error', CONDITIONAL: 'info' }[
    result
  ] as 'success' | 'error' | 'info';
  return (
    <Alert severity={severity}>
      <Typography variant="subtitle2">
        <EntityRefLink entityRef={explanation.user} /> —{' '}
        {explanation.permission}
        {explanation.resourceRef && ` on ${explanation.resourceRef}`}:{' '}
        {RESULT_TEXT[result]}
      </Typography>
      <Typography variant="body2">{explanation.reason}.</Typography>
      {explanation.statements.length > 0 && (
        <ul>
          {explanation.statements.map(s => (
            <li key={`${s.policy}-${s.statement}`}>
              <Typography variant="body2">
                {s.policy} ({s.policyType}), statement {s.statement + 1}:{' '}
                {s.effect}
                {s.conditional && ' on conditions'}
                {s.description && ` — ${s.description}`}
              </Typography>
            </li>
          ))}
        </ul>
      )}
    </Alert>
  );
}

function Explain(props: { permissions: AccessMatrix['permissions'] }) {
  const accessApi = useApi(accessApiRef);
  const [user, setUser] = useState('user:default/');
  const [permission, setPermission] = useState('');
  const [resourceRef, setResourceRef] = useState('');
  const [explanation, setExplanation] = useState<AccessExplanation>();
  const [error, setError] = useState<string>();
  const isResource = props.permissions.some(
    p => p.name === permission && p.resourceType,
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setExplanation(undefined);
    try {
      setExplanation(
        await accessApi.explain({
          user,
          permission,
          ...(isResource && resourceRef && { resourceRef }),
        }),
      );
    } catch (e) {
      setError(messageOf(e));
    }
  };

  return (
    <InfoCard title="Explain a decision">
      <form onSubmit={submit} aria-label="Explain a decision">
        <Grid container spacing={2} alignItems="flex-end">
          <Grid item xs={12} md={4}>
            <TextField
              id="explain-user"
              label="User"
              fullWidth
              value={user}
              onChange={e => setUser(e.target.value)}
            />
          </Grid>
          <Grid item xs={12} md={3}>
            <TextField
              id="explain-permission"
              select
              label="Permission"
              fullWidth
              value={permission}
              onChange={e => setPermission(e.target.value)}
            >
              {props.permissions.map(p => (
                <MenuItem key={p.name} value={p.name}>
                  {p.name}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} md={3}>
            <TextField
              id="explain-resource"
              label="On resource (optional)"
              fullWidth
              disabled={!isResource}
              value={resourceRef}
              onChange={e => setResourceRef(e.target.value)}
            />
          </Grid>
          <Grid item xs={12} md={2}>
            <Button
              type="submit"
              variant="contained"
              color="primary"
              disabled={!permission}
            >
              Explain
            </Button>
          </Grid>
          {(explanation || error) && (
            <Grid item xs={12}>
              {explanation && <Explanation explanation={explanation} />}
              {error && <Alert severity="error">{error}</Alert>}
            </Grid>
          )}
        </Grid>
      </form>
    </InfoCard>
  );
}

function Access() {
  const accessApi = useApi(accessApiRef);
  const state = useAsync(
    async () => Promise.all([accessApi.listPolicies(), accessApi.getMatrix()]),
    [accessApi],
  );
  if (state.error) {
    return <ResponseErrorPanel error={state.error} />;
  }
  if (!state.value) {
    return <Progress />;
  }
  const [policies, matrix] = state.value;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Explain permissions={matrix.permissions} />
      </Grid>
      <Grid item xs={12}>
        <Policies policies={policies} />
      </Grid>
      <Grid item xs={12}>
        <Matrix matrix={matrix} />
      </Grid>
    </Grid>
  );
}

/**
 * The Access page for administrators: every policy with its type,
 * description and bindings, a matrix of groups by permissions, and an
 * explanation of any decision.
 */
export const AccessPage = () => (
  <AdminPage
    title="Access"
    subtitle="Who may do what, from cloudStore.access in app-config.yaml"
    notAllowed="Only administrators see the access policies."
  >
    <ContentHeader title="Policies and bindings" />
    <Access />
  </AdminPage>
);
