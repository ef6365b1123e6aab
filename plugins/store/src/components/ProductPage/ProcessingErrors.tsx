import { WarningPanel } from '@backstage/core-components';
import { ProductProcessingError } from '@internal/plugin-store-common';
import { List, ListItem, ListItemText, Typography } from '@material-ui/core';

/**
 * Why the catalog rejected the latest descriptor of a product, for its
 * publishers: the store keeps offering the version the catalog last
 * accepted until the descriptor is fixed.
 */
export function ProcessingErrors(props: { errors: ProductProcessingError[] }) {
  const { errors } = props;
  return (
    <WarningPanel
      severity="error"
      title={`The catalog rejected the latest descriptor of this product (${
        errors.length
      } error${errors.length > 1 ? 's' : ''})`}
      defaultExpanded
    >
      <Typography variant="body2">
        The store shows the version the catalog last accepted. Fix the
        descriptor (<code>yarn store:lint</code> finds the same errors) and the
        catalog takes it at its next processing. Only the product's owners and
        store publishers see this.
      </Typography>
      <List dense aria-label="Processing errors">
        {errors.map((error, index) => (
          <ListItem key={index}>
            <ListItemText
              primary={error.message}
              secondary={error.name}
              primaryTypographyProps={{ style: { fontFamily: 'monospace' } }}
            />
          </ListItem>
        ))}
      </List>
    </WarningPanel>
  );
}
