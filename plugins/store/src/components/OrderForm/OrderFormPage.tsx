import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  useApi,
  useApiHolder,
  useRouteRef,
} from '@backstage/frontend-plugin-api';
import {
  FieldExtensionOptions,
  SecretsContextProvider,
  useTemplateSecrets,
} from '@backstage/plugin-scaffolder-react';
import {
  formFieldsApiRef,
  FormFieldExtensionData,
  SecretWidget,
  Stepper,
} from '@backstage/plugin-scaffolder-react/alpha';
import { JsonValue } from '@backstage/types';
import {
  findPlanLimitViolation,
  formatPrice,
  ProductDetails,
} from '@internal/plugin-store-common';
import { Box, Grid, MenuItem, TextField, Typography } from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { storeApiRef } from '../../api/StoreApi';
import { newIdempotencyKey } from '../../api/StoreClient';
import { orderRouteRef, productRouteRef } from '../../routes';
import { orderFormManifest, splitOrderValues } from './templateForm';

function PricePreview(props: { product: ProductDetails; plan: string }) {
  const storeApi = useApi(storeApiRef);
  const { product, plan } = props;
  const preview = useAsync(
    () => storeApi.previewOrder({ product: product.ref, plan }),
    [storeApi, product.ref, plan],
  );
  if (preview.loading) {
    return <Progress />;
  }
  if (preview.error || !preview.value) {
    return (
      <ResponseErrorPanel
        error={preview.error ?? new Error('No preview')}
        title="The price could not be computed"
      />
    );
  }
  const { oneTimePrice, recurringPrice, approval } = preview.value;
  return (
    <Box data-testid="order-preview">
      <Typography variant="subtitle2">One-time</Typography>
      <Typography paragraph>
        {oneTimePrice ? formatPrice(oneTimePrice) : 'Nothing'}
      </Typography>
      <Typography variant="subtitle2">Recurring</Typography>
      <Typography paragraph>
        {recurringPrice ? formatPrice(recurringPrice) : 'Nothing'}
      </Typography>
      <Alert severity={approval.needed ? 'warning' : 'info'}>
        {approval.sentence}
      </Alert>
    </Box>
  );
}

/**
 * The scaffolder's own form fields from the app (OwnerPicker, EntityPicker
 * and the others that FormFieldBlueprint extensions provide), and its
 * `Secret` field, which keeps values in the secrets context.
 */
function useFieldExtensions() {
  const formFieldsApi = useApiHolder().get(formFieldsApiRef);
  const formFields = useAsync(
    async () => (await formFieldsApi?.loadFormFields()) ?? [],
    [formFieldsApi],
  );
  const extensions = useMemo<FieldExtensionOptions[]>(
    () => [
      ...(formFields.value ?? []).map(field => {
        // A FormField is the FormFieldExtensionData it was created from.
        const { name, component, validation } =
          field as unknown as FormFieldExtensionData;
        return { name, component, validation } as FieldExtensionOptions;
      }),
      {
        name: 'Secret',
        component: SecretWidget,
      } as unknown as FieldExtensionOptions,
    ],
    [formFields.value],
  );
  return { loading: formFields.loading, extensions };
}

/**
 * What a plan limits of the order's inputs, e.g. "Allows at most 2
 * instances (appNodes)".
 */
function planLimitsText(product: ProductDetails, planId: string) {
  const limits = product.plans.find(p => p.id === planId)?.limits ?? {};
  const governed = Object.entries(product.limitParameters ?? {}).flatMap(
    ([limit, parameter]) => {
      const allowed = limits[limit as keyof typeof limits];
      return allowed === undefined
        ? []
        : [`at most ${allowed} ${limit} (${parameter})`];
    },
  );
  return governed.length > 0 ? `Allows ${governed.join(', ')}` : undefined;
}

