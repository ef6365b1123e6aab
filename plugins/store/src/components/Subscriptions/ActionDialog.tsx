import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  LinearProgress,
  Table,
  TableBody,
  TableCell,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { ReactNode } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { errorMessage } from './subscriptionText';

/**
 * The frame of every subscription action: its form and quote, the error of
 * a refused confirmation, and the buttons. Confirming stays possible only
 * while `canConfirm` says the shown quote is the one that will be sent.
 */
export function ActionDialog(props: {
  title: string;
  confirmLabel: string;
  canConfirm: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  children: ReactNode;
}) {
  const { title, confirmLabel, canConfirm, onConfirm, onClose } = props;
  const [state, confirm] = useAsyncFn(onConfirm, [onConfirm]);
  return (
    <Dialog
      open
      fullWidth
      maxWidth="sm"
      onClose={state.loading ? undefined : onClose}
      aria-labelledby="subscription-action-title"
    >
      <DialogTitle id="subscription-action-title">{title}</DialogTitle>
      <DialogContent>
        {props.children}
        {state.error && (
          <Alert severity="error">{errorMessage(state.error)}</Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={state.loading}>
          Close
        </Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!canConfirm || state.loading}
          onClick={() => confirm()}
        >
          {confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** A quote as it loads, fails or is priced. */
export function QuoteState<T>(props: {
  state: { loading: boolean; error?: Error; value?: T };
  children: (value: T) => ReactNode;
}) {
  const { state } = props;
  if (state.loading) {
    return <LinearProgress aria-label="Loading the quote" />;
  }
  if (state.error) {
    return <Alert severity="error">{errorMessage(state.error)}</Alert>;
  }
  return state.value === undefined ? null : <>{props.children(state.value)}</>;
}

/** The lines of a quote, label and value. */
export function Breakdown(props: {
  rows: Array<[label: string, value: ReactNode]>;
}) {
  return (
    <Table size="small" aria-label="Quote">
      <TableBody>
        {props.rows.map(([label, value]) => (
          <TableRow key={label}>
            <TableCell component="th" scope="row" role="rowheader">
              {label}
            </TableCell>
            <TableCell>{value}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** What an action does to the stacks of a subscription. */
export function StackChanges(props: { changes: string[] }) {
  if (props.changes.length === 0) {
    return <>No change</>;
  }
  return (
    <>
      {props.changes.map(change => (
        <Typography key={change} variant="body2" display="block">
          {change}
        </Typography>
      ))}
    </>
  );
}
