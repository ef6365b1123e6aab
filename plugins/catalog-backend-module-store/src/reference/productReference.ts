import { JsonObject, JsonValue } from '@backstage/types';
import productSchema from '../schema/Product.v1alpha1.schema.json';

/** Where the reference is kept, from the repository's root. */
export const PRODUCT_REFERENCE_PATH = 'docs/product-reference.md';

type Schema = JsonObject;

type Row = {
  field: string;
  type: string;
  required: boolean;
  description: string;
};

const asSchema = (value: JsonValue | undefined): Schema | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Schema)
    : undefined;

/** A `#/definitions/x` reference replaced by its definition. */
function resolve(root: Schema, node: Schema): Schema {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/definitions/')) {
    return node;
  }
  const definitions = asSchema(root.definitions) ?? {};
  const target = asSchema(definitions[ref.slice('#/definitions/'.length)]);
  const { $ref: _, ...rest } = node;
  // The field's own words win over the definition's.
  return { ...resolve(root, target ?? {}), ...rest };
}

const code = (value: JsonValue) => `\`${JSON.stringify(value)}\``;

function typeOf(root: Schema, node: Schema): string {
  // A definition with a title is a type of its own, described once.
  if (typeof node.title === 'string') {
    return node.title;
  }
  if (Array.isArray(node.enum)) {
    return node.enum
      .map(v => (typeof v === 'string' ? `\`${v}\`` : code(v)))
      .join(', ');
  }
  if ('const' in node) {
    return code(node.const!);
  }
  if (Array.isArray(node.oneOf)) {
    return node.oneOf
      .map(variant => typeOf(root, resolve(root, asSchema(variant) ?? {})))
      .join(' or ');
  }
  const type = node.type;
  if (type === 'array') {
    const items = resolve(root, asSchema(node.items) ?? {});
    return `list of ${typeOf(root, items)}`;
  }
  if (type === 'object' && asSchema(node.additionalProperties)) {
    const values = resolve(root, asSchema(node.additionalProperties)!);
    return `map of ${typeOf(root, values)}`;
  }
  const bounds: string[] = [];
  if (typeof node.minimum === 'number') {
    bounds.push(`≥ ${node.minimum}`);
  }
  if (typeof node.exclusiveMinimum === 'number') {
    bounds.push(`> ${node.exclusiveMinimum}`);
  }
  if (typeof node.pattern === 'string') {
    bounds.push(`matching \`${node.pattern}\``);
  }
  return [typeof type === 'string' ? type : 'any', ...bounds].join(' ');
}

function collect(
  root: Schema,
  raw: Schema,
  field: string,
  required: boolean,
  rows: Row[],
) {
  const node = resolve(root, raw);
  const constraints: string[] = [];
  if (typeof node.minItems === 'number' && node.minItems > 0) {
    constraints.push(`At least ${node.minItems}.`);
  }
  rows.push({
    field,
    type: typeOf(root, node),
    required,
    description: [node.description ?? '', ...constraints]
      .filter(Boolean)
      .join(' '),
  });
  // Objects that are one of a few forms are described by their variants'
  // fields only when one form switches the thing off (`false`): durations
  // are values, not records.
  const variants = Array.isArray(node.oneOf)
    ? node.oneOf.map(v => resolve(root, asSchema(v) ?? {}))
    : [];
  if (variants.some(v => 'const' in v)) {
    for (const variant of variants) {
      collectChildren(root, variant, field, rows);
    }
  }
  collectChildren(root, node, field, rows);
}

function collectChildren(
  root: Schema,
  node: Schema,
  field: string,
  rows: Row[],
) {
  if (node.type === 'array') {
    const items = resolve(root, asSchema(node.items) ?? {});
    if (items.type === 'object') {
      collectChildren(root, items, `${field}[]`, rows);
    }
    return;
  }
  const properties = asSchema(node.properties);
  const required = new Set(
    Array.isArray(node.required) ? (node.required as string[]) : [],
  );
  for (const [key, child] of Object.entries(properties ?? {})) {
    collect(
      root,
      asSchema(child) ?? {},
      field ? `${field}.${key}` : key,
      required.has(key),
      rows,
    );
  }
  const values = asSchema(node.additionalProperties);
  if (values) {
    const names = asSchema(node.propertyNames);
    const key = names?.pattern ? '<role>' : '<name>';
    collect(root, values, `${field}.${key}`, false, rows);
  }
}

const cell = (text: string) =>
  text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim();

/**
 * The reference of every field of the Product kind, in Markdown, made from
 * its JSON schema: the schema is the one source of the fields, their types
 * and their descriptions.
 */
export function renderProductReference(schema: Schema = productSchema): string {
  const allOf = Array.isArray(schema.allOf) ? schema.allOf : [];
  const kind = allOf.map(asSchema).find(s => s?.properties);
  const rows: Row[] = [];
  collectChildren(schema, kind ?? {}, '', rows);

  const sections: Array<[string, string, (row: Row) => boolean]> = [
    [
      'Entity',
      'The envelope every Backstage entity has, and the metadata the store reads.',
      row => !row.field.startsWith('spec'),
    ],
    [
      'spec',
      'What the store offers and how it is ordered.',
      row =>
        row.field.startsWith('spec') && !row.field.startsWith('spec.plans[]'),
    ],
    [
      'spec.plans[]',
      'Each plan: its price, trial, limits, nodes, alert rules and metered prices.',
      row => row.field.startsWith('spec.plans[]'),
    ],
  ];
  const definitions = Object.values(asSchema(schema.definitions) ?? {})
    .map(asSchema)
    .filter((d): d is Schema => typeof d?.title === 'string');
  const lines = [
    '# Product reference',
    '',
    '<!-- Generated from plugins/catalog-backend-module-store/src/schema/Product.v1alpha1.schema.json',
    '     by `yarn store:reference`; do not edit by hand. -->',
    '',
    cell(String(schema.description ?? '')),
    '',
    'Every field of a `Product` descriptor (`apiVersion: cloudstore.io/v1alpha1`,',
    '`kind: Product`), as the catalog validates it. `yarn store:lint` checks',
    'descriptors against the same schema and rules; [the publishing guide](publishing.md)',
    'walks through them.',
  ];
  for (const [title, intro, belongs] of sections) {
    lines.push('', `## ${title}`, '', intro, '');
    lines.push('| field | type | required | description |');
    lines.push('| --- | --- | --- | --- |');
    for (const row of rows.filter(belongs)) {
      lines.push(
        `| \`${row.field}\` | ${cell(row.type)} | ${
          row.required ? 'yes' : ''
        } | ${cell(row.description)} |`,
      );
    }
  }
  lines.push('', '## Types', '', '| type | what it is |', '| --- | --- |');
  for (const definition of definitions) {
    const { title, description: text, pattern } = definition;
    const shape =
      typeof pattern === 'string' ? ` A string matching \`${pattern}\`.` : '';
    lines.push(`| ${cell(String(title))} | ${cell(`${text ?? ''}${shape}`)} |`);
  }
  return `${lines.join('\n')}\n`;
}
