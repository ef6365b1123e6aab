/** One input of an order form, read from a template's JSON schema. */
export type OrderField = {
  name: string;
  title: string;
  description?: string;
  kind: 'string' | 'number' | 'integer' | 'boolean' | 'enum';
  options?: Array<{ value: string; label: string }>;
  required: boolean;
  defaultValue?: unknown;
  pattern?: string;
  /** Secrets render as password inputs and are sent apart from parameters. */
  secret: boolean;
};

type JsonSchema = {
  title?: string;
  description?: string;
  type?: string;
  enum?: unknown[];
  enumNames?: string[];
  default?: unknown;
  pattern?: string;
  required?: string[];
  properties?: Record<string, JsonSchema>;
  'ui:widget'?: string;
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldOf(
  name: string,
  schema: JsonSchema,
  required: boolean,
  secret: boolean,
): OrderField | undefined {
  const base = {
    name,
    title: schema.title ?? name,
    description: schema.description,
    required,
    defaultValue: schema.default,
    pattern: schema.pattern,
    secret: secret || schema['ui:widget'] === 'password',
  };
  if (Array.isArray(schema.enum)) {
    return {
      ...base,
      kind: 'enum',
      options: schema.enum.map((value, i) => ({
        value: String(value),
        label: schema.enumNames?.[i] ?? String(value),
      })),
    };
  }
  switch (schema.type ?? 'string') {
    case 'string':
      return { ...base, kind: 'string' };
    case 'number':
      return { ...base, kind: 'number' };
    case 'integer':
      return { ...base, kind: 'integer' };
    case 'boolean':
      return { ...base, kind: 'boolean' };
    default:
      // Objects and arrays need the scaffolder's own form; not offered here.
      return undefined;
  }
}

function fieldsOfObject(schema: unknown, secret: boolean): OrderField[] {
  if (!isObject(schema)) {
    return [];
  }
  const { properties, required = [] } = schema as JsonSchema;
  return Object.entries(properties ?? {}).flatMap(([name, property]) => {
    const field = isObject(property)
      ? fieldOf(name, property as JsonSchema, required.includes(name), secret)
      : undefined;
    return field ? [field] : [];
  });
}

/**
 * The inputs of an order form: the template's parameters (one schema or a
 * list of steps) and its secrets (`{ schema }`), flattened in order.
 */
export function orderFields(
  templateParameters: unknown,
  templateSecrets?: unknown,
): OrderField[] {
  const steps = Array.isArray(templateParameters)
    ? templateParameters
    : [templateParameters];
  const secretSchema = isObject(templateSecrets)
    ? templateSecrets.schema
    : undefined;
  return [
    ...steps.flatMap(step => fieldsOfObject(step, false)),
    ...fieldsOfObject(secretSchema, true),
  ];
}

/** The values a new form starts with: the schema defaults. */
export function initialOrderValues(
  fields: OrderField[],
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.defaultValue !== undefined && !field.secret) {
      values[field.name] = field.defaultValue;
    }
  }
  return values;
}

/** What is wrong with one value, or undefined. */
export function orderFieldError(
  field: OrderField,
  value: unknown,
): string | undefined {
  const empty = value === undefined || value === '';
  if (empty) {
    return field.required ? 'Required' : undefined;
  }
  if (
    field.kind === 'string' &&
    field.pattern &&
    !new RegExp(field.pattern).test(String(value))
  ) {
    return `Must match ${field.pattern}`;
  }
  if (
    (field.kind === 'number' || field.kind === 'integer') &&
    !Number.isFinite(Number(value))
  ) {
    return 'Must be a number';
  }
  if (field.kind === 'integer' && !Number.isInteger(Number(value))) {
    return 'Must be a whole number';
  }
  return undefined;
}

/**
 * Splits form values into the order's parameters and secrets, typed as the
 * schema says; empty optional values are left out.
 */
export function toOrderInput(
  fields: OrderField[],
  values: Record<string, unknown>,
): { parameters: Record<string, unknown>; secrets: Record<string, string> } {
  const parameters: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (value === undefined || value === '') {
      continue;
    }
    if (field.secret) {
      secrets[field.name] = String(value);
    } else if (field.kind === 'number' || field.kind === 'integer') {
      parameters[field.name] = Number(value);
    } else {
      parameters[field.name] = value;
    }
  }
  return { parameters, secrets };
}
