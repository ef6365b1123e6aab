import { ProductLifecycle } from '@internal/plugin-store-common';
import { Chip } from '@material-ui/core';

const LABELS: Partial<Record<ProductLifecycle, string>> = {
  draft: 'Draft',
  deprecated: 'Deprecated',
};

/**
 * Marks a product that is not published: a draft, which only its owners
 * and store publishers see, or a deprecated product. Nothing for published
 * products.
 */
export function LifecycleBadge(props: {
  lifecycle: ProductLifecycle;
  size?: 'small' | 'medium';
}) {
  const label = LABELS[props.lifecycle];
  if (!label) {
    return null;
  }
  return (
    <Chip
      size={props.size ?? 'small'}
      color={props.lifecycle === 'draft' ? 'default' : 'secondary'}
      variant={props.lifecycle === 'draft' ? 'outlined' : 'default'}
      label={label}
      data-testid="lifecycle-badge"
    />
  );
}
