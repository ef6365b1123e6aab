import {
  Content,
  Header,
  HeaderLabel,
  InfoCard,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { ProductDetails } from '@internal/plugin-store-common';
import {
  Box,
  Button,
  Chip,
  Grid,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import { Link as RouterLink, useParams } from 'react-router-dom';
import { Fragment } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { storeApiRef } from '../../api/StoreApi';
import {
  orderProductRouteRef,
  productRouteRef,
  rootRouteRef,
} from '../../routes';
import { LifecycleBadge } from '../shared/LifecycleBadge';
import { PrincipalLink } from '../shared/EntityRefs';
import { PlanCard } from './PlanCard';
import { ProcessingErrors } from './ProcessingErrors';

/** Whether the store said 404, directly or as the cause of a ResponseError. */
function isNotFound(error: unknown): boolean {
  const { name, cause } = (error ?? {}) as { name?: string; cause?: unknown };
  return (
    name === 'NotFoundError' ||
    (cause as { name?: string } | undefined)?.name === 'NotFoundError'
  );
}

function ApprovalText(props: { product: ProductDetails }) {
  const { approval, namespace } = props.product;
  const approvers = approval.approverGroups ?? [];
  const count = approval.count ?? 1;
  const who = (
    <>
      {count} approval{count > 1 ? 's' : ''}
      {approvers.length > 0 && (
        <>
          {' from '}
          {approvers.map((ref, i) => (
            <Fragment key={ref}>
              {i > 0 && ', '}
              <PrincipalLink
                entityRef={ref}
                defaultKind="group"
                defaultNamespace={namespace}
              />
            </Fragment>
          ))}
        </>
      )}
    </>
  );
  switch (approval.policy) {
    case 'required':
      return <>Every order needs {who}.</>;
    case 'above-threshold':
      return (
        <>
          Plans above {approval.threshold?.currency}{' '}
          {approval.threshold?.amount} per month need {who}.
        </>
      );
    default:
      return <>Orders need no approval.</>;
  }
}

function RelatedProducts(props: { product: ProductDetails }) {
  const storeApi = useApi(storeApiRef);
  const productRoute = useRouteRef(productRouteRef);
  const { product } = props;
  const related = useAsync(
    () =>
      storeApi.listProducts({
        query: { category: [product.category] },
        limit: 6,
      }),
    [storeApi, product.category],
  );
  const others = (related.value?.items ?? []).filter(
    p => p.ref !== product.ref,
  );
  if (others.length === 0) {
    return null;
  }
  return (
    <InfoCard title="Related products">
      <List dense>
        {others.slice(0, 5).map(p => (
          <ListItem key={p.ref}>
            <ListItemText
              primary={
                <Link
                  to={
                    productRoute?.({ namespace: p.namespace, name: p.name }) ??
                    '#'
                  }
                >
                  {p.title}
                </Link>
              }
              secondary={p.summary}
            />
          </ListItem>
        ))}
      </List>
    </InfoCard>
  );
}

/** The datasheet of one product. */
export function ProductPage() {
  const { namespace = 'default', name = '' } = useParams();
  const storeApi = useApi(storeApiRef);
  const storeRoute = useRouteRef(rootRouteRef);
  const orderRoute = useRouteRef(orderProductRouteRef);
  const {
    value: product,
    loading,
    error,
  } = useAsync(
    () => storeApi.getProduct({ namespace, name }),
    [storeApi, namespace, name],
  );

  if (loading) {
    return <Progress />;
  }
  if (error || !product) {
    return (
      <Page themeId="home">
        <Header title="Product not found" />
        <Content>
          {isNotFound(error) ? (
            <WarningPanel
              title="This product does not exist, or it is not offered to you"
              message={
                <Link to={storeRoute?.() ?? '/store'}>Back to the store</Link>
              }
            />
          ) : (
            <ResponseErrorPanel
              error={error ?? new Error('No product')}
              title="The product could not be loaded"
            />
          )}
        </Content>
      </Page>
    );
  }

  return (
    <Page themeId="home">
      <Header
        title={product.title}
        subtitle={product.summary}
        type="Store"
        typeLink={storeRoute?.() ?? '/store'}
      >
        <HeaderLabel
          label="Owner"
          value={
            <PrincipalLink
              entityRef={product.owner}
              defaultKind="group"
              defaultNamespace={product.namespace}
              color="inherit"
            />
          }
        />
        <HeaderLabel label="Category" value={product.category} />
        <HeaderLabel label="Lifecycle" value={product.lifecycle} />
      </Header>
      <Content>
        {product.lifecycle === 'draft' && (
          <Box mb={2} display="flex" alignItems="center" gridGap={8}>
            <LifecycleBadge lifecycle="draft" size="medium" />
            <Typography variant="body2" color="textSecondary">
              Only its owners and store publishers see this product, and it
              cannot be ordered until its lifecycle is published.
            </Typography>
          </Box>
        )}
        {product.processingErrors && product.processingErrors.length > 0 && (
          <Box mb={2}>
            <ProcessingErrors errors={product.processingErrors} />
          </Box>
        )}
        {product.lifecycle === 'deprecated' && (
          <Box mb={2}>
            <WarningPanel
              title={
                product.subscribed
                  ? 'This product is deprecated — you have an active subscription'
                  : 'This product is deprecated'
              }
              message="Existing subscriptions keep running, but it can no longer be ordered."
            />
          </Box>
        )}
        {product.lifecycle === 'published' &&
          product.providers.length === 0 && (
            <Box mb={2}>
              <WarningPanel
                title="This product cannot be ordered here"
                message={`None of the providers it runs on is available here: ${product.unavailableProviders.join(
                  ', ',
                )}.`}
              />
            </Box>
          )}
        <Grid container spacing={3}>
          <Grid item xs={12} md={8}>
            <InfoCard
              title="About"
              action={
                product.orderable && (
                  <Box m={1}>
                    <Button
                      variant="contained"
                      color="primary"
                      component={RouterLink}
                      to={
                        orderRoute?.({ namespace, name }) ??
                        `/store/products/${namespace}/${name}/order`
                      }
                    >
                      Order
                    </Button>
                  </Box>
                )
              }
            >
              <Typography paragraph>{product.description}</Typography>
              <Typography variant="subtitle2">Runs on</Typography>
              <Box display="flex" gridGap={4} mb={2}>
                {product.providers.map(provider => (
                  <Chip key={provider} label={provider} size="small" />
                ))}
                {product.unavailableProviders.map(provider => (
                  <Chip
                    key={provider}
                    label={`${provider}: not available here`}
                    size="small"
                    variant="outlined"
                    disabled
                  />
                ))}
              </Box>
              {product.sla && (
                <>
                  <Typography variant="subtitle2">Service level</Typography>
                  <Typography paragraph>{product.sla}</Typography>
                </>
              )}
              <Typography variant="subtitle2">Approval</Typography>
              <Typography>
                <ApprovalText product={product} />
              </Typography>
              {product.approval.reason && (
                <Typography variant="body2" color="textSecondary">
                  Why: {product.approval.reason}
                </Typography>
              )}
            </InfoCard>
          </Grid>
          <Grid item xs={12} md={4}>
            <InfoCard title="Documentation">
              {product.docs.length === 0 ? (
                <Typography>No documentation links.</Typography>
              ) : (
                <List dense>
                  {product.docs.map(doc => (
                    <ListItem key={doc.url}>
                      <Link to={doc.url}>{doc.title}</Link>
                    </ListItem>
                  ))}
                </List>
              )}
            </InfoCard>
          </Grid>
          <Grid item xs={12}>
            <Typography variant="h5" component="h2" gutterBottom>
              Plans
            </Typography>
            <Grid container spacing={2}>
              {product.plans.map(plan => (
                <Grid item xs={12} md={4} key={plan.id}>
                  <PlanCard
                    plan={plan}
                    limitParameters={product.limitParameters}
                  />
                </Grid>
              ))}
            </Grid>
          </Grid>
          <Grid item xs={12}>
            <RelatedProducts product={product} />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
