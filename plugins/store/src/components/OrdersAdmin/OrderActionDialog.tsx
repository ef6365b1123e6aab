import { ResponseErrorPanel } from '@backstage/core-components';
import { Order } from '@internal/plugin-store-common';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  TextField,
} from '@material-ui/core';
import { useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { PrincipalLink } from '../shared/EntityRefs';

/** What an administrator does to an order from the admin page. */
export type OrderAdminAction = 'retry' | 'close' | 'reopen';

const WORDING: Record<
  OrderAdminAction,
  { title: string; confirm: string; text: string; done: string }
> = {
  retry: {
    title: 'Retry order',
    confirm: 'Retry',
    text: 'The order is provisioned again: a new scaffolder task starts.',
    done: 'retried',
  },
  close: {
    title: 'Close order',
    confirm: 'Close order',
    text: 'The order is cancelled and nothing more is provisioned for it.',
    done: 'closed',
  },
  reopen: {
    title: 'Reopen order',
    confirm: 'Reopen',
    text: 'The order waits for approval again, with a new deadline.',
    done: 'reopened',
  },
};

/** Asks for confirmation and a comment, then runs the action. */
export function OrderActionDialog(props: {
  order: Order;
  action: OrderAdminAction;
  onConfirm: (comment?: string) => Promise<void>;
  onClose: () => void;
}) {
  const { order, action, onConfirm, onClose } = props;
  const wording = WORDING[action];
  const [comment, setComment] = useState('');
  const [state, confirm] = useAsyncFn(
    () => onConfirm(comment.trim() || undefined),
    [onConfirm, comment],
  );
  return (
    <Dialog open onClose={onClose} aria-labelledby="order-action-title">
      <DialogTitle id="order-action-title">
        {wording.title}: {order.productTitle}
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          {wording.text} Ordered by{' '}
          <PrincipalLink entityRef={order.requester} />, now {order.status}.
        </DialogContentText>
        <TextField
          id="order-action-comment"
          label="Comment"
          fullWidth
          multiline
          minRows={2}
          variant="outlined"
          value={comment}
          inputProps={{ maxLength: 2000 }}
          onChange={e => setComment(e.target.value)}
        />
        {state.error && (
          <ResponseErrorPanel
            error={state.error}
            title={`The order could not be ${wording.done}`}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={state.loading}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          disabled={state.loading}
          onClick={confirm}
        >
          {wording.confirm}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
