import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  InvoiceRunResult,
  storeBillingManagePermission,
} from '@internal/plugin-store-common';
import { Button, TextField, Typography } from '@material-ui/core';
import ReceiptIcon from '@material-ui/icons/Receipt';
import { Alert } from '@material-ui/lab';
import { useCallback, useState } from 'react';
import { storeApiRef } from '../../api/StoreApi';
import { ActionDialog } from '../Subscriptions/ActionDialog';
import { invoiceRunMessage, isMonth, recentMonths } from './billingText';

function RunInvoicesDialog(props: { onDone: () => void; onClose: () => void }) {
  const { onDone, onClose } = props;
  const storeApi = useApi(storeApiRef);
  // The month before this one: the latest that can have ended.
  const [period, setPeriod] = useState(() => recentMonths(new Date(), 2)[1]);
  const [result, setResult] = useState<InvoiceRunResult>();
  const valid = isMonth(period);

  const run = useCallback(async () => {
    setResult(undefined);
    setResult(await storeApi.runInvoices({ period }));
    onDone();
  }, [storeApi, period, onDone]);

  return (
    <ActionDialog
      title="Run invoices"
      confirmLabel="Run invoices"
      canConfirm={valid}
      onConfirm={run}
      onClose={onClose}
    >
      <Typography paragraph variant="body2">
        Issues the invoices of a month that has ended, as the scheduled run
        does: one per billing account and currency. A month that is invoiced
        already issues nothing new.
      </Typography>
      <TextField
        id="invoice-run-period"
        label="Month"
        type="month"
        margin="dense"
        variant="outlined"
        InputLabelProps={{ shrink: true }}
        value={period}
        error={!valid}
        helperText={valid ? undefined : 'A month, YYYY-MM'}
        onChange={e => {
          setResult(undefined);
          setPeriod(e.target.value);
        }}
      />
      {result && (
        <Alert severity={result.issued.length ? 'success' : 'info'}>
          {invoiceRunMessage(result)}
        </Alert>
      )}
    </ActionDialog>
  );
}

/**
 * Runs the invoices of a month on demand, for those allowed to manage
 * billing (administrators); nobody else sees it. The backend refuses
 * anybody else all the same.
 */
export function RunInvoicesButton(props: { onDone: () => void }) {
  const { allowed } = usePermission({
    permission: storeBillingManagePermission,
  });
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  if (!allowed) {
    return null;
  }
  return (
    <>
      <Button
        variant="contained"
        color="primary"
        startIcon={<ReceiptIcon />}
        onClick={() => setOpen(true)}
      >
        Run invoices
      </Button>
      {open && <RunInvoicesDialog onDone={props.onDone} onClose={close} />}
    </>
  );
}
