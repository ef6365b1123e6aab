import { useApi } from '@backstage/frontend-plugin-api';
import {
  Box,
  Button,
  IconButton,
  TextField,
  Typography,
} from '@material-ui/core';
import AddIcon from '@material-ui/icons/Add';
import DeleteIcon from '@material-ui/icons/Delete';
import { useCallback, useState } from 'react';
import { Invoice } from '@internal/plugin-store-common';
import { storeApiRef } from '../../api/StoreApi';
import { ActionDialog } from '../Subscriptions/ActionDialog';
import {
  CreditNoteDraft,
  CreditNoteProblems,
  creditNoteRequest,
} from './billingText';

const EMPTY_LINE = { description: '', amount: '' };

/**
 * Issues a credit note against an invoice: a reason and lines of
 * description and decimal amount, checked before they are posted.
 */
export function CreditNoteDialog(props: {
  invoice: Invoice;
  onDone: () => void;
  onClose: () => void;
}) {
  const { invoice, onDone, onClose } = props;
  const storeApi = useApi(storeApiRef);
  const [draft, setDraft] = useState<CreditNoteDraft>({
    reason: '',
    lines: [EMPTY_LINE],
  });
  const [problems, setProblems] = useState<CreditNoteProblems>();

  const setLine =
    (index: number, key: 'description' | 'amount') => (value: string) =>
      setDraft(previous => ({
        ...previous,
        lines: previous.lines.map((line, i) =>
          i === index ? { ...line, [key]: value } : line,
        ),
      }));

  const confirm = useCallback(async () => {
    const checked = creditNoteRequest(draft);
    if ('problems' in checked) {
      setProblems(checked.problems);
      return;
    }
    setProblems(undefined);
    await storeApi.createCreditNote({
      id: invoice.id,
      request: checked.request,
    });
    onDone();
  }, [draft, storeApi, invoice.id, onDone]);

  return (
    <ActionDialog
      title={`Credit note for ${invoice.number}`}
      confirmLabel="Issue credit note"
      canConfirm
      onConfirm={confirm}
      onClose={onClose}
    >
      <Typography paragraph variant="body2">
        Invoice total {invoice.total.currency} {invoice.total.amount}. Amounts
        are in {invoice.total.currency}.
      </Typography>
      <TextField
        id="credit-note-reason"
        label="Reason"
        fullWidth
        multiline
        margin="dense"
        variant="outlined"
        value={draft.reason}
        error={Boolean(problems?.reason)}
        helperText={problems?.reason}
        onChange={e => setDraft({ ...draft, reason: e.target.value })}
      />
      {draft.lines.map((line, index) => {
        const lineProblems = problems?.lines[index];
        const n = index + 1;
        return (
          <Box key={index} display="flex" alignItems="flex-start" gridGap={8}>
            <TextField
              id={`credit-note-line-${n}-description`}
              label={`Line ${n} description`}
              margin="dense"
              variant="outlined"
              style={{ flex: 3 }}
              value={line.description}
              error={Boolean(lineProblems?.description)}
              helperText={lineProblems?.description}
              onChange={e => setLine(index, 'description')(e.target.value)}
            />
            <TextField
              id={`credit-note-line-${n}-amount`}
              label={`Line ${n} amount`}
              margin="dense"
              variant="outlined"
              inputProps={{ inputMode: 'decimal' }}
              style={{ flex: 1 }}
              value={line.amount}
              error={Boolean(lineProblems?.amount)}
              helperText={lineProblems?.amount}
              onChange={e => setLine(index, 'amount')(e.target.value)}
            />
            <IconButton
              aria-label={`Remove line ${n}`}
              disabled={draft.lines.length === 1}
              onClick={() => {
                setProblems(undefined);
                setDraft({
                  ...draft,
                  lines: draft.lines.filter((_, i) => i !== index),
                });
              }}
            >
              <DeleteIcon />
            </IconButton>
          </Box>
        );
      })}
      {problems?.form && (
        <Typography color="error" variant="body2">
          {problems.form}
        </Typography>
      )}
      <Button
        size="small"
        startIcon={<AddIcon />}
        onClick={() =>
          setDraft({ ...draft, lines: [...draft.lines, EMPTY_LINE] })
        }
      >
        Add line
      </Button>
    </ActionDialog>
  );
}
