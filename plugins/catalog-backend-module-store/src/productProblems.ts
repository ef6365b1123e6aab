import {
  Entity,
  entityKindSchemaValidator,
  parseEntityRef,
} from '@backstage/catalog-model';
import {
  currencyScale,
  isCurrencyCode,
  isNumericPlanLimit,
  NUMERIC_PLAN_LIMITS,
  meteredPriceProblem,
  PRODUCT_API_VERSION,
  PRODUCT_KIND,
  ProductEntity,
} from '@internal/plugin-store-common';
import productSchema from './schema/Product.v1alpha1.schema.json';

/**
 * What is wrong with a Product descriptor: the field at fault, as people
 * read it (`spec.plans[0].price.amount`), and what is wrong with it.
 *
 * @public
 */
export type ProductProblem = {
  field: string;
  message: string;
  /** `schema` for what the JSON schema rejects, `rule` for the rest. */
  source: 'schema' | 'rule';
};

const schemaValidator = entityKindSchemaValidator<ProductEntity>(productSchema);

/** `/spec/plans/0/price/amount` as people read it: `spec.plans[0].price.amount`. */
export function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((part, i) =>
      /^\d+$/.test(part) ? `[${part}]` : `${i ? '.' : ''}${part}`,
    )
    .join('');
}

/**
 * The first problem that the JSON schema finds, as the catalog reports it
 * (the schema validator stops at the first).
 */
function schemaProblem(entity: Entity): ProductProblem | undefined {
  try {
    schemaValidator(entity);
    return undefined;
  } catch (error) {
    // The validator says "/spec/plans/0/price/amount must match pattern …",
    // or "<root> must have required property 'spec'".
    const text = String((error as Error).message);
    const match = /^(\S+) ([\s\S]*)$/.exec(text);
    const pointer = match?.[1] ?? '<root>';
    const field = pointer === '<root>' ? '' : pointerToField(pointer);
    const message = (match?.[2] ?? text).replace(
      /\/([\w/-]+)/g,
      (_, path: string) => pointerToField(path),
    );
    // Money is never a float: a YAML number is the usual mistake.
    if (/(^|\.)amount$/.test(field)) {
      return {
        field,
        message:
          "must be a decimal amount as a string, e.g. '49.00' (quoted in YAML), with at most 13 digits before the point",
        source: 'schema',
      };
    }
    return { field, message, source: 'schema' };
  }
}

/**
 * Checks what the JSON schema cannot express, and names the field at fault.
 * Only for entities that the schema accepts.
 */
