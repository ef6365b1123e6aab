import {
  AuthService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { HumanDuration, durationToMilliseconds } from '@backstage/types';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  ConditionTransformer,
  createConditionTransformer,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import {
  nextOrderStatus,
  ORDER_STATUSES,
  Order,
  OrderAction,
  OrderDetails,
  OrderRole,
  OrderStatus,
  orderApprovalRequirement,
  Price,
  ProductDetails,
  storeOrderAdminPermission,
  storeOrderApprovePermission,
  storeOrderCreatePermission,
  storeOrderReadPermission,
} from '@internal/plugin-store-common';
import { randomUUID } from 'node:crypto';
import { Validator } from 'jsonschema';
import {
  OrderCursor,
  OrderFilter,
  OrderPatch,
  OrderPermissionFilter,
  OrdersStore,
} from '../database/OrdersStore';
import { OrderPermissionQuery } from '../permissions/rules';
import { ProductsStore } from '../database/ProductsStore';
import { GroupMembership } from './GroupMembership';
import { OrderNotifier } from './OrderNotifier';
import { OrderSecrets } from './OrderSecrets';
import { ProductService } from './ProductService';

/** The input of a new order. */
export type OrderInput = {
  product: string;
  plan: string;
  provider: string;
  region?: string;
  parameters?: Record<string, unknown>;
  comment?: string;
};

/** What the order form shows before the order is placed. */
export type OrderPreview = {
  product: string;
  plan: string;
  oneTimePrice?: Price;
  recurringPrice?: Price;
  approval: {
    needed: boolean;
    count: number;
    approverGroups: string[];
    sentence: string;
  };
  templateParameters?: unknown;
  templateSecrets?: unknown;
};

/** Starts provisioning of approved orders; see OrderFulfiller. */
export interface OrderProvisioner {
  provision(
    order: Order,
    options: { secrets?: Record<string, string> },
  ): Promise<void>;
}

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

const SYSTEM_ACTOR = 'plugin:store';
const TEMPLATE_CACHE_MS = 10_000;
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

function userOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as { userEntityRef?: string };
  if (!principal.userEntityRef) {
    throw new NotAllowedError('Orders are placed and decided by users');
  }
  return principal.userEntityRef;
}

/** Names of the parameters that a template's form steps declare. */
function declaredParameters(schema: unknown): Set<string> {
  const steps = [schema ?? []].flat() as Array<{ properties?: object }>;
  return new Set(steps.flatMap(step => Object.keys(step?.properties ?? {})));
}

/** The group an order is for, from a template's `owner` parameter. */
function ownerGroupOf(owner: unknown): string | undefined {
  if (typeof owner !== 'string' || owner === '') {
    return undefined;
  }
  try {
    const ref = parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
    return ref.kind.toLocaleLowerCase('en-US') === 'group'
      ? stringifyEntityRef(ref).toLocaleLowerCase('en-US')
      : undefined;
  } catch {
    return undefined;
  }
}

/** Orders of store products: placing, deciding and administering them. */
export class OrderService {
  private readonly validator = new Validator();
  /** Templates by ref, kept briefly: every order reads one. */
  private readonly templates = new Map<
    string,
    { at: number; entity: Promise<Entity | undefined> }
  >();

  private constructor(
    private readonly orders: OrdersStore,
    private readonly productsStore: ProductsStore,
    private readonly products: ProductService,
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly permissions: PermissionsService,
    private readonly membership: GroupMembership,
    private readonly secrets: OrderSecrets,
    private readonly notifier: OrderNotifier,
    private readonly logger: LoggerService,
    private readonly approvalTimeoutMs: number,
    private readonly transformConditions: ConditionTransformer<OrderPermissionQuery>,
    private provisioner?: OrderProvisioner,
  ) {}

  static create(options: {
    orders: OrdersStore;
    productsStore: ProductsStore;
    products: ProductService;
    catalog: CatalogService;
    auth: AuthService;
    permissions: PermissionsService;
    membership: GroupMembership;
    /** Keeps the secrets of orders that wait for approval. */
    secrets: OrderSecrets;
    notifier: OrderNotifier;
    logger: LoggerService;
    /** The order permission rules, to turn decisions into filters. */
    ruleset: PermissionRuleset<Order, OrderPermissionQuery>;
    /** How long an order waits for approval before it is rejected. */
    approvalTimeout?: HumanDuration;
  }): OrderService {
    return new OrderService(
      options.orders,
      options.productsStore,
      options.products,
      options.catalog,
      options.auth,
      options.permissions,
      options.membership,
      options.secrets,
      options.notifier,
      options.logger,
      durationToMilliseconds(options.approvalTimeout ?? { days: 7 }),
      createConditionTransformer(options.ruleset),
    );
  }

