import {
  Order,
  OrderAction,
  OrderEvent,
  OrderStatus,
  PriceInterval,
} from '@internal/plugin-store-common';
import { Knex } from 'knex';
import { jsonList, jsonListColumn } from './jsonLists';

export const ORDERS = 'store_orders';
export const GROUPS = 'store_order_approver_groups';
export const DECISIONS = 'store_order_decisions';
export const EVENTS = 'store_order_events';
/** The product index; its order counts serve the "most ordered" sort. */
export const PRODUCTS = 'store_products';

/** A row of the orders table. */
export type OrderRow = {
  id: string;
  product_ref: string;
  product_title: string;
  template_ref: string;
  plan_id: string;
  provider: string;
  region: string | null;
  parameters_json: string;
  price_amount: string;
  price_currency: string;
  price_interval: string;
  requester: string;
  owner_group: string | null;
  status: string;
  version: number;
  approvals_required: number;
  approvals: number;
  approval_reason: string | null;
  expires_at: Date | string | null;
  task_id: string | null;
  output_json: string | null;
  error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  /** Selected by `approverGroupsColumn`. */
  approver_groups?: string[] | string | null;
};

/** A row of the order timeline. */
export type EventRow = {
  id: number;
  order_id: string;
  action: string;
  from_status: string | null;
  to_status: string;
  actor: string;
  comment: string | null;
  data_json: string | null;
  created_at: Date | string;
};

export function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

export function toIso(value: Date | string | number | null | undefined) {
  return value === null || value === undefined
    ? undefined
    : toDate(value).toISOString();
}

/** Whether a write failed on a primary key or unique constraint. */
export function isUniqueViolation(error: unknown) {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

/**
 * The approver groups of the order of each row, as a column `approver_groups`
 * of a select from the orders table.
 */
export function approverGroupsColumn(db: Knex): Knex.Raw {
  return jsonListColumn(db, {
    table: GROUPS,
    column: 'group_ref',
    parentColumn: 'order_id',
    parentKey: `${ORDERS}.id`,
    as: 'approver_groups',
  });
}

/** An order from its row, read with its approver groups. */
export function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    productRef: row.product_ref,
    productTitle: row.product_title,
    templateRef: row.template_ref,
    planId: row.plan_id,
    provider: row.provider,
    region: row.region ?? undefined,
    parameters: JSON.parse(row.parameters_json),
    price: {
      amount: row.price_amount,
      currency: row.price_currency,
      interval: row.price_interval as PriceInterval,
    },
    requester: row.requester,
    ownerGroup: row.owner_group ?? undefined,
    status: row.status as OrderStatus,
    version: Number(row.version),
    approvalsRequired: Number(row.approvals_required),
    approvals: Number(row.approvals),
    approverGroups: jsonList(row.approver_groups),
    approvalReason: row.approval_reason ?? undefined,
    expiresAt: toIso(row.expires_at),
    taskId: row.task_id ?? undefined,
    output: row.output_json ? JSON.parse(row.output_json) : undefined,
    error: row.error ?? undefined,
    createdAt: toDate(row.created_at).toISOString(),
    updatedAt: toDate(row.updated_at).toISOString(),
  };
}

/** An event of an order's timeline from its row. */
export function toEvent(row: EventRow): OrderEvent {
  return {
    id: Number(row.id),
    orderId: row.order_id,
    action: row.action as OrderAction,
    fromStatus: (row.from_status as OrderStatus) ?? undefined,
    toStatus: row.to_status as OrderStatus,
    actor: row.actor,
    comment: row.comment ?? undefined,
    data: row.data_json ? JSON.parse(row.data_json) : undefined,
    createdAt: toDate(row.created_at).toISOString(),
  };
}
