import {
  Content,
  EmptyState,
  Header,
  InfoCard,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { formatPrice, Order } from '@internal/plugin-store-common';
import { Box, Button, Grid, TextField, Typography } from '@material-ui/core';
import { useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { storeApiRef } from '../../api/StoreApi';
import { orderRouteRef, rootRouteRef } from '../../routes';
import { PrincipalLink } from '../shared/EntityRefs';

function PendingOrder(props: { order: Order; onDecided: () => void }) {
  const { order, onDecided } = props;
  const storeApi = useApi(storeApiRef);
  const orderRoute = useRouteRef(orderRouteRef);
  const [comment, setComment] = useState('');
  const [state, decide] = useAsyncFn(
    async (action: 'approve' | 'reject') => {
      await storeApi.decideOrder({
        id: order.id,
        action,
        comment: comment || undefined,
      });
      onDecided();
    },
    [storeApi, order.id, comment, onDecided],
  );
  return (
    <InfoCard
      title={
        <Link to={orderRoute?.({ id: order.id }) ?? '#'}>
          {order.productTitle}
        </Link>
      }
      subheader={
        <>
          Requested by <PrincipalLink entityRef={order.requester} /> on{' '}
          {new Date(order.createdAt).toLocaleString()}
        </>
      }
    >
      <Box>
        <Typography>
          Plan {order.planId} on {order.provider}:{' '}
          <strong>{formatPrice(order.price)}</strong>
        </Typography>
        {order.approvalReason && (
          <Typography color="textSecondary">{order.approvalReason}</Typography>
        )}
        <Typography color="textSecondary">
          {order.approvals} of {order.approvalsRequired} approvals
        </Typography>
        <TextField
          fullWidth
          multiline
          minRows={2}
          margin="normal"
          variant="outlined"
          label="Comment"
          id={`comment-${order.id}`}
          value={comment}
          onChange={e => setComment(e.target.value)}
        />
        <Box display="flex" gridGap={8}>
          <Button
            variant="contained"
            color="primary"
            disabled={state.loading}
            onClick={() => decide('approve')}
          >
            Approve
          </Button>
          <Button
            variant="outlined"
            disabled={state.loading}
            onClick={() => decide('reject')}
          >
            Reject
          </Button>
        </Box>
        {state.error && (
          <Box mt={2}>
            <ResponseErrorPanel
              error={state.error}
              title="The decision was not recorded"
            />
          </Box>
        )}
      </Box>
    </InfoCard>
  );
}

/** Orders waiting for the caller's approval. */
export function ApprovalsPage() {
  const storeApi = useApi(storeApiRef);
  const storeRoute = useRouteRef(rootRouteRef);
  const inbox = useAsyncRetry(
    () =>
      storeApi.listOrders({
        scope: 'inbox',
        status: ['pending_approval'],
        limit: 100,
      }),
    [storeApi],
  );
  const items = inbox.value?.items ?? [];
  return (
    <Page themeId="home">
      <Header
        title="Approvals"
        subtitle="Orders waiting for your decision"
        type="Store"
        typeLink={storeRoute?.() ?? '/store'}
      />
      <Content>
        {inbox.loading && !inbox.value && <Progress />}
        {inbox.error && (
          <ResponseErrorPanel
            error={inbox.error}
            title="The approval inbox could not be loaded"
          />
        )}
        {inbox.value && items.length === 0 && (
          <EmptyState
            missing="data"
            title="Nothing to decide"
            description="No order is waiting for your approval."
          />
        )}
        <Grid container spacing={3}>
          {items.map(order => (
            <Grid
              item
              xs={12}
              md={6}
              key={order.id}
              data-testid={`pending-${order.id}`}
            >
              <PendingOrder order={order} onDecided={inbox.retry} />
            </Grid>
          ))}
        </Grid>
      </Content>
    </Page>
  );
}
