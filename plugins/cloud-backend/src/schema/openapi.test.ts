import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { contractComponents } from '../../scripts/generateOpenApi';
import { spec } from './openapi.generated';

const contract = parse(
  readFileSync(resolve(__dirname, 'openapi.yaml'), 'utf8'),
);

describe('openapi', () => {
  it('the router is built from the contract in openapi.yaml', () => {
    expect(spec).toEqual(contract);
  });

  it('the contract carries the stack spec as cloud-common defines it', () => {
    const components = contractComponents();
    expect(Object.keys(components)).toEqual([
      'NodeLimits',
      'RoleSpec',
      'StackTemplate',
      'StackSpec',
      'StackLimits',
      'CreateStack',
    ]);
    for (const [name, schema] of Object.entries(components)) {
      expect({ [name]: contract.components.schemas[name] }).toEqual({
        [name]: schema,
      });
    }
  });
});
