import {
  Content,
  Header,
  HeaderLabel,
  InfoCard,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { formatPrice, OrderDetails } from '@internal/plugin-store-common';
import { Box, Button, Grid, Typography } from '@material-ui/core';
import { Fragment } from 'react';
import { useParams } from 'react-router-dom';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { OrderDecision, storeApiRef } from '../../api/StoreApi';
import { ordersRouteRef } from '../../routes';
import { PrincipalLink } from '../shared/EntityRefs';
import { OrderStatusLabel } from './OrderStatusLabel';
import { OrderTimeline } from './OrderTimeline';
import { taskLogHref } from './orderTimeline';

const ACTIONS: Array<{
  action: OrderDecision;
  label: string;
  when: OrderDetails['status'][];
}> = [
  {
    action: 'cancel',
    label: 'Cancel order',
    when: ['pending_approval', 'approved'],
  },
  { action: 'retry', label: 'Retry', when: ['failed'] },
];

function OrderActions(props: { order: OrderDetails; onChange: () => void }) {
  const storeApi = useApi(storeApiRef);
  const { order, onChange } = props;
  const [state, decide] = useAsyncFn(
    async (action: OrderDecision) => {
      await storeApi.decideOrder({ id: order.id, action });
      onChange();
    },
    [storeApi, order.id, onChange],
  );
  const available = ACTIONS.filter(a => a.when.includes(order.status));
  if (available.length === 0) {
    return null;
  }
  return (
    <Box mt={2}>
      {available.map(a => (
        <Box component="span" mr={1} key={a.action}>
          <Button
            variant="outlined"
            disabled={state.loading}
            onClick={() => decide(a.action)}
          >
            {a.label}
          </Button>
        </Box>
      ))}
      {state.error && (
        <Box mt={2}>
          <ResponseErrorPanel error={state.error} title="That did not work" />
        </Box>
      )}
    </Box>
  );
}

/** One order: what was ordered, its status and its timeline. */
export function OrderDetailsPage() {
  const { id = '' } = useParams();
  const storeApi = useApi(storeApiRef);
  const ordersRoute = useRouteRef(ordersRouteRef);
  const order = useAsyncRetry(() => storeApi.getOrder({ id }), [storeApi, id]);
  const value = order.value;
  return (
    <Page themeId="home">
      <Header
        title={value ? `${value.productTitle} order` : 'Order'}
        type="My orders"
        typeLink={ordersRoute?.() ?? '/store/orders'}
      >
        {value && (
          <HeaderLabel
            label="Requester"
            value={
              <PrincipalLink entityRef={value.requester} color="inherit" />
            }
          />
        )}
      </Header>
      <Content>
        {order.loading && !value && <Progress />}
        {order.error && (
          <ResponseErrorPanel
            error={order.error}
            title="The order could not be loaded"
          />
        )}
        {value && (
          <Grid container spacing={3}>
            <Grid item xs={12} md={5}>
              <InfoCard title="Order">
                <Typography variant="subtitle2">Status</Typography>
                <Typography paragraph component="div">
                  <OrderStatusLabel status={value.status} />
                </Typography>
                <Typography variant="subtitle2">Plan</Typography>
                <Typography paragraph>
                  {value.planId} — {formatPrice(value.price)}
                </Typography>
                <Typography variant="subtitle2">Provider</Typography>
                <Typography paragraph>
                  {value.provider}
                  {value.region ? ` (${value.region})` : ''}
                </Typography>
                {value.approvalsRequired > 0 && (
                  <>
                    <Typography variant="subtitle2">Approvals</Typography>
                    <Typography paragraph>
                      {value.approvals} of {value.approvalsRequired}
                      {value.approvalReason ? ` — ${value.approvalReason}` : ''}
                    </Typography>
                    {value.approverGroups.length > 0 && (
                      <>
                        <Typography variant="subtitle2">Approvers</Typography>
                        <Typography paragraph>
                          {value.approverGroups.map((group, i) => (
                            <Fragment key={group}>
                              {i > 0 && ', '}
                              <PrincipalLink entityRef={group} />
                            </Fragment>
                          ))}
                        </Typography>
                      </>
                    )}
                  </>
                )}
                {value.taskId && (
                  <Typography paragraph>
                    <Link to={taskLogHref(value.taskId)}>Task log</Link>
                  </Typography>
                )}
                {value.error && (
                  <Typography paragraph color="error">
                    {value.error}
                  </Typography>
                )}
                <OrderActions order={value} onChange={order.retry} />
              </InfoCard>
            </Grid>
            <Grid item xs={12} md={7}>
              <InfoCard title="Timeline">
                <OrderTimeline order={value} />
              </InfoCard>
            </Grid>
          </Grid>
        )}
      </Content>
    </Page>
  );
}
