import {
  Content,
  Header,
  Link,
  Page,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { Subscription } from '@internal/plugin-store-common';
import { Box, Button } from '@material-ui/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { storeApiRef, SubscriptionList } from '../../api/StoreApi';
import { rootRouteRef, subscriptionRouteRef } from '../../routes';
import {
  SubscriptionActionButtons,
  SubscriptionActionDialog,
} from './SubscriptionActions';
import { SubscriptionStatusLabel } from './SubscriptionStatusLabel';
import { formatMoney, SubscriptionActionKind } from './subscriptionText';

const PAGE_SIZE = 50;

/** The subscriptions the caller may see, with their actions. */
export function SubscriptionsPage() {
  const storeApi = useApi(storeApiRef);
  const storeRoute = useRouteRef(rootRouteRef);
  const subscriptionRoute = useRouteRef(subscriptionRouteRef);

  const firstPage = useAsyncRetry(
    () => storeApi.listSubscriptions({ limit: PAGE_SIZE }),
    [storeApi],
  );
  const [more, setMore] = useState<SubscriptionList>();
  useEffect(() => setMore(undefined), [firstPage.value]);
  const nextCursor = more ? more.nextCursor : firstPage.value?.nextCursor;
  const [moreState, loadMore] = useAsyncFn(async () => {
    const page = await storeApi.listSubscriptions({
      limit: PAGE_SIZE,
      cursor: nextCursor,
    });
    setMore(previous => ({
      items: [...(previous?.items ?? []), ...page.items],
      nextCursor: page.nextCursor,
    }));
  }, [storeApi, nextCursor]);

  const [pending, setPending] = useState<{
    subscription: Subscription;
    action: SubscriptionActionKind;
  }>();
  const { retry } = firstPage;
  const done = useCallback(() => {
    setPending(undefined);
    retry();
  }, [retry]);
  const close = useCallback(() => setPending(undefined), []);

  const columns = useMemo<TableColumn<Subscription>[]>(
    () => [
      {
        title: 'Product',
        render: subscription => (
          <Link to={subscriptionRoute?.({ id: subscription.id }) ?? '#'}>
            {subscription.productTitle}
          </Link>
        ),
      },
      { title: 'Plan', render: subscription => subscription.plan.title },
      {
        title: 'Status',
        render: subscription => (
          <SubscriptionStatusLabel status={subscription.status} />
        ),
      },
      { title: 'Period start', field: 'currentPeriodStart' },
      { title: 'Period end', field: 'currentPeriodEnd' },
      {
        title: 'Auto-renew',
        render: subscription => (subscription.autoRenew ? 'On' : 'Off'),
      },
      {
        title: 'Next renewal',
        render: subscription =>
          subscription.nextRenewalPrice
            ? formatMoney(subscription.nextRenewalPrice)
            : '—',
      },
      {
        title: 'Actions',
        render: subscription => (
          <SubscriptionActionButtons
            size="small"
            subscription={subscription}
            onAction={action => setPending({ subscription, action })}
          />
        ),
      },
    ],
    [subscriptionRoute],
  );

  const items = [...(firstPage.value?.items ?? []), ...(more?.items ?? [])];
  return (
    <Page themeId="home">
      <Header
        title="My subscriptions"
        subtitle="The products your groups run, and what they cost"
        type="Store"
        typeLink={storeRoute?.() ?? '/store'}
      />
      <Content>
        {firstPage.error ? (
          <ResponseErrorPanel
            error={firstPage.error}
            title="Your subscriptions could not be loaded"
          />
        ) : (
          <>
            <Table<Subscription>
              title="Subscriptions"
              isLoading={firstPage.loading}
              options={{ paging: false, search: false }}
              columns={columns}
              data={items}
              emptyContent={
                <Box p={2}>
                  No subscriptions yet: an order becomes one once it is
                  fulfilled. Find a product in the{' '}
                  <Link to={storeRoute?.() ?? '/store'}>store</Link>.
                </Box>
              }
            />
            {moreState.error && (
              <ResponseErrorPanel
                error={moreState.error}
                title="More subscriptions could not be loaded"
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
        )}
        {pending && (
          <SubscriptionActionDialog
            subscription={pending.subscription}
            action={pending.action}
            onDone={done}
            onClose={close}
          />
        )}
      </Content>
    </Page>
  );
}
