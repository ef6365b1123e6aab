import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  PRODUCT_REFERENCE_PATH,
  renderProductReference,
} from './productReference';

/** Writes docs/product-reference.md from the Product kind's JSON schema. */
async function main() {
  const path = resolve(__dirname, '../../../..', PRODUCT_REFERENCE_PATH);
  await writeFile(path, renderProductReference(), 'utf8');
  process.stderr.write(`Wrote ${PRODUCT_REFERENCE_PATH}\n`);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