function ruleProblems(entity: ProductEntity): ProductProblem[] {
  const problems: ProductProblem[] = [];
  const problem = (field: string, message: string) =>
    problems.push({ field, message, source: 'rule' });
  // Prices are charged in minor units: a price finer than its currency's
  // would be rounded without anyone seeing it. (Metered prices are per
  // unit and may be finer; what they add up to is rounded once.)
  const checkScale = (
    field: string,
    money: { amount: string; currency: string },
  ) => {
    const decimals = money.amount.split('.')[1]?.length ?? 0;
    const scale = currencyScale(money.currency);
    if (decimals > scale) {
      problem(
        field,
        `"${money.amount}" has more decimals than ${money.currency}'s ${scale}`,
      );
    }
  };
  const { spec } = entity;
  const seenPlanIds = new Map<string, number>();
  spec.plans.forEach((plan, index) => {
    const field = `spec.plans[${index}]`;
    const first = seenPlanIds.get(plan.id);
    if (first !== undefined) {
      problem(
        `${field}.id`,
        `"${plan.id}" duplicates the id of spec.plans[${first}]`,
      );
    } else {
      seenPlanIds.set(plan.id, index);
    }
    if (!isCurrencyCode(plan.price.currency)) {
      problem(
        `${field}.price.currency`,
        `"${plan.price.currency}" is not an ISO 4217 currency code`,
      );
    } else {
      checkScale(`${field}.price.amount`, plan.price);
    }
    // A plan cannot provide more nodes of a role than its own limit allows.
    const instances = plan.limits?.instances;
    for (const [role, count] of Object.entries(plan.nodes ?? {})) {
      if (instances !== undefined && count > instances) {
        problem(
          `${field}.nodes.${role}`,
          `${count} is above the plan's limits.instances ${instances}`,
        );
      }
    }
    plan.meteredPrices?.forEach((metered, meteredIndex) => {
      const meteredField = `${field}.meteredPrices[${meteredIndex}]`;
      if (!isCurrencyCode(metered.currency)) {
        problem(
          `${meteredField}.currency`,
          `"${metered.currency}" is not an ISO 4217 currency code`,
        );
        return;
      }
      const invalid = meteredPriceProblem(metered);
      if (invalid) {
        problem(meteredField, `is invalid: ${invalid}`);
      }
    });
  });
  const threshold = spec.approval?.threshold;
  if (threshold && !isCurrencyCode(threshold.currency)) {
    problem(
      'spec.approval.threshold.currency',
      `"${threshold.currency}" is not an ISO 4217 currency code`,
    );
  } else if (threshold) {
    checkScale('spec.approval.threshold.amount', threshold);
  }
  if (spec.approval?.policy === 'above-threshold' && !threshold) {
    problem(
      'spec.approval.threshold',
      'is required when spec.approval.policy is "above-threshold"',
    );
  }
  // The schema lets any name through so that a typo gets a message that
  // lists the limits a parameter can be governed by.
  for (const limit of Object.keys(spec.limitParameters ?? {})) {
    if (!isNumericPlanLimit(limit)) {
      problem(
        `spec.limitParameters.${limit}`,
        `is not a plan limit that can govern a parameter; use one of: ${NUMERIC_PLAN_LIMITS.join(
          ', ',
        )}`,
      );
    }
  }
  // [field, ref, default kind, whether only that kind will do]
  const refs: Array<[string, string, string, boolean]> = [
    ['spec.template', spec.template, 'template', true],
    // Users may own a product or be its audience: permission claims name
    // the user as well as their groups.
    ['spec.owner', spec.owner, 'group', false],
    ...(spec.audience ?? []).map(
      (ref, i): [string, string, string, boolean] => [
        `spec.audience[${i}]`,
        ref,
        'group',
        false,
      ],
    ),
    // Orders wait for a member of one of these groups.
    ...(spec.approval?.approverGroups ?? []).map(
      (ref, i): [string, string, string, boolean] => [
        `spec.approval.approverGroups[${i}]`,
        ref,
        'group',
        true,
      ],
    ),
  ];
  for (const [field, ref, defaultKind, onlyDefault] of refs) {
    let kind: string;
    try {
      kind = parseEntityRef(ref, {
        defaultKind,
        defaultNamespace: entity.metadata.namespace,
      }).kind;
    } catch (error) {
      problem(field, `"${ref}" is not a valid entity ref`);
      continue;
    }
    if (onlyDefault && kind.toLocaleLowerCase('en-US') !== defaultKind) {
      problem(field, `"${ref}" is a ${kind}, not a ${defaultKind}`);
    }
  }
  return problems;
}

/**
 * Everything wrong with a Product entity: the first problem the JSON schema
 * finds, or when the schema accepts it, every broken rule that the schema
 * cannot express. The catalog's processor and the product linter both use
 * it. Empty for entities of other kinds and for good products.
 *
 * @public
 */
export function productProblems(entity: Entity): ProductProblem[] {
  if (
    entity.kind !== PRODUCT_KIND ||
    entity.apiVersion !== PRODUCT_API_VERSION
  ) {
    return [];
  }
  const problem = schemaProblem(entity);
  if (problem) {
    return [problem];
  }
  return ruleProblems(entity as ProductEntity);
}
