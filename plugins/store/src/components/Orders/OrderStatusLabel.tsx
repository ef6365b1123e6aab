import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import { OrderStatus } from '@internal/plugin-store-common';
import { orderStatusLabel } from './orderTimeline';

/** An order's status with its colour. */
export function OrderStatusLabel(props: { status: OrderStatus }) {
  const label = orderStatusLabel(props.status);
  switch (props.status) {
    case 'fulfilled':
      return <StatusOK>{label}</StatusOK>;
    case 'failed':
    case 'rejected':
      return <StatusError>{label}</StatusError>;
    case 'cancelled':
      return <StatusAborted>{label}</StatusAborted>;
    case 'provisioning':
    case 'approved':
      return <StatusRunning>{label}</StatusRunning>;
    default:
      return <StatusPending>{label}</StatusPending>;
  }
}
