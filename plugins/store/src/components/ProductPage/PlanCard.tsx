import { formatPrice, ProductDetails } from '@internal/plugin-store-common';
import {
  Card,
  CardContent,
  CardHeader,
  Chip,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableRow,
  Typography,
} from '@material-ui/core';

type Plan = ProductDetails['plans'][number];

const useStyles = makeStyles(theme => ({
  card: { height: '100%' },
  price: { fontWeight: theme.typography.fontWeightBold as number },
  chips: { display: 'flex', gap: theme.spacing(0.5), flexWrap: 'wrap' },
}));

/** One plan of a product, shown beside the others. */
export function PlanCard(props: {
  plan: Plan;
  /** Which order input each limit governs, from the product. */
  limitParameters?: ProductDetails['limitParameters'];
}) {
  const { plan, limitParameters = {} } = props;
  const classes = useStyles();
  const limits = Object.entries(plan.limits ?? {});
  const governed: Record<string, string | undefined> = limitParameters;
  return (
    <Card
      className={classes.card}
      variant="outlined"
      data-testid={`plan-${plan.id}`}
    >
      <CardHeader title={plan.title} subheader={plan.description} />
      <CardContent>
        <Typography variant="h5" className={classes.price} gutterBottom>
          {formatPrice(plan.price)}
        </Typography>
        <div className={classes.chips}>
          {plan.trialDays ? (
            <Chip size="small" label={`${plan.trialDays}-day trial`} />
          ) : null}
          {plan.needsApproval && (
            <Chip size="small" variant="outlined" label="Needs approval" />
          )}
        </div>
        {limits.length > 0 && (
          <Table size="small" aria-label={`${plan.title} limits`}>
            <TableBody>
              {limits.map(([name, value]) => (
                <TableRow key={name}>
                  <TableCell component="th">
                    {name}
                    {governed[name] && (
                      <Typography variant="caption" display="block">
                        limits {governed[name]} of an order
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>{String(value)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {plan.nodes && Object.keys(plan.nodes).length > 0 && (
          <Typography variant="body2" style={{ marginTop: 8 }}>
            Provides{' '}
            {Object.entries(plan.nodes)
              .map(([role, count]) => `${role}: ${count} nodes`)
              .join(', ')}
          </Typography>
        )}
        {plan.meteredPrices?.length ? (
          <>
            <Typography variant="subtitle2" style={{ marginTop: 8 }}>
              Usage
            </Typography>
            {plan.meteredPrices.map(metered => (
              <Typography variant="body2" key={metered.dimension}>
                {metered.dimension}: {metered.currency} {metered.amount} per{' '}
                {metered.unit}
              </Typography>
            ))}
          </>
        ) : null}
      </CardContent>
    </Card>
  );
}
