/*
 * Writes src/schema/openapi.generated.ts from src/schema/openapi.yaml, in
 * the shape `backstage-repo-tools package schema openapi generate --server`
 * gives. Run it with `yarn generate:openapi` in this package, which also
 * formats both files with prettier; src/schema/openapi.test.ts fails when
 * the generated file is stale.
 */
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';

const SCHEMA_DIR = resolve(__dirname, '../src/schema');

async function main() {
  const yamlPath = resolve(SCHEMA_DIR, 'openapi.yaml');
  const spec = parseDocument(await fs.readFile(yamlPath, 'utf8')).toJS();
  const ts = `// Generated from openapi.yaml by \`yarn generate:openapi\`; openapi.test.ts checks that they agree.

import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';

export const spec = ${JSON.stringify(spec, null, 2)} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
`;
  await fs.writeFile(resolve(SCHEMA_DIR, 'openapi.generated.ts'), ts);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