function OrderForm(props: { product: ProductDetails }) {
  const { product } = props;
  const storeApi = useApi(storeApiRef);
  const orderRoute = useRouteRef(orderRouteRef);
  const navigate = useNavigate();
  const { secrets: contextSecrets } = useTemplateSecrets();
  const [plan, setPlan] = useState(product.plans[0]?.id ?? '');
  const [provider, setProvider] = useState(product.providers[0] ?? '');
  // The region typed for a provider; another provider starts from its own
  // default region.
  const [typedRegion, setTypedRegion] = useState<{
    provider: string;
    region: string;
  }>();
  const providerRegions = useAsync(
    async () => storeApi.listProviderRegions(),
    [storeApi],
  );
  const regions = providerRegions.value?.[provider] ?? [];
  const region =
    typedRegion?.provider === provider ? typedRegion.region : regions[0] ?? '';
  const [comment, setComment] = useState('');
  // What the chosen plan does not allow, found before the order is sent.
  const [limitWarning, setLimitWarning] = useState<string>();
  // One key per form: a double click or a resent request orders once.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const fieldExtensions = useFieldExtensions();

  // The form is the same for every plan, so it is read once.
  const form = useAsync(
    () =>
      product.plans[0]
        ? storeApi.previewOrder({
            product: product.ref,
            plan: product.plans[0].id,
          })
        : Promise.resolve(undefined),
    [storeApi, product],
  );
  const manifest = useMemo(
    () =>
      orderFormManifest(
        product.title,
        form.value?.templateParameters ?? product.templateParameters,
        form.value?.templateSecrets,
      ),
    [form.value, product.title, product.templateParameters],
  );

  const [submission, submit] = useAsyncFn(
    async (values: Record<string, JsonValue>) => {
      const { parameters, secrets } = splitOrderValues(
        manifest,
        values,
        contextSecrets,
      );
      const violation = findPlanLimitViolation({
        plans: product.plans,
        limitParameters: product.limitParameters,
        planId: plan,
        parameters,
      });
      setLimitWarning(violation?.message);
      if (violation) {
        return;
      }
      const order = await storeApi.createOrder(
        {
          product: product.ref,
          plan,
          provider,
          region: region.trim() || undefined,
          parameters,
          secrets: Object.keys(secrets).length > 0 ? secrets : undefined,
          comment: comment.trim() || undefined,
        },
        { idempotencyKey },
      );
      navigate(orderRoute?.({ id: order.id }) ?? `/store/orders/${order.id}`);
    },
    [
      storeApi,
      product.ref,
      product.plans,
      product.limitParameters,
      plan,
      provider,
      region,
      comment,
      manifest,
      contextSecrets,
    ],
  );

  if (form.loading || fieldExtensions.loading) {
    return <Progress />;
  }

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={8}>
        <InfoCard title="Order">
          <TextField
            select
            fullWidth
            margin="normal"
            variant="outlined"
            id="order-plan"
            label="Plan"
            value={plan}
            helperText={planLimitsText(product, plan)}
            onChange={e => {
              setPlan(e.target.value);
              setLimitWarning(undefined);
            }}
          >
            {product.plans.map(p => (
              <MenuItem key={p.id} value={p.id}>
                {p.title} — {formatPrice(p.price)}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            fullWidth
            margin="normal"
            variant="outlined"
            id="order-provider"
            label="Provider"
            value={provider}
            onChange={e => setProvider(e.target.value)}
          >
            {product.providers.map(p => (
              <MenuItem key={p} value={p}>
                {p}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            fullWidth
            margin="normal"
            variant="outlined"
            id="order-region"
            label="Region"
            helperText={
              regions.length > 0
                ? `Where ${provider} places it: ${regions.join(', ')}`
                : 'Where the provider places it; empty for its default'
            }
            value={region}
            onChange={e => setTypedRegion({ provider, region: e.target.value })}
          />
          <TextField
            fullWidth
            multiline
            minRows={2}
            margin="normal"
            variant="outlined"
            id="order-comment"
            label="Comment for the approvers"
            value={comment}
            onChange={e => setComment(e.target.value)}
          />
          {limitWarning && (
            <Box my={2}>
              <Alert severity="warning" data-testid="order-limit-warning">
                {limitWarning}. Choose another plan, or change the order.
              </Alert>
            </Box>
          )}
          {submission.error && (
            <Box my={2}>
              <ResponseErrorPanel
                error={submission.error}
                title="The order was not placed"
              />
            </Box>
          )}
          <Box mt={2} aria-label="Order form" role="form">
            <Stepper
              manifest={manifest}
              extensions={fieldExtensions.extensions}
              onCreate={async values => {
                if (plan && provider) {
                  await submit(values);
                }
              }}
              components={{ createButtonText: 'Place order' }}
            />
          </Box>
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Price">
          {plan && <PricePreview product={product} plan={plan} />}
        </InfoCard>
      </Grid>
    </Grid>
  );
}

/** Orders a product: plan, provider, the template's inputs, and the price. */
export function OrderFormPage() {
  const { namespace = 'default', name = '' } = useParams();
  const storeApi = useApi(storeApiRef);
  const productRoute = useRouteRef(productRouteRef);
  const product = useAsync(
    () => storeApi.getProduct({ namespace, name }),
    [storeApi, namespace, name],
  );
  return (
    <Page themeId="home">
      <Header
        title={product.value ? `Order ${product.value.title}` : 'Order'}
        type="Product"
        typeLink={productRoute?.({ namespace, name })}
      />
      <Content>
        {product.loading && <Progress />}
        {product.error && (
          <ResponseErrorPanel
            error={product.error}
            title="The product could not be loaded"
          />
        )}
        {product.value && (
          <SecretsContextProvider>
            <OrderForm product={product.value} />
          </SecretsContextProvider>
        )}
      </Content>
    </Page>
  );
}
