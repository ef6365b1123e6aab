import {
  Content,
  Header,
  Link,
  LinkButton,
  Page,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { Box, Button, TextField } from '@material-ui/core';
import BarChartIcon from '@material-ui/icons/BarChart';
import { FormEvent, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { InvoiceSummary } from '@internal/plugin-store-common';
import { storeApiRef } from '../../api/StoreApi';
import { costsRouteRef, invoiceRouteRef, rootRouteRef } from '../../routes';
import { formatMoney } from '../Subscriptions/subscriptionText';
import { ShowMore, useCursorPages } from '../shared/useCursorPages';
import { PrincipalLink } from '../shared/EntityRefs';
import { isMonth } from './billingText';
import { InvoiceCsvButton } from './InvoiceCsvButton';
import { RunInvoicesButton } from './RunInvoicesButton';

const PAGE_SIZE = 50;

type Filters = { account: string; period: string };

function FiltersForm(props: {
  filters: Filters;
  onApply: (filters: Filters) => void;
}) {
  const [draft, setDraft] = useState(props.filters);
  useEffect(() => setDraft(props.filters), [props.filters]);
  const periodProblem =
    draft.period && !isMonth(draft.period) ? 'A month, YYYY-MM' : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!periodProblem) {
      props.onApply({ account: draft.account.trim(), period: draft.period });
    }
  };
  return (
    <form onSubmit={submit} aria-label="Invoice filters">
      <Box display="flex" flexWrap="wrap" alignItems="center" gridGap={12}>
        <TextField
          id="invoices-filter-account"
          label="Billing account"
          placeholder="group:default/team-a"
          size="small"
          variant="outlined"
          value={draft.account}
          onChange={e => setDraft({ ...draft, account: e.target.value })}
        />
        <TextField
          id="invoices-filter-period"
          label="Period"
          type="month"
          size="small"
          variant="outlined"
          InputLabelProps={{ shrink: true }}
          value={draft.period}
          error={Boolean(periodProblem)}
          helperText={periodProblem}
          onChange={e => setDraft({ ...draft, period: e.target.value })}
        />
        <Button type="submit" variant="contained" color="primary">
          Apply filters
        </Button>
        <Button
          variant="outlined"
          onClick={() => props.onApply({ account: '', period: '' })}
        >
          Clear
        </Button>
      </Box>
    </form>
  );
}

/**
 * The invoices of the billing accounts the caller may see, filtered by
 * account and period (kept in the URL), each with its CSV; for
 * administrators also the invoice run of a month.
 */
export function BillingPage() {
  const storeApi = useApi(storeApiRef);
  const storeRoute = useRouteRef(rootRouteRef);
  const invoiceRoute = useRouteRef(invoiceRouteRef);
  const costsRoute = useRouteRef(costsRouteRef);
  const [searchParams, setSearchParams] = useSearchParams();
  const account = searchParams.get('account') ?? '';
  const period = searchParams.get('period') ?? '';
  const filters = useMemo(() => ({ account, period }), [account, period]);
  const applyFilters = (next: Filters) => {
    const params = new URLSearchParams();
    if (next.account) params.set('account', next.account);
    if (next.period) params.set('period', next.period);
    setSearchParams(params);
  };

  const query = useMemo(
    () => ({
      account: account || undefined,
      period: period || undefined,
      limit: PAGE_SIZE,
    }),
    [account, period],
  );
  const pages = useCursorPages(
    cursor => storeApi.listInvoices({ ...query, cursor }),
    [storeApi, query],
  );

  const columns = useMemo<TableColumn<InvoiceSummary>[]>(
    () => [
      {
        title: 'Invoice',
        render: invoice => (
          <Link to={invoiceRoute?.({ id: invoice.id }) ?? '#'}>
            {invoice.number}
          </Link>
        ),
      },
      {
        title: 'Billing account',
        field: 'account',
        render: invoice => <PrincipalLink entityRef={invoice.account} />,
      },
      {
        title: 'Cost centre',
        render: invoice => invoice.costCenter ?? '—',
      },
      { title: 'Period', field: 'period' },
      {
        title: 'Issued',
        render: invoice => new Date(invoice.issuedAt).toLocaleDateString(),
      },
      { title: 'Total', render: invoice => formatMoney(invoice.total) },
      {
        title: 'Export',
        render: invoice => <InvoiceCsvButton invoice={invoice} />,
      },
    ],
    [invoiceRoute],
  );

  return (
    <Page themeId="home">
      <Header
        title="Billing"
        subtitle="The invoices of your billing accounts"
        type="Store"
        typeLink={storeRoute?.() ?? '/store'}
      />
      <Content>
        <Box
          display="flex"
          justifyContent="space-between"
          alignItems="flex-start"
          flexWrap="wrap"
          gridGap={12}
          mb={2}
        >
          <FiltersForm filters={filters} onApply={applyFilters} />
          <Box display="flex" gridGap={12}>
            <RunInvoicesButton onDone={pages.retry} />
            <LinkButton
              to={costsRoute?.() ?? '/store/billing/costs'}
              variant="outlined"
              startIcon={<BarChartIcon />}
            >
              Cost analytics
            </LinkButton>
          </Box>
        </Box>
        {pages.error ? (
          <ResponseErrorPanel
            error={pages.error}
            title="The invoices could not be loaded"
          />
        ) : (
          <>
            <Table<InvoiceSummary>
              title="Invoices"
              isLoading={pages.loading}
              options={{ paging: false, search: false }}
              columns={columns}
              data={pages.items}
              emptyContent={
                <Box p={2}>
                  No invoices
                  {account || period ? ' match these filters' : ' yet'}.
                </Box>
              }
            />
            <ShowMore
              more={pages.more}
              errorTitle="More invoices could not be loaded"
            />
          </>
        )}
      </Content>
    </Page>
  );
}