  /** Set once at start-up; the fulfiller depends on the store too. */
  setProvisioner(provisioner: OrderProvisioner) {
    if (this.provisioner) {
      throw new Error('The order provisioner is already set');
    }
    this.provisioner = provisioner;
  }

  /** Price, approval and form of an order, before it is placed. */
  async preview(options: {
    credentials: BackstageCredentials;
    product: string;
    plan: string;
  }): Promise<OrderPreview> {
    const { product, template } = await this.loadProduct(
      options.credentials,
      options.product,
    );
    const plan = product.plans.find(p => p.id === options.plan);
    if (!plan) {
      throw new InputError(
        `Product ${product.ref} has no plan "${
          options.plan
        }"; it has ${product.plans.map(p => p.id).join(', ')}`,
      );
    }
    const oneTime = plan.price.interval === 'one-time';
    return {
      product: product.ref,
      plan: plan.id,
      oneTimePrice: oneTime ? plan.price : undefined,
      recurringPrice: oneTime ? undefined : plan.price,
      approval: orderApprovalRequirement(plan, product.approval),
      templateParameters: template?.spec?.parameters,
      templateSecrets: template?.spec?.secrets,
    };
  }

  /**
   * Places an order. Orders that need no approval are provisioned right
   * away; the others wait for approvers, who are notified.
   */
  async createOrder(options: {
    credentials: BackstageCredentials;
    input: OrderInput;
    secrets?: Record<string, string>;
  }): Promise<OrderDetails> {
    const { credentials, input } = options;
    const requester = userOf(credentials);
    await this.require(credentials, storeOrderCreatePermission);
    const { product, template } = await this.loadProduct(
      credentials,
      input.product,
    );
    const plan = product.plans.find(p => p.id === input.plan);
    if (!plan) {
      throw new InputError(
        `Product ${product.ref} has no plan "${
          input.plan
        }"; it has ${product.plans.map(p => p.id).join(', ')}`,
      );
    }
    if (!product.providers.includes(input.provider)) {
      throw new InputError(
        `Product ${product.ref} is not offered on provider "${
          input.provider
        }"; it is offered on ${product.providers.join(', ')}`,
      );
    }
    if (!template) {
      throw new InputError(
        `The template ${product.template} of product ${product.ref} was not found`,
      );
    }
    // Where the stack goes is chosen with the order, not in the template's
    // form: templates that declare `provider` or `region` get the order's.
    const declared = declaredParameters(template.spec?.parameters);
    const parameters: Record<string, unknown> = { ...input.parameters };
    if (declared.has('provider')) {
      parameters.provider = input.provider;
    }
    if (declared.has('region') && input.region !== undefined) {
      parameters.region = input.region;
    }
    this.validateParameters(parameters, template.spec?.parameters);
    this.validateSecrets(
      options.secrets ?? {},
      (template.spec?.secrets as { schema?: Record<string, unknown> })?.schema,
    );

    const requirement = orderApprovalRequirement(plan, product.approval);
    const keepSecrets =
      requirement.needed && Object.keys(options.secrets ?? {}).length > 0;
    if (keepSecrets) {
      this.secrets.assertCanSave();
    }
    const now = new Date();
    const order = await this.orders.createOrder(
      {
        id: randomUUID(),
        productRef: product.ref,
        productTitle: product.title,
        templateRef: product.template,
        planId: plan.id,
        provider: input.provider,
        region: input.region,
        parameters,
        price: plan.price,
        requester,
        ownerGroup: ownerGroupOf(parameters.owner),
        status: requirement.needed ? 'pending_approval' : 'approved',
        approvalsRequired: requirement.count,
        approverGroups: requirement.approverGroups.map(ref =>
          stringifyEntityRef(
            parseEntityRef(ref, {
              defaultKind: 'group',
              defaultNamespace: 'default',
            }),
          ).toLocaleLowerCase('en-US'),
        ),
        approvalReason: requirement.needed ? requirement.sentence : undefined,
        expiresAt: requirement.needed
          ? new Date(now.getTime() + this.approvalTimeoutMs).toISOString()
          : undefined,
      },
      { actor: requester, comment: input.comment },
      now,
    );
    if (requirement.needed) {
      if (keepSecrets) {
        await this.secrets.save(order.id, options.secrets!);
      }
      await this.notifier.pendingApproval(order);
    } else {
      this.startProvisioning(order, options.secrets);
    }
    return order;
  }

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
      await this.require(credentials, storeOrderApprovePermission);
      filter.status = ['pending_approval'];
      filter.approverGroup = [...(await this.membership.groupsOf(user))];
    } else {
      const [decision] = await this.permissions.authorizeConditional(
        [{ permission: storeOrderReadPermission }],
        { credentials },
      );
      if (decision.result === AuthorizeResult.DENY) {
        return { items: [], totalItems: 0 };
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

  /** One order, for its requester, its approvers and admins. */
  async getOrder(options: {
    credentials: BackstageCredentials;
    id: string;
  }): Promise<OrderDetails> {
    const { order } = await this.loadForCaller(options.credentials, options.id);
    return order;
  }

  /** Approves or rejects an order as one of its approvers. */
  async decide(options: {
    credentials: BackstageCredentials;
    id: string;
    action: 'approve' | 'reject';
    comment?: string;
  }): Promise<OrderDetails> {
    const { order, roles, user } = await this.loadForCaller(
      options.credentials,
      options.id,
    );
    if (order.requester === user && options.action === 'approve') {
      throw new NotAllowedError('Requesters cannot approve their own orders');
    }
    const next = this.next(order, options.action, roles);
    const approving = options.action === 'approve';
    const updated = await this.orders.transition({
      id: order.id,
      expected: { status: order.status, version: order.version },
      to: next,
      action: options.action,
      actor: user,
      comment: options.comment,
      approver: approving ? user : undefined,
      patch: approving ? { approvals: order.approvals + 1 } : undefined,
    });
    if (updated.status === 'approved') {
      await this.notifier.approved(updated);
      // The provisioner reads the secrets that were kept for the order.
      this.startProvisioning(updated);
    }
    if (updated.status === 'rejected') {
      await this.secrets.delete(order.id);
      await this.notifier.rejected(updated, options.comment);
    }
    return updated;
  }

  /** Cancel (requester, before provisioning), retry, close or reopen. */
  async operate(options: {
    credentials: BackstageCredentials;
    id: string;
    action: 'cancel' | 'retry' | 'close' | 'reopen';
    comment?: string;
  }): Promise<OrderDetails> {
    const { order, roles, user } = await this.loadForCaller(
      options.credentials,
      options.id,
    );
    const next = this.next(order, options.action, roles);
    let patch: OrderPatch | undefined;
    if (options.action === 'reopen') {
      // A reopened order is decided afresh, with a new deadline.
      patch = {
        approvals: 0,
        expiresAt: new Date(Date.now() + this.approvalTimeoutMs).toISOString(),
      };
    } else if (options.action === 'retry') {
      patch = { error: undefined, taskId: undefined };
    }
    const updated = await this.orders.transition({
      id: order.id,
      expected: { status: order.status, version: order.version },
      to: next,
      action: options.action,
      actor: user,
      comment: options.comment,
      patch,
    });
    if (options.action === 'retry') {
      this.startProvisioning(updated);
    }
    if (updated.status === 'cancelled') {
      await this.secrets.delete(order.id);
    }
    if (options.action === 'reopen') {
      await this.notifier.pendingApproval(updated);
    }
    return updated;
  }

  /** Rejects orders that waited for approval too long. */
  async expireOrders(now: Date = new Date()): Promise<number> {
    let expired = 0;
    for (const id of await this.orders.listOrderIds({
      status: 'pending_approval',
      expiresBefore: now,
    })) {
      const order = await this.orders.getOrder(id);
      if (!order) {
        continue;
      }
      try {
        const updated = await this.orders.transition({
          id,
          expected: { status: order.status, version: order.version },
          to: this.next(order, 'expire', ['system']),
          action: 'expire',
          actor: SYSTEM_ACTOR,
          comment: `No decision before the approval deadline of ${order.expiresAt}`,
          now,
        });
        await this.secrets.delete(id);
        await this.notifier.rejected(updated, updated.events.at(-1)?.comment);
        expired += 1;
      } catch (error) {
        this.logger.warn(`Could not expire order ${id}: ${error}`);
      }
    }
    return expired;
  }

  /**
   * Provisioning runs after the response: the caller learns that the order
   * is approved, and follows it to fulfilled or failed.
   */
  private startProvisioning(order: Order, secrets?: Record<string, string>) {
    this.provisioner
      ?.provision(order, { secrets })
      .catch(error =>
        this.logger.error(`Could not provision order ${order.id}: ${error}`),
      );
  }

  private next(
    order: Order,
    action: Exclude<OrderAction, 'create'>,
    roles: OrderRole[],
  ): OrderStatus {
    const result = nextOrderStatus({
      status: order.status,
      action,
      roles,
      approvals: order.approvals,
      approvalsRequired: order.approvalsRequired,
    });
    if ('denied' in result) {
      if (result.denied.reason === 'role') {
        throw new NotAllowedError(result.denied.message);
      }
      // Someone else moved the order first, e.g. the other approver.
      throw new ConflictError(result.denied.message);
    }
    return result.status;
  }

  /**
   * Loads an order with the roles the caller has on it. Callers with no
   * role do not see the order at all.
   */
  private async loadForCaller(
    credentials: BackstageCredentials,
    id: string,
  ): Promise<{ order: OrderDetails; roles: OrderRole[]; user: string }> {
    const user = userOf(credentials);
    const order = await this.orders.getOrder(id);
    if (!order) {
      throw new NotFoundError(`No order ${id}`);
    }
    const [read, approve, admin] = await this.permissions.authorize(
      [
        { permission: storeOrderReadPermission, resourceRef: order.id },
        { permission: storeOrderApprovePermission },
        { permission: storeOrderAdminPermission },
      ],
      { credentials },
    );
    const roles: OrderRole[] = [];
    if (admin.result === AuthorizeResult.ALLOW) {
      roles.push('admin');
    }
    if (order.requester === user && read.result === AuthorizeResult.ALLOW) {
      roles.push('requester');
    }
    // Without approver groups on the product, the admins approve.
    const inApproverGroup =
      order.approverGroups.length === 0
        ? roles.includes('admin')
        : await this.membership.isMemberOfAny(user, order.approverGroups);
    if (
      order.requester !== user &&
      approve.result === AuthorizeResult.ALLOW &&
      inApproverGroup
    ) {
      roles.push('approver');
    }
    if (roles.length === 0) {
      throw new NotFoundError(`No order ${id}`);
    }
    return { order, roles, user };
  }

  private async require(
    credentials: BackstageCredentials,
    permission: BasicPermission,
  ) {
    const [decision] = await this.permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
  }

  /**
   * The product as the caller sees it, and its template as the store sees
   * it: the template may be hidden from users, the store is the way in.
   */
  private async loadProduct(
    credentials: BackstageCredentials,
    productRef: string,
  ) {
    let ref;
    try {
      ref = parseEntityRef(productRef, {
        defaultKind: 'product',
        defaultNamespace: 'default',
      });
    } catch (error) {
      throw new InputError(`"${productRef}" is not a product reference`);
    }
    const indexed = await this.productsStore.getProduct({
      id: stringifyEntityRef(ref).toLocaleLowerCase('en-US'),
      permissionFilter: undefined,
    });
    if (indexed?.lifecycle === 'deprecated') {
      throw new InputError(
        `Product ${stringifyEntityRef(
          ref,
        )} is deprecated and cannot be ordered`,
      );
    }
    const product: ProductDetails = await this.products.getProduct({
      credentials,
      namespace: ref.namespace,
      name: ref.name,
    });
    if (product.lifecycle !== 'published') {
      throw new InputError(
        `Product ${product.ref} is ${product.lifecycle} and cannot be ordered`,
      );
    }
    return { product, template: await this.getTemplate(product.template) };
  }

  private getTemplate(ref: string): Promise<Entity | undefined> {
    const cached = this.templates.get(ref);
    if (cached && Date.now() - cached.at < TEMPLATE_CACHE_MS) {
      return cached.entity;
    }
    const entity = this.auth
      .getOwnServiceCredentials()
      .then(credentials => this.catalog.getEntityByRef(ref, { credentials }));
    this.templates.set(ref, { at: Date.now(), entity });
    entity.catch(() => this.templates.delete(ref));
    return entity;
  }

  /** Names what is wrong with the secrets, never their values. */
  private validateSecrets(
    secrets: Record<string, string>,
    schema: Record<string, unknown> | undefined,
  ) {
    if (!schema) {
      return;
    }
    const result = this.validator.validate(secrets, schema);
    if (!result.valid) {
      const names = result.errors.map(e =>
        e.name === 'required'
          ? String(e.argument)
          : e.property.replace(/^instance\.?/, ''),
      );
      throw new InputError(
        `Secrets do not match the template: ${[...new Set(names)].join(
          ', ',
        )} missing or invalid`,
      );
    }
  }

  private validateParameters(
    parameters: Record<string, unknown>,
    schema: unknown,
  ) {
    const steps = [schema ?? []].flat() as Array<Record<string, unknown>>;
    for (const step of steps) {
      const result = this.validator.validate(parameters, step);
      if (!result.valid) {
        throw new InputError(
          `Parameters do not match the template: ${result.errors
            .map(
              e =>
                `${e.property.replace(/^instance\.?/, '') || 'parameters'} ${
                  e.message
                }`,
            )
            .join('; ')}`,
        );
      }
    }
  }
}
