import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  findPlanLimitViolation,
  orderApprovalRequirement,
  OrderDetails,
  Price,
  ProductDetails,
  storeOrderCreatePermission,
} from '@internal/plugin-store-common';
import { Validator } from 'jsonschema';
import { randomUUID } from 'node:crypto';
import { OrdersStore } from '../database/OrdersStore';
import { ProductsStore } from '../database/ProductsStore';
import { requirePermission, StartProvisioning, userOf } from './orderAccess';
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

/**
 * Placing orders: checks an order against its product, plan, provider and
 * template, prices it, and decides whether it waits for approval.
 */
export class OrderPlacement {
  private readonly validator = new Validator();

  constructor(
    private readonly orders: OrdersStore,
    private readonly productsStore: ProductsStore,
    private readonly products: ProductService,
    private readonly permissions: PermissionsService,
    private readonly secrets: OrderSecrets,
    private readonly notifier: OrderNotifier,
    private readonly approvalTimeoutMs: number,
    private readonly startProvisioning: StartProvisioning,
  ) {}

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
    await requirePermission(
      this.permissions,
      credentials,
      storeOrderCreatePermission,
    );
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
    if (product.unavailableProviders.includes(input.provider)) {
      throw new InputError(
        `Provider "${
          input.provider
        }" is not available here: the cloud backend has no such provider. Product ${
          product.ref
        } can be ordered on ${product.providers.join(', ') || 'no provider'}`,
      );
    }
    if (!product.providers.includes(input.provider)) {
      throw new InputError(
        `Product ${product.ref} is not offered on provider "${
          input.provider
        }"; it is offered on ${
          product.providers.join(', ') || 'no available provider'
        }`,
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
    const violation = findPlanLimitViolation({
      plans: product.plans,
      limitParameters: product.limitParameters,
      planId: plan.id,
      parameters,
    });
    if (violation) {
      throw new InputError(violation.message);
    }
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
    return {
      product,
      template: await this.products.getTemplate(product.template),
    };
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
