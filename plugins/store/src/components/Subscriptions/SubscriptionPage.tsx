import {
  Content,
  Header,
  HeaderLabel,
  InfoCard,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import {
  formatPrice,
  PlanLimits,
  SubscriptionCharge,
  SubscriptionDetails,
} from '@internal/plugin-store-common';
import { Box, Grid, List, ListItem, Typography } from '@material-ui/core';
import { ReactNode, useCallback, useState } from 'react';
import { useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { storeApiRef } from '../../api/StoreApi';
import { orderRouteRef, subscriptionsRouteRef } from '../../routes';
import {
  SubscriptionActionButtons,
  SubscriptionActionDialog,
} from './SubscriptionActions';
import { PrincipalLink } from '../shared/EntityRefs';
import { SubscriptionStatusLabel } from './SubscriptionStatusLabel';
import { SubscriptionTimeline } from './SubscriptionTimeline';
import {
  formatMoney,
  isoDay,
  shortId,
  stackHref,
  SubscriptionActionKind,
} from './subscriptionText';

const LIMIT_NAMES: Record<keyof PlanLimits, string> = {
  instances: 'Instances',
  cpu: 'CPU',
  memory: 'Memory',
  storage: 'Storage',
};

function Field(props: { label: string; children: ReactNode }) {
  return (
    <>
      <Typography variant="subtitle2">{props.label}</Typography>
      <Typography paragraph component="div">
        {props.children}
      </Typography>
    </>
  );
}

function Limits(props: { limits?: PlanLimits }) {
  const limits = Object.entries(props.limits ?? {}).filter(
    ([, value]) => value !== undefined,
  ) as Array<[keyof PlanLimits, string | number]>;
  if (limits.length === 0) {
    return <>None stated</>;
  }
  return (
    <List dense disablePadding aria-label="Plan limits">
      {limits.map(([key, value]) => (
        <ListItem key={key} disableGutters>
          {LIMIT_NAMES[key] ?? key}: {value}
        </ListItem>
      ))}
    </List>
  );
}

function Charges(props: { charges: SubscriptionCharge[] }) {
  const { charges } = props;
  const columns: TableColumn<SubscriptionCharge>[] = [
    { title: 'Description', field: 'description' },
    { title: 'Kind', field: 'kind' },
    {
      title: 'Period',
      render: charge => `${charge.periodStart} – ${charge.periodEnd}`,
    },
    { title: 'Amount', render: charge => formatMoney(charge.amount) },
    {
      title: 'Charged',
      render: charge => new Date(charge.createdAt).toLocaleString(),
    },
  ];
  // Invoices come later; their ids show once the backend has any.
  if (charges.some(charge => charge.invoiceId)) {
    columns.push({ title: 'Invoice', render: c => c.invoiceId ?? '' });
  }
  return (
    <Table<SubscriptionCharge>
      title="Charges"
      options={{ paging: false, search: false }}
      columns={columns}
      data={charges}
      emptyContent={<Box p={2}>Nothing has been charged yet.</Box>}
    />
  );
}

function Overview(props: {
  subscription: SubscriptionDetails;
  onAction: (action: SubscriptionActionKind) => void;
}) {
  const { subscription: s, onAction } = props;
  const orderRoute = useRouteRef(orderRouteRef);
  return (
    <InfoCard title="Subscription">
      <Field label="Status">
        <SubscriptionStatusLabel status={s.status} />
        {s.cancelAtPeriodEnd && s.status !== 'cancelled'
          ? ` — ends on ${s.currentPeriodEnd}`
          : ''}
      </Field>
      <Field label="Plan">
        {s.plan.title} — {formatPrice(s.plan.price)}
      </Field>
      <Field label="Limits">
        <Limits limits={s.plan.limits} />
      </Field>
      <Field label="Current period">
        {s.currentPeriodStart} to {s.currentPeriodEnd}
      </Field>
      {s.trialEndsAt && (
        <Field label="Trial ends">
          {new Date(s.trialEndsAt).toLocaleString()}
        </Field>
      )}
      <Field label="Auto-renew">{s.autoRenew ? 'On' : 'Off'}</Field>
      {s.nextRenewalPrice && (
        <Field label="Next renewal">{formatMoney(s.nextRenewalPrice)}</Field>
      )}
      <Field label="Started">{new Date(s.startedAt).toLocaleString()}</Field>
      {s.endedAt && (
        <Field label="Ended">{new Date(s.endedAt).toLocaleString()}</Field>
      )}
      <Field label="Billed to">
        <PrincipalLink entityRef={s.owner} />
        {s.costCenter ? ` (cost centre ${s.costCenter})` : ''}
      </Field>
      <Field label="Ordered by">
        <PrincipalLink entityRef={s.requester} /> —{' '}
        <Link to={orderRoute?.({ id: s.orderId }) ?? '#'}>the order</Link>
      </Field>
      <SubscriptionActionButtons subscription={s} onAction={onAction} />
    </InfoCard>
  );
}

/**
 * One subscription: its plan and limits, period, charges, stacks and
 * timeline, and the actions its status allows. The header names its order,
 * stacks and start, which tell it apart from others of the same product.
 */
export function SubscriptionPage() {
  const { id = '' } = useParams();
  const storeApi = useApi(storeApiRef);
  const subscriptionsRoute = useRouteRef(subscriptionsRouteRef);
  const orderRoute = useRouteRef(orderRouteRef);
  const subscription = useAsyncRetry(
    () => storeApi.getSubscription({ id }),
    [storeApi, id],
  );
  const [action, setAction] = useState<SubscriptionActionKind>();
  const { retry } = subscription;
  const done = useCallback(() => {
    setAction(undefined);
    retry();
  }, [retry]);
  const close = useCallback(() => setAction(undefined), []);
  const value = subscription.value;
  return (
    <Page themeId="home">
      <Header
        title={value ? `${value.productTitle} subscription` : 'Subscription'}
        type="My subscriptions"
        typeLink={subscriptionsRoute?.() ?? '/store/subscriptions'}
      >
        {value && (
          <HeaderLabel
            label="Owner"
            value={<PrincipalLink entityRef={value.owner} color="inherit" />}
          />
        )}
        {value && (
          <HeaderLabel
            label="Order"
            value={shortId(value.orderId)}
            url={orderRoute?.({ id: value.orderId })}
          />
        )}
        {value && (
          <HeaderLabel
            label="Stacks"
            value={value.stacks.map(shortId).join(', ') || '—'}
          />
        )}
        {value && (
          <HeaderLabel label="Started" value={isoDay(value.startedAt)} />
        )}
      </Header>
      <Content>
        {subscription.loading && !value && <Progress />}
        {subscription.error && (
          <ResponseErrorPanel
            error={subscription.error}
            title="The subscription could not be loaded"
          />
        )}
        {value && (
          <Grid container spacing={3}>
            <Grid item xs={12} md={5}>
              <Overview subscription={value} onAction={setAction} />
            </Grid>
            <Grid item xs={12} md={7}>
              <Grid container spacing={3}>
                <Grid item xs={12}>
                  <InfoCard title="Stacks">
                    {value.stacks.length === 0 ? (
                      <Typography>No stacks run for it.</Typography>
                    ) : (
                      <List dense aria-label="Stacks">
                        {value.stacks.map(stack => (
                          <ListItem key={stack} disableGutters>
                            <Link to={stackHref(stack)}>{stack}</Link>
                          </ListItem>
                        ))}
                      </List>
                    )}
                  </InfoCard>
                </Grid>
                <Grid item xs={12}>
                  <Charges charges={value.charges} />
                </Grid>
                <Grid item xs={12}>
                  <InfoCard title="Timeline">
                    <SubscriptionTimeline subscription={value} />
                  </InfoCard>
                </Grid>
              </Grid>
            </Grid>
          </Grid>
        )}
        {value && action && (
          <SubscriptionActionDialog
            subscription={value}
            action={action}
            onDone={done}
            onClose={close}
          />
        )}
      </Content>
    </Page>
  );
}
