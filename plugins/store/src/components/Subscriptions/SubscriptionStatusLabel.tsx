import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { SubscriptionStatus } from '@internal/plugin-store-common';
import { subscriptionStatusLabel } from './subscriptionText';

/** A subscription's status with its colour. */
export function SubscriptionStatusLabel(props: { status: SubscriptionStatus }) {
  const label = subscriptionStatusLabel(props.status);
  switch (props.status) {
    case 'active':
      return <StatusOK>{label}</StatusOK>;
    case 'trialing':
      return <StatusPending>{label}</StatusPending>;
    case 'expiring':
      return <StatusWarning>{label}</StatusWarning>;
    case 'suspended':
    case 'terminated':
      return <StatusError>{label}</StatusError>;
    default:
      return <StatusAborted>{label}</StatusAborted>;
  }
}
