import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ConditionTransformer } from '@backstage/plugin-permission-node';
import {
  ORDER_STATUSES,
  Order,
  OrderStatus,
  storeOrderApprovePermission,
  storeOrderReadPermission,
} from '@internal/plugin-store-common';
import {
  OrderCursor,
  OrderFilter,
  OrderPermissionFilter,
  OrdersStore,
} from '../database/OrdersStore';
import { OrderPermissionQuery } from '../permissions/rules';
import { GroupMembership } from './GroupMembership';
import { requirePermission, userOf } from './orderAccess';

/** Which orders a list shows. */
export type OrderScope = 'mine' | 'inbox' | 'all';

/** The filters of an order list, as the API receives them. */
export type OrderListFilter = {
  status?: string[];
  product?: string[];
  requester?: string[];
  /** Group refs: orders placed for the group or by its members. */
  group?: string[];
  createdAfter?: string;
  createdBefore?: string;
};

/** A date, or a date and time with a time zone. */
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function encodeOrderCursor(cursor: OrderCursor): string {
  return Buffer.from(
    JSON.stringify([cursor.createdAt, cursor.id]),
    'utf8',
  ).toString('base64url');
}

function decodeOrderCursor(encoded: string): OrderCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    Number.isNaN(Date.parse(parsed[0]))
  ) {
    throw new InputError('Malformed cursor: it is not one this API returned');
  }
  return { createdAt: parsed[0], id: parsed[1] };
}

/** Lists of orders: whose, which, and in pages. */
export class OrderQueries {
  constructor(
    private readonly orders: OrdersStore,
    private readonly permissions: PermissionsService,
    private readonly membership: GroupMembership,
    private readonly transformConditions: ConditionTransformer<OrderPermissionQuery>,
  ) {}

  /**
   * A page of orders. Which orders the caller sees is one conditional
   * permission decision, applied as a database filter: their own orders and
   * those their groups approve, or every order for administrators.
   */
  async listOrders(options: {
    credentials: BackstageCredentials;
    scope: OrderScope;
    filter: OrderListFilter;
    limit?: number;
    offset?: number;
    cursor?: string;
  }): Promise<{ items: Order[]; totalItems: number; nextCursor?: string }> {
    const { credentials, scope } = options;
    const user = userOf(credentials);
    const filter = await this.toStoreFilter(options.filter);
    let permissionFilter: OrderPermissionFilter;
    if (scope === 'inbox') {
      await requirePermission(
        this.permissions,
        credentials,
        storeOrderApprovePermission,
      );
      filter.status = ['pending_approval'];
      filter.approverGroup = [...(await this.membership.groupsOf(user))];
    } else {
      const [decision] = await this.permissions.authorizeConditional(
        [{ permission: storeOrderReadPermission }],
        { credentials },
      );
      if (decision.result === AuthorizeResult.DENY) {
        throw new NotAllowedError(
          `Not allowed: ${storeOrderReadPermission.name}`,
        );
      }
      if (decision.result === AuthorizeResult.CONDITIONAL) {
        permissionFilter = this.transformConditions(decision.conditions);
      }
      if (scope === 'mine') {
        filter.requester = [user];
      }
    }
    const page = await this.orders.listOrders({
      filter,
      permissionFilter,
      // What a user types would make statements of any number of values.
      prepared: !Object.values(options.filter).some(
        value => value !== undefined && value.length > 0,
      ),
      limit: options.limit ?? 50,
      offset: options.cursor ? 0 : options.offset ?? 0,
      cursor: options.cursor ? decodeOrderCursor(options.cursor) : undefined,
    });
    if (scope === 'inbox') {
      // Nobody decides on their own order, so it is not in their inbox.
      page.items = page.items.filter(o => o.requester !== user);
    }
    return {
      items: page.items,
      totalItems: page.totalItems,
      nextCursor: page.nextCursor && encodeOrderCursor(page.nextCursor),
    };
  }

  /** Checks the filters of a list and resolves its group to refs. */
  private async toStoreFilter(input: OrderListFilter): Promise<OrderFilter> {
    const date = (name: string, value?: string) => {
      if (value === undefined) {
        return undefined;
      }
      const parsed = new Date(value);
      if (!ISO_DATE.test(value) || Number.isNaN(parsed.getTime())) {
        throw new InputError(
          `${name} "${value}" is not a date; use an ISO 8601 date such as 2026-01-31 or 2026-01-31T12:00:00Z`,
        );
      }
      return parsed;
    };
    for (const status of input.status ?? []) {
      if (!(ORDER_STATUSES as string[]).includes(status)) {
        throw new InputError(
          `Unknown order status "${status}"; the statuses are ${ORDER_STATUSES.join(
            ', ',
          )}`,
        );
      }
    }
    const createdAfter = date('createdAfter', input.createdAfter);
    const createdBefore = date('createdBefore', input.createdBefore);
    if (createdAfter && createdBefore && createdAfter > createdBefore) {
      throw new InputError(
        `createdAfter ${input.createdAfter} is later than createdBefore ${input.createdBefore}`,
      );
    }
    const filter: OrderFilter = {
      status: input.status as OrderStatus[] | undefined,
      productRef: input.product?.map(ref => this.toProductRef(ref)),
      requester: input.requester?.map(ref =>
        this.toEntityRef(ref, 'user', 'requester'),
      ),
      createdAfter,
      createdBefore,
    };
    if (input.group && input.group.length > 0) {
      const groups = input.group.map(ref =>
        this.toEntityRef(ref, 'group', 'group'),
      );
      filter.group = await this.membership.membersOf(groups);
    }
    return filter;
  }

  private toEntityRef(ref: string, kind: string, name: string): string {
    try {
      return stringifyEntityRef(
        parseEntityRef(ref, { defaultKind: kind, defaultNamespace: 'default' }),
      ).toLocaleLowerCase('en-US');
    } catch {
      throw new InputError(`${name} "${ref}" is not an entity reference`);
    }
  }

  private toProductRef(ref: string): string {
    try {
      return stringifyEntityRef(
        parseEntityRef(ref, {
          defaultKind: 'product',
          defaultNamespace: 'default',
        }),
      );
    } catch {
      throw new InputError(`product "${ref}" is not a product reference`);
    }
  }
}
