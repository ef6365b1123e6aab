/*
 * Regenerates the cloud API's contract: the schemas that come from
 * @internal/plugin-cloud-common are written into src/schema/openapi.yaml,
 * and src/schema/openapi.generated.ts is written from openapi.yaml, in the
 * shape `backstage-repo-tools package schema openapi generate --server`
 * gives the store's. Run it with `yarn generate:openapi` in this package,
 * which also formats both files with prettier;
 * src/schema/openapi.test.ts fails when either file is stale.
 */
import { cloudContractSchemas } from '@internal/plugin-cloud-common';
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { zodToJsonSchema } from 'zod-to-json-schema';

const SCHEMA_DIR = resolve(__dirname, '../src/schema');

/**
 * The OpenAPI 3.0 form of each schema that cloud-common defines, by its name
 * under components.schemas; a schema refers by `$ref` to those listed before
 * it, the parts it is made of.
 */
export function contractComponents(): Record<string, object> {
  const entries = Object.entries(cloudContractSchemas);
  return Object.fromEntries(
    entries.map(([name, schema], index) => {
      const { schemas: _others, ...converted } = zodToJsonSchema(schema, {
        target: 'openApi3',
        basePath: ['#', 'components'],
        definitionPath: 'schemas',
        definitions: Object.fromEntries(entries.slice(0, index)),
      }) as Record<string, unknown>;
      return [name, converted];
    }),
  );
}

async function main() {
  const yamlPath = resolve(SCHEMA_DIR, 'openapi.yaml');
  const doc = parseDocument(await fs.readFile(yamlPath, 'utf8'));
  for (const [name, schema] of Object.entries(contractComponents())) {
    doc.setIn(['components', 'schemas', name], doc.createNode(schema));
  }
  await fs.writeFile(yamlPath, doc.toString());

  const spec = parseDocument(await fs.readFile(yamlPath, 'utf8')).toJS();
  const tsPath = resolve(SCHEMA_DIR, 'openapi.generated.ts');
  const ts = `// Generated from openapi.yaml by \`yarn generate:openapi\`; openapi.test.ts checks that they agree.

import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';

export const spec = ${JSON.stringify(spec, null, 2)} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
`;
  await fs.writeFile(tsPath, ts);
}

if (require.main === module) {
  main().catch(error => {
    console.error(error);
    process.exit(1);
  });
}
