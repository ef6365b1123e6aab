import {
  Content,
  EmptyState,
  Header,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  nextOrderStatus,
  Order,
  ORDER_STATUSES,
  OrderStatus,
  storeOrderAdminPermission,
} from '@internal/plugin-store-common';
import {
  Box,
  Button,
  Checkbox,
  FormControl,
  Grid,
  InputLabel,
  ListItemText,
  MenuItem,
  Select,
  TextField,
} from '@material-ui/core';
import { FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { storeApiRef } from '../../api/StoreApi';
import { orderRouteRef, rootRouteRef } from '../../routes';
import { OrderStatusLabel } from '../Orders/OrderStatusLabel';
import { PrincipalLink } from '../shared/EntityRefs';
import { OrderActionDialog, OrderAdminAction } from './OrderActionDialog';
import {
  filtersFromParams,
  filtersProblem,
  filtersToParams,
  OrdersAdminFilters,
  toListFilters,
} from './ordersAdminFilters';

const PAGE_SIZE = 50;
const ADMIN_ACTIONS: OrderAdminAction[] = ['retry', 'close', 'reopen'];
const ACTION_LABELS: Record<OrderAdminAction, string> = {
  retry: 'Retry',
  close: 'Close',
  reopen: 'Reopen',
};

/** The actions an administrator may take on an order in its status. */
function adminActionsFor(status: OrderStatus): OrderAdminAction[] {
  return ADMIN_ACTIONS.filter(
    action => 'status' in nextOrderStatus({ status, action, roles: ['admin'] }),
  );
}

function statusName(status: string) {
  return status.replace('_', ' ');
}

function FiltersForm(props: {
  filters: OrdersAdminFilters;
  onApply: (filters: OrdersAdminFilters) => void;
}) {
  const [draft, setDraft] = useState(props.filters);
  useEffect(() => setDraft(props.filters), [props.filters]);
  const text = (key: 'product' | 'requester' | 'group', label: string) => (
    <TextField
      id={`orders-filter-${key}`}
      label={label}
      size="small"
      variant="outlined"
      value={draft[key]}
      onChange={e => setDraft({ ...draft, [key]: e.target.value })}
    />
  );
  const day = (key: 'from' | 'to', label: string) => (
    <TextField
      id={`orders-filter-${key}`}
      label={label}
      type="date"
      size="small"
      variant="outlined"
      InputLabelProps={{ shrink: true }}
      value={draft[key]}
      onChange={e => setDraft({ ...draft, [key]: e.target.value })}
    />
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onApply(draft);
  };
  return (
    <form onSubmit={submit} aria-label="Order filters">
      <Box display="flex" flexWrap="wrap" alignItems="center" gridGap={12}>
        <FormControl variant="outlined" size="small" style={{ minWidth: 180 }}>
          <InputLabel id="orders-filter-status-label">Status</InputLabel>
          <Select
            labelId="orders-filter-status-label"
            id="orders-filter-status"
            label="Status"
            multiple
            value={draft.status}
            renderValue={selected =>
              (selected as string[]).map(statusName).join(', ')
            }
            onChange={e =>
              setDraft({ ...draft, status: e.target.value as OrderStatus[] })
            }
          >
            {ORDER_STATUSES.map(status => (
              <MenuItem key={status} value={status}>
                <Checkbox checked={draft.status.includes(status)} />
                <ListItemText primary={statusName(status)} />
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        {text('product', 'Product')}
        {text('requester', 'Requester')}
        {text('group', 'Group')}
        {day('from', 'Created from')}
        {day('to', 'Created to')}
        <Button type="submit" variant="contained" color="primary">
          Apply filters
        </Button>
        <Button
          variant="outlined"
          onClick={() =>
            props.onApply({
              status: [],
              product: '',
              requester: '',
              group: '',
              from: '',
              to: '',
            })
          }
        >
          Clear
        </Button>
      </Box>
    </form>
  );
}

function AdminOrders() {
  const storeApi = useApi(storeApiRef);
  const orderRoute = useRouteRef(orderRouteRef);
  const [searchParams, setSearchParams] = useSearchParams();
  const search = searchParams.toString();
  const filters = useMemo(
    () => filtersFromParams(new URLSearchParams(search)),
    [search],
  );
  const problem = filtersProblem(filters);

  const firstPage = useAsyncRetry(async () => {
    if (problem) {
      return undefined;
    }
    return storeApi.listOrders({
      scope: 'all',
      limit: PAGE_SIZE,
      ...toListFilters(filters),
    });
  }, [storeApi, filters, problem]);
  const [more, setMore] = useState<{ items: Order[]; nextCursor?: string }>();
  useEffect(() => setMore(undefined), [firstPage.value]);
  const nextCursor = more ? more.nextCursor : firstPage.value?.nextCursor;
  const [moreState, loadMore] = useAsyncFn(async () => {
    const page = await storeApi.listOrders({
      scope: 'all',
      limit: PAGE_SIZE,
      cursor: nextCursor,
      ...toListFilters(filters),
    });
    setMore(previous => ({
      items: [...(previous?.items ?? []), ...page.items],
      nextCursor: page.nextCursor,
    }));
  }, [storeApi, filters, nextCursor]);

  const [pending, setPending] = useState<{
    order: Order;
    action: OrderAdminAction;
  }>();
  const runAction = useCallback(
    async (comment?: string) => {
      if (!pending) {
        return;
      }
      await storeApi.decideOrder({
        id: pending.order.id,
        action: pending.action,
        comment,
      });
      setPending(undefined);
      firstPage.retry();
    },
    [storeApi, pending, firstPage],
  );

  const items = [...(firstPage.value?.items ?? []), ...(more?.items ?? [])];
  const columns: TableColumn<Order>[] = [
    {
      title: 'Product',
      render: order => (
        <Link to={orderRoute?.({ id: order.id }) ?? '#'}>
          {order.productTitle}
        </Link>
      ),
    },
    { title: 'Plan', field: 'planId' },
    {
      title: 'Requester',
      field: 'requester',
      render: order => <PrincipalLink entityRef={order.requester} />,
    },
    {
      title: 'Group',
      render: order => <PrincipalLink entityRef={order.ownerGroup} />,
    },
    {
      title: 'Status',
      render: order => <OrderStatusLabel status={order.status} />,
    },
    {
      title: 'Created',
      render: order => new Date(order.createdAt).toLocaleString(),
    },
    {
      title: 'Actions',
      render: order => (
        <Box display="flex" gridGap={8}>
          {adminActionsFor(order.status).map(action => (
            <Button
              key={action}
              size="small"
              variant="outlined"
              aria-label={`${ACTION_LABELS[action]} order ${order.id}`}
              onClick={() => setPending({ order, action })}
            >
              {ACTION_LABELS[action]}
            </Button>
          ))}
        </Box>
      ),
    },
  ];

  let results;
  if (problem) {
    results = <WarningPanel severity="error" title={problem} />;
  } else if (firstPage.error) {
    results = (
      <ResponseErrorPanel
        error={firstPage.error}
        title="The orders could not be loaded"
      />
    );
  } else {
    results = (
      <>
        <Table<Order>
          title={
            firstPage.value
              ? `Orders (${firstPage.value.totalItems})`
              : 'Orders'
          }
          isLoading={firstPage.loading}
          options={{ paging: false, search: false }}
          columns={columns}
          data={items}
          emptyContent={<Box p={2}>No orders match the filters.</Box>}
        />
        {moreState.error && (
          <ResponseErrorPanel
            error={moreState.error}
            title="More orders could not be loaded"
          />
        )}
        {nextCursor && (
          <Box mt={2}>
            <Button
              variant="outlined"
              disabled={moreState.loading}
              onClick={loadMore}
            >
              Show more
            </Button>
          </Box>
        )}
      </>
    );
  }

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <FiltersForm
          filters={filters}
          onApply={applied => setSearchParams(filtersToParams(applied))}
        />
      </Grid>
      <Grid item xs={12}>
        {results}
      </Grid>
      {pending && (
        <OrderActionDialog
          order={pending.order}
          action={pending.action}
          onConfirm={runAction}
          onClose={() => setPending(undefined)}
        />
      )}
    </Grid>
  );
}

/**
 * Every order, for store administrators: filters kept in the URL, and the
 * operations that unstick an order (retry, close, reopen).
 */
export function OrdersAdminPage() {
  const storeRoute = useRouteRef(rootRouteRef);
  const { loading, allowed } = usePermission({
    permission: storeOrderAdminPermission,
  });
  let content;
  if (loading) {
    content = <Progress />;
  } else if (!allowed) {
    content = (
      <EmptyState
        missing="content"
        title="Not available"
        description="The orders administration is for store administrators."
      />
    );
  } else {
    content = <AdminOrders />;
  }
  return (
    <Page themeId="home">
      <Header
        title="Orders administration"
        subtitle="Every order of the store"
        type="Store"
        typeLink={storeRoute?.() ?? '/store'}
      />
      <Content>{content}</Content>
    </Page>
  );
}
