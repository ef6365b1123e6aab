import { Link } from '@backstage/core-components';
import { OrderDetails } from '@internal/plugin-store-common';
import { List, ListItem, ListItemText, Typography } from '@material-ui/core';
import { PrincipalLink } from '../shared/EntityRefs';
import { orderTimeline } from './orderTimeline';

/** What happened to an order, oldest first. */
export function OrderTimeline(props: { order: OrderDetails }) {
  const entries = orderTimeline(props.order);
  return (
    <List aria-label="Timeline">
      {entries.map(entry => (
        <ListItem key={entry.key} divider>
          <ListItemText
            primary={entry.title}
            secondary={
              <>
                <Typography variant="body2" component="span" display="block">
                  {new Date(entry.at).toLocaleString()}
                  {entry.actor && (
                    <>
                      {' · '}
                      <PrincipalLink entityRef={entry.actor} />
                    </>
                  )}
                </Typography>
                {entry.comment && (
                  <Typography variant="body2" component="span" display="block">
                    “{entry.comment}”
                  </Typography>
                )}
                {entry.error && (
                  <Typography
                    variant="body2"
                    component="span"
                    display="block"
                    color="error"
                  >
                    {entry.error}
                  </Typography>
                )}
                {entry.link && (
                  <Link to={entry.link.url}>{entry.link.title}</Link>
                )}
              </>
            }
          />
        </ListItem>
      ))}
    </List>
  );
}
