import { Subscription } from '@internal/plugin-store-common';
import { Box, Button } from '@material-ui/core';
import { AutoRenewDialog } from './AutoRenewDialog';
import { CancelDialog } from './CancelDialog';
import { ChangePlanDialog } from './ChangePlanDialog';
import { RenewDialog } from './RenewDialog';
import {
  SubscriptionActionKind,
  subscriptionActions,
} from './subscriptionText';

function actionLabel(action: SubscriptionActionKind, sub: Subscription) {
  switch (action) {
    case 'renew':
      return 'Renew';
    case 'change-plan':
      return 'Change plan';
    case 'cancel':
      return 'Cancel';
    default:
      return sub.autoRenew ? 'Auto-renew off' : 'Auto-renew on';
  }
}

/** The buttons of the actions a subscription offers in its status. */
export function SubscriptionActionButtons(props: {
  subscription: Subscription;
  onAction: (action: SubscriptionActionKind) => void;
  size?: 'small' | 'medium';
}) {
  const { subscription, onAction, size } = props;
  return (
    <Box display="flex" flexWrap="wrap" gridGap={8}>
      {subscriptionActions(subscription).map(action => (
        <Button
          key={action}
          size={size}
          variant="outlined"
          onClick={() => onAction(action)}
        >
          {actionLabel(action, subscription)}
        </Button>
      ))}
    </Box>
  );
}

/** The dialog of one action on a subscription. */
export function SubscriptionActionDialog(props: {
  subscription: Subscription;
  action: SubscriptionActionKind;
  /** Called once the action went through. */
  onDone: () => void;
  onClose: () => void;
}) {
  const { action, ...rest } = props;
  switch (action) {
    case 'renew':
      return <RenewDialog {...rest} />;
    case 'change-plan':
      return <ChangePlanDialog {...rest} />;
    case 'cancel':
      return <CancelDialog {...rest} />;
    default:
      return <AutoRenewDialog {...rest} />;
  }
}
