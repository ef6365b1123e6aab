import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  PRODUCT_REFERENCE_PATH,
  renderProductReference,
} from './productReference';

/**
 * Writes docs/product-reference.md from the Product kind's JSON schema; run
 * by `yarn store:reference`, which yarn runs at the repository's root.
 */
async function main() {
  const path = resolve(process.cwd(), PRODUCT_REFERENCE_PATH);
  await writeFile(path, renderProductReference(), 'utf8');
  process.stderr.write(`Wrote ${PRODUCT_REFERENCE_PATH}\n`);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
