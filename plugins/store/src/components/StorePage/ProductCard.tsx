import { RouterLink, useRouteRef } from '@backstage/frontend-plugin-api';
import { formatPrice, ProductSummary } from '@internal/plugin-store-common';
import {
  Box,
  Card,
  CardContent,
  Chip,
  makeStyles,
  Typography,
} from '@material-ui/core';
import { productRouteRef } from '../../routes';
import { LifecycleBadge } from '../shared/LifecycleBadge';
import { ProductIcon } from '../shared/ProductIcon';

const useStyles = makeStyles(theme => ({
  card: { height: '100%', display: 'flex', flexDirection: 'column' },
  link: {
    flexGrow: 1,
    color: 'inherit',
    textDecoration: 'none',
    '&:hover h3': { textDecoration: 'underline' },
  },
  header: { display: 'flex', alignItems: 'center', gap: theme.spacing(1.5) },
  summary: {
    marginTop: theme.spacing(1),
    minHeight: '2.6em',
    color: theme.palette.text.secondary,
  },
  chips: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    marginTop: theme.spacing(1),
  },
}));

/** One product in the store grid. */
export function ProductCard(props: { product: ProductSummary }) {
  const { product } = props;
  const classes = useStyles();
  const productRoute = useRouteRef(productRouteRef);
  const href =
    productRoute?.({ namespace: product.namespace, name: product.name }) ?? '#';
  return (
    <Card className={classes.card} data-testid={`product-card-${product.name}`}>
      <RouterLink href={href} className={classes.link}>
        <CardContent>
          <div className={classes.header}>
            <ProductIcon icon={product.icon} fontSize="large" />
            <div>
              <Typography variant="h6" component="h3">
                {product.title}
              </Typography>
              <Typography variant="caption" color="textSecondary">
                {product.category} · {product.type}
              </Typography>
            </div>
          </div>
          <Typography variant="body2" className={classes.summary}>
            {product.summary}
          </Typography>
          <Box mt={1}>
            <Typography variant="subtitle2">
              {product.fromPrice
                ? `from ${formatPrice(product.fromPrice)}`
                : 'Price on request'}
            </Typography>
          </Box>
          <div className={classes.chips}>
            {product.hasFreePlan && (
              <Chip size="small" color="primary" label="Free plan" />
            )}
            {product.needsApproval && (
              <Chip size="small" variant="outlined" label="Needs approval" />
            )}
            <LifecycleBadge lifecycle={product.lifecycle} />
            {product.providers.map(provider => (
              <Chip
                key={`provider-${provider}`}
                size="small"
                variant="outlined"
                label={provider}
              />
            ))}
            {product.tags.slice(0, 4).map(tag => (
              <Chip key={`tag-${tag}`} size="small" label={`#${tag}`} />
            ))}
          </div>
        </CardContent>
      </RouterLink>
    </Card>
  );
}
