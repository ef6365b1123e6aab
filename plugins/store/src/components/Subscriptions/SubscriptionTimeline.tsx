import { SubscriptionDetails } from '@internal/plugin-store-common';
import { List, ListItem, ListItemText, Typography } from '@material-ui/core';
import { PrincipalLink } from '../shared/EntityRefs';
import { subscriptionTimeline } from './subscriptionText';

/** What happened to a subscription, oldest first. */
export function SubscriptionTimeline(props: {
  subscription: SubscriptionDetails;
}) {
  const entries = subscriptionTimeline(props.subscription);
  return (
    <List aria-label="Timeline">
      {entries.map(entry => (
        <ListItem key={entry.key} divider>
          <ListItemText
            primary={entry.title}
            secondary={
              <>
                <Typography variant="body2" component="span" display="block">
                  {new Date(entry.at).toLocaleString()} ·{' '}
                  <PrincipalLink entityRef={entry.actor} />
                </Typography>
                {entry.statusChange && (
                  <Typography variant="body2" component="span" display="block">
                    {entry.statusChange}
                  </Typography>
                )}
                {entry.comment && (
                  <Typography variant="body2" component="span" display="block">
                    “{entry.comment}”
                  </Typography>
                )}
              </>
            }
          />
        </ListItem>
      ))}
    </List>
  );
}
