import {
  Content,
  Header,
  InfoCard,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Box,
  Button,
  Grid,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableFooter,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import PrintIcon from '@material-ui/icons/Print';
import { ReactNode, useCallback, useState } from 'react';
import { useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  CreditNote,
  Invoice,
  storeBillingReadPermission,
} from '@internal/plugin-store-common';
import { storeApiRef } from '../../api/StoreApi';
import { billingRouteRef, subscriptionRouteRef } from '../../routes';
import { formatMoney } from '../Subscriptions/subscriptionText';
import { PrincipalLink } from '../shared/EntityRefs';
import { invoiceLineKindLabel } from './billingText';
import { CreditNoteDialog } from './CreditNoteDialog';
import { InvoiceCsvButton } from './InvoiceCsvButton';

const useStyles = makeStyles(theme => ({
  // Printed, the invoice is the page: the app's chrome and the page's own
  // controls stay on screen only. The chrome's own classes set its display,
  // which a rule on element names alone would not outweigh.
  '@global': {
    '@media print': {
      'nav, header, [data-testid="sidebar-root"]': {
        display: 'none !important',
      },
      body: { background: 'white' },
    },
  },
  noPrint: {
    '@media print': { display: 'none' },
  },
  sheet: {
    '@media print': {
      boxShadow: 'none',
      padding: 0,
      color: 'black',
    },
  },
  amount: {
    textAlign: 'right',
    whiteSpace: 'nowrap',
  },
  total: {
    fontWeight: theme.typography.fontWeightBold as number,
    fontSize: theme.typography.body1.fontSize,
  },
}));

/**
 * Whether the caller is finance or an administrator, who may issue credit
 * notes. They are allowed to read billing unconditionally; everybody else
 * only on a condition about the subscriptions of their groups, which a
 * billing account's ref never meets, so asking about the account is
 * allowed for exactly them. A resource permission cannot be asked about
 * without a resource. The backend refuses anybody else's credit note all
 * the same.
 */
function useIsFinance(account: string | undefined): boolean {
  const { allowed } = usePermission({
    permission: storeBillingReadPermission,
    resourceRef: account,
  });
  return allowed;
}

function Field(props: { label: string; children: ReactNode }) {
  return (
    <Grid item xs={6} sm={4} md={2}>
      <Typography variant="caption" color="textSecondary" display="block">
        {props.label}
      </Typography>
      <Typography variant="body1">{props.children}</Typography>
    </Grid>
  );
}

function InvoiceLines(props: { invoice: Invoice }) {
  const { invoice } = props;
  const classes = useStyles();
  const subscriptionRoute = useRouteRef(subscriptionRouteRef);
  return (
    <Table size="small" aria-label="Invoice lines">
      <TableHead>
        <TableRow>
          <TableCell>Kind</TableCell>
          <TableCell>Description</TableCell>
          <TableCell className={classes.amount}>Quantity</TableCell>
          <TableCell className={classes.amount}>Amount</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {invoice.lines.map(line => (
          <TableRow key={line.id}>
            <TableCell>{invoiceLineKindLabel(line.kind)}</TableCell>
            <TableCell>
              {line.description}
              {line.productTitle && line.subscriptionId && (
                <Typography variant="caption" display="block">
                  <Link
                    to={subscriptionRoute?.({ id: line.subscriptionId }) ?? '#'}
                  >
                    {line.productTitle}
                  </Link>
                </Typography>
              )}
            </TableCell>
            <TableCell className={classes.amount}>
              {line.quantity ?? ''}
            </TableCell>
            <TableCell className={classes.amount}>
              {formatMoney(line.amount)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
      <TableFooter>
        <TableRow>
          <TableCell colSpan={3} className={classes.total}>
            Total
          </TableCell>
          <TableCell
            className={`${classes.amount} ${classes.total}`}
            aria-label="Invoice total"
          >
            {formatMoney(invoice.total)}
          </TableCell>
        </TableRow>
      </TableFooter>
    </Table>
  );
}

function CreditNoteCard(props: { creditNote: CreditNote }) {
  const { creditNote: note } = props;
  const classes = useStyles();
  return (
    <Box mt={3}>
      <Typography variant="h6">Credit note {note.number}</Typography>
      <Typography variant="body2" color="textSecondary">
        Issued {new Date(note.createdAt).toLocaleDateString()} — {note.reason}
      </Typography>
      <Table size="small" aria-label={`Credit note ${note.number} lines`}>
        <TableBody>
          {note.lines.map((line, index) => (
            <TableRow key={index}>
              <TableCell>{line.description}</TableCell>
              <TableCell className={classes.amount}>
                {formatMoney(line.amount)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
        <TableFooter>
          <TableRow>
            <TableCell className={classes.total}>Total credited</TableCell>
            <TableCell className={`${classes.amount} ${classes.total}`}>
              {formatMoney(note.total)}
            </TableCell>
          </TableRow>
        </TableFooter>
      </Table>
    </Box>
  );
}

function InvoiceSheet(props: { invoice: Invoice; actions: ReactNode }) {
  const { invoice, actions } = props;
  const classes = useStyles();
  return (
    <InfoCard className={classes.sheet}>
      <Box display="flex" justifyContent="space-between" alignItems="center">
        <Typography variant="h4" component="h2">
          Invoice {invoice.number}
        </Typography>
        <Box className={classes.noPrint} display="flex" gridGap={8}>
          {actions}
        </Box>
      </Box>
      <Box my={2}>
        <Grid container spacing={2}>
          <Field label="Billing account">
            <PrincipalLink entityRef={invoice.account} />
          </Field>
          <Field label="Cost centre">{invoice.costCenter ?? '—'}</Field>
          <Field label="Period">{invoice.period}</Field>
          <Field label="Issued">
            {new Date(invoice.issuedAt).toLocaleDateString()}
          </Field>
          <Field label="Status">Issued</Field>
        </Grid>
      </Box>
      <InvoiceLines invoice={invoice} />
      {invoice.creditNotes.map(note => (
        <CreditNoteCard key={note.id} creditNote={note} />
      ))}
    </InfoCard>
  );
}

/**
 * One invoice laid out for print: its header, lines and total, the credit
 * notes issued against it, and for finance a way to issue another.
 */
export function InvoicePage() {
  const { id = '' } = useParams();
  const storeApi = useApi(storeApiRef);
  const billingRoute = useRouteRef(billingRouteRef);
  const invoice = useAsyncRetry(
    () => storeApi.getInvoice({ id }),
    [storeApi, id],
  );
  const isFinance = useIsFinance(invoice.value?.account);
  const [crediting, setCrediting] = useState(false);
  const { retry } = invoice;
  const done = useCallback(() => {
    setCrediting(false);
    retry();
  }, [retry]);
  const close = useCallback(() => setCrediting(false), []);
  const value = invoice.value;
  return (
    <Page themeId="home">
      <Header
        title={value ? `Invoice ${value.number}` : 'Invoice'}
        type="Billing"
        typeLink={billingRoute?.() ?? '/store/billing'}
      />
      <Content>
        {invoice.loading && !value && <Progress />}
        {invoice.error && (
          <ResponseErrorPanel
            error={invoice.error}
            title="The invoice could not be loaded"
          />
        )}
        {value && (
          <InvoiceSheet
            invoice={value}
            actions={
              <>
                <InvoiceCsvButton invoice={value} />
                <Button
                  size="small"
                  variant="outlined"
                  startIcon={<PrintIcon />}
                  onClick={() => window.print()}
                >
                  Print
                </Button>
                {isFinance && (
                  <Button
                    size="small"
                    variant="contained"
                    color="primary"
                    onClick={() => setCrediting(true)}
                  >
                    Credit note
                  </Button>
                )}
              </>
            }
          />
        )}
        {value && crediting && (
          <CreditNoteDialog invoice={value} onDone={done} onClose={close} />
        )}
      </Content>
    </Page>
  );
}
