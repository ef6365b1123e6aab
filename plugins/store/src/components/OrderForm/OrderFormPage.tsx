import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { formatPrice, ProductDetails } from '@internal/plugin-store-common';
import {
  Box,
  Button,
  Grid,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { storeApiRef } from '../../api/StoreApi';
import { newIdempotencyKey } from '../../api/StoreClient';
import { orderRouteRef, productRouteRef } from '../../routes';
import {
  initialOrderValues,
  orderFieldError,
  orderFields,
  toOrderInput,
} from './orderFields';
import { OrderFieldInput } from './OrderFieldInput';

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

function OrderForm(props: { product: ProductDetails }) {
  const { product } = props;
  const storeApi = useApi(storeApiRef);
  const orderRoute = useRouteRef(orderRouteRef);
  const navigate = useNavigate();
  const [plan, setPlan] = useState(product.plans[0]?.id ?? '');
  const [provider, setProvider] = useState(product.providers[0] ?? '');
  const [comment, setComment] = useState('');
  // One key per form: a double click or a resent request orders once.
  const [idempotencyKey] = useState(newIdempotencyKey);

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
  const fields = useMemo(
    () =>
      orderFields(
        form.value?.templateParameters ?? product.templateParameters,
        form.value?.templateSecrets,
      ),
    [form.value, product.templateParameters],
  );
  const [values, setValues] = useState<Record<string, unknown>>();
  const current = values ?? initialOrderValues(fields);
  const [touched, setTouched] = useState(false);
  const errors = Object.fromEntries(
    fields.map(f => [f.name, orderFieldError(f, current[f.name])]),
  );
  const valid = Object.values(errors).every(e => !e);

  const [submission, submit] = useAsyncFn(async () => {
    const order = await storeApi.createOrder(
      {
        product: product.ref,
        plan,
        provider,
        ...toOrderInput(fields, current),
        comment: comment || undefined,
      },
      { idempotencyKey },
    );
    navigate(orderRoute?.({ id: order.id }) ?? `/store/orders/${order.id}`);
  }, [storeApi, product.ref, plan, provider, fields, current, comment]);

  if (form.loading) {
    return <Progress />;
  }

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={8}>
        <InfoCard title="Order">
          <form
            noValidate
            aria-label="Order form"
            onSubmit={e => {
              e.preventDefault();
              setTouched(true);
              if (valid) {
                submit();
              }
            }}
          >
            <TextField
              select
              fullWidth
              margin="normal"
              variant="outlined"
              id="order-plan"
              label="Plan"
              value={plan}
              onChange={e => setPlan(e.target.value)}
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
            {fields.map(field => (
              <OrderFieldInput
                key={field.name}
                field={field}
                value={current[field.name]}
                error={touched ? errors[field.name] : undefined}
                onChange={value =>
                  setValues({ ...current, [field.name]: value })
                }
              />
            ))}
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
            {submission.error && (
              <Box my={2}>
                <ResponseErrorPanel
                  error={submission.error}
                  title="The order was not placed"
                />
              </Box>
            )}
            <Box mt={2}>
              <Button
                type="submit"
                variant="contained"
                color="primary"
                disabled={submission.loading || !plan || !provider}
              >
                Place order
              </Button>
            </Box>
          </form>
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
        {product.value && <OrderForm product={product.value} />}
      </Content>
    </Page>
  );
}
