import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validateProductEntity } from './ProductEntityProcessor';

const templatesDir = resolve(__dirname, '../../../templates');

function readEntities(): Entity[] {
  const location = parseAllDocuments(
    readFileSync(resolve(templatesDir, 'all.yaml'), 'utf8'),
  )[0].toJS();
  return (location.spec.targets as string[]).flatMap(target =>
    parseAllDocuments(
      readFileSync(
        resolve(dirname(resolve(templatesDir, 'all.yaml')), target),
        'utf8',
      ),
    ).map(doc => doc.toJS() as Entity),
  );
}

describe('the demo catalog under templates/', () => {
  const entities = readEntities();
  const products = entities.filter(e => e.kind === 'Product');
  const templateRefs = new Set(
    entities.filter(e => e.kind === 'Template').map(e => stringifyEntityRef(e)),
  );

  it('has at least 12 products in at least 5 categories', () => {
    expect(products.length).toBeGreaterThanOrEqual(12);
    const categories = new Set(products.map(p => p.spec?.category));
    expect(categories.size).toBeGreaterThanOrEqual(5);
  });

  it.each(products.map(p => [p.metadata.name, p] as const))(
    '%s is valid, has 2 to 3 plans and a registered template',
    (_, product) => {
      expect(validateProductEntity(product)).toBe(true);
      const plans = product.spec!.plans as unknown[];
      expect(plans.length).toBeGreaterThanOrEqual(2);
      expect(plans.length).toBeLessThanOrEqual(3);
      expect(templateRefs).toContain(product.spec!.template);
    },
  );

  it.each(
    products
      .filter(p => p.spec?.limitParameters)
      .map(p => [p.metadata.name, p] as const),
  )('%s governs parameters that its template has', (_, product) => {
    const template = entities.find(
      e =>
        e.kind === 'Template' &&
        stringifyEntityRef(e) === product.spec!.template,
    );
    const steps = template!.spec!.parameters as Array<{
      properties?: Record<string, unknown>;
    }>;
    const names = steps.flatMap(step => Object.keys(step.properties ?? {}));
    for (const parameter of Object.values(
      product.spec!.limitParameters as Record<string, string>,
    )) {
      expect(names).toContain(parameter);
    }
  });
});
