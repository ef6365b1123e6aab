import { JsonObject, JsonValue } from '@backstage/types';
import { TemplateParameterSchema } from '@backstage/plugin-scaffolder-react';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function propertiesOf(schema: unknown): Record<string, JsonObject> {
  if (!isObject(schema) || !isObject(schema.properties)) {
    return {};
  }
  return Object.fromEntries(
    Object.entries(schema.properties).filter(
      (entry): entry is [string, JsonObject] => isObject(entry[1]),
    ),
  );
}

/**
 * Template parameters that the store fills from the order's own provider and
 * region (the store backend's order service does), so the form leaves them
 * out rather than ask twice.
 */
const PLACEMENT_PARAMETERS: ReadonlySet<string> = new Set([
  'provider',
  'region',
]);

function withoutPlacement(step: JsonObject): JsonObject {
  if (!isObject(step.properties)) {
    return step;
  }
  const kept = (name: JsonValue) =>
    typeof name !== 'string' || !PLACEMENT_PARAMETERS.has(name);
  return {
    ...step,
    properties: Object.fromEntries(
      Object.entries(step.properties).filter(([name]) => kept(name)),
    ),
    ...(Array.isArray(step.required)
      ? { required: step.required.filter(kept) }
      : {}),
  };
}

/**
 * The steps of the scaffolder form of an order: the template's parameter
 * steps as the scaffolder renders them, and a last step for the template's
 * secrets, each entered through the scaffolder's `Secret` field.
 */
export function orderFormManifest(
  title: string,
  templateParameters: unknown,
  templateSecrets?: unknown,
): TemplateParameterSchema {
  const steps = (
    Array.isArray(templateParameters)
      ? templateParameters
      : [templateParameters]
  ).filter(isObject);
  const secretSchema = isObject(templateSecrets)
    ? templateSecrets.schema
    : undefined;
  const secretProperties = propertiesOf(secretSchema);
  return {
    title,
    steps: [
      ...steps.map(step => ({
        title: typeof step.title === 'string' ? step.title : 'Parameters',
        description:
          typeof step.description === 'string' ? step.description : undefined,
        schema: withoutPlacement(step),
      })),
      ...(Object.keys(secretProperties).length > 0 && isObject(secretSchema)
        ? [
            {
              title: 'Secrets',
              description:
                'Sent to the provisioning task only; the store never keeps them.',
              schema: {
                ...secretSchema,
                type: 'object',
                properties: Object.fromEntries(
                  Object.entries(secretProperties).map(([name, property]) => [
                    name,
                    { ...property, 'ui:field': 'Secret' },
                  ]),
                ),
              },
            },
          ]
        : []),
    ],
  };
}

/**
 * Splits the values of the scaffolder form into the order's parameters and
 * its secrets. Fields with `ui:field: Secret` hold a mask in the form and
 * their value in the scaffolder's secrets context; `ui:widget: password`
 * fields hold their value in the form, and are secrets all the same.
 */
export function splitOrderValues(
  manifest: TemplateParameterSchema,
  values: Record<string, JsonValue>,
  contextSecrets: Record<string, string>,
): { parameters: Record<string, JsonValue>; secrets: Record<string, string> } {
  const parameters: Record<string, JsonValue> = { ...values };
  const secrets: Record<string, string> = {};
  for (const step of manifest.steps) {
    for (const [name, property] of Object.entries(propertiesOf(step.schema))) {
      const uiSchema = isObject(step.schema.uiSchema)
        ? step.schema.uiSchema[name]
        : undefined;
      const ui = { ...(isObject(uiSchema) ? uiSchema : {}), ...property };
      if (ui['ui:field'] === 'Secret') {
        delete parameters[name];
        if (contextSecrets[name] !== undefined) {
          secrets[name] = contextSecrets[name];
        }
      } else if (ui['ui:widget'] === 'password') {
        delete parameters[name];
        if (typeof values[name] === 'string') {
          secrets[name] = values[name] as string;
        }
      }
    }
  }
  return { parameters, secrets };
}
