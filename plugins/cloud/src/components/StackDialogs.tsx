import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { StackDetails } from '@internal/plugin-cloud-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useEffect, useState } from 'react';
import { cloudApiRef } from '../api/CloudApi';
import { messageOf } from './util';

/** Picks a role and how many nodes it should have. */
export const ScaleDialog = (props: {
  stack: StackDetails;
  onClose: () => void;
  onScale: (role: string, count: number) => void;
}) => {
  const roles = props.stack.spec.roles.map(r => r.name);
  const [role, setRole] = useState(roles.includes('app') ? 'app' : roles[0]);
  const current = props.stack.nodes.filter(n => n.role === role).length;
  const [count, setCount] = useState(String(current));
  return (
    <Dialog open onClose={props.onClose} aria-labelledby="scale-dialog-title">
      <DialogTitle id="scale-dialog-title">Scale a role</DialogTitle>
      <DialogContent>
        <TextField
          select
          label="Role"
          fullWidth
          value={role}
          onChange={e => setRole(e.target.value as string)}
        >
          {roles.map(r => (
            <MenuItem key={r} value={r}>
              {r}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          label="Nodes"
          type="number"
          fullWidth
          value={count}
          onChange={e => setCount(e.target.value)}
          inputProps={{ min: 0, 'aria-label': 'Nodes' }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          onClick={() => props.onScale(role, Number(count))}
        >
          Scale
        </Button>
      </DialogActions>
    </Dialog>
  );
};

/** Runs a script on a node and shows its output. */
export const ScriptDialog = (props: {
  stackId: string;
  node: string;
  onClose: () => void;
}) => {
  const cloudApi = useApi(cloudApiRef);
  const [script, setScript] = useState('');
  const [timeout, setTimeoutSeconds] = useState('60');
  const [output, setOutput] = useState<string>();
  const [running, setRunning] = useState(false);
  const submit = async () => {
    setRunning(true);
    try {
      const result = await cloudApi.runScript(
        props.stackId,
        props.node,
        script,
        Number(timeout),
      );
      setOutput(
        `${result.output}\n--- ${
          result.timedOut ? 'timed out' : `exit code ${result.exitCode}`
        } after ${result.durationMs} ms`,
      );
    } catch (e) {
      setOutput(messageOf(e));
    } finally {
      setRunning(false);
    }
  };
  return (
    <Dialog
      open
      onClose={props.onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="script-dialog-title"
    >
      <DialogTitle id="script-dialog-title">
        Run a script on {props.node}
      </DialogTitle>
      <DialogContent>
        <TextField
          label="Script"
          multiline
          minRows={4}
          fullWidth
          value={script}
          onChange={e => setScript(e.target.value)}
          helperText="Runs with /bin/sh in the node's folder; the run is audited with its text"
        />
        <TextField
          label="Timeout (seconds)"
          type="number"
          value={timeout}
          onChange={e => setTimeoutSeconds(e.target.value)}
        />
        {running && <Progress />}
        {output !== undefined && (
          <pre data-testid="script-output">{output}</pre>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
        <Button color="primary" disabled={!script || running} onClick={submit}>
          Run
        </Button>
      </DialogActions>
    </Dialog>
  );
};

/** Shows the tail of a node's log. */
export const LogsDialog = (props: {
  stackId: string;
  node: string;
  onClose: () => void;
}) => {
  const cloudApi = useApi(cloudApiRef);
  const [logs, setLogs] = useState<string>();
  useEffect(() => {
    cloudApi
      .getLogs(props.stackId, props.node)
      .then(setLogs, e => setLogs(messageOf(e)));
  }, [cloudApi, props.stackId, props.node]);
  return (
    <Dialog
      open
      onClose={props.onClose}
      fullWidth
      maxWidth="lg"
      aria-labelledby="logs-dialog-title"
    >
      <DialogTitle id="logs-dialog-title">Logs of {props.node}</DialogTitle>
      <DialogContent>
        {logs === undefined ? <Progress /> : <pre>{logs}</pre>}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
};
