import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import productSchema from '../schema/Product.v1alpha1.schema.json';
import {
  PRODUCT_REFERENCE_PATH,
  renderProductReference,
} from './productReference';

const committed = () =>
  readFileSync(
    resolve(__dirname, '../../../..', PRODUCT_REFERENCE_PATH),
    'utf8',
  );

describe('the Product reference', () => {
  it('is what the JSON schema says', () => {
    const drift =
      committed() === renderProductReference()
        ? undefined
        : `${PRODUCT_REFERENCE_PATH} is not what the Product kind's JSON schema ` +
          '(src/schema/Product.v1alpha1.schema.json) says: run `yarn store:reference` and commit the result';
    expect(drift).toBeUndefined();
  });

  it('lists every field of the schema with its description', () => {
    const reference = renderProductReference();
    for (const field of [
      '`metadata.title`',
      '`spec.approval.approverGroups`',
      '`spec.audience`',
      '`spec.lifecycle`',
      '`spec.limitParameters.<name>`',
      '`spec.plans[].price.amount`',
      '`spec.plans[].nodes.<role>`',
      '`spec.plans[].alerts.notReporting.for`',
      '`spec.plans[].meteredPrices[].tiers[].upTo`',
    ]) {
      expect(reference).toContain(`| ${field} |`);
    }
    // Every row says what the field is for.
    const rows = reference.split('\n').filter(line => line.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) {
      expect(row).not.toMatch(/\|\s*\|$/);
    }
  });

  it('changes with the schema', () => {
    const schema = JSON.parse(JSON.stringify(productSchema));
    schema.definitions.plan.properties.setupFee = {
      description: 'A one-time fee charged with the first period.',
      $ref: '#/definitions/amount',
    };
    expect(renderProductReference(schema)).toContain(
      '| `spec.plans[].setupFee` | decimal amount |  | A one-time fee charged with the first period. |',
    );
  });
});
