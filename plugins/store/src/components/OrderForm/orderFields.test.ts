import {
  initialOrderValues,
  orderFieldError,
  orderFields,
  toOrderInput,
} from './orderFields';

describe('orderFields', () => {
  const fields = orderFields(
    [
      {
        required: ['name'],
        properties: {
          name: { title: 'Name', type: 'string', pattern: '^[a-z]+$' },
          replicas: { type: 'integer', default: 2 },
        },
      },
      {
        properties: {
          public: { type: 'boolean' },
          tier: { type: 'string', enum: ['a', 'b'], enumNames: ['A', 'B'] },
          tags: { type: 'array', items: { type: 'string' } },
        },
      },
    ],
    { schema: { properties: { token: { type: 'string' } } } },
  );

  it('reads every step and the secrets, skipping what it cannot render', () => {
    expect(fields.map(f => [f.name, f.kind, f.secret])).toEqual([
      ['name', 'string', false],
      ['replicas', 'integer', false],
      ['public', 'boolean', false],
      ['tier', 'enum', false],
      ['token', 'string', true],
    ]);
    expect(fields[3].options).toEqual([
      { value: 'a', label: 'A' },
      { value: 'b', label: 'B' },
    ]);
    expect(orderFields(undefined)).toEqual([]);
  });

  it('validates required, pattern and numbers', () => {
    const [name, replicas] = fields;
    expect(orderFieldError(name, '')).toBe('Required');
    expect(orderFieldError(name, 'Bad1')).toBe('Must match ^[a-z]+$');
    expect(orderFieldError(name, 'good')).toBeUndefined();
    expect(orderFieldError(replicas, '1.5')).toBe('Must be a whole number');
    expect(orderFieldError(replicas, '')).toBeUndefined();
  });

  it('splits values into typed parameters and secrets', () => {
    const values = {
      ...initialOrderValues(fields),
      name: 'db',
      replicas: '3',
      token: 't0k3n',
    };
    expect(toOrderInput(fields, values)).toEqual({
      parameters: { name: 'db', replicas: 3 },
      secrets: { token: 't0k3n' },
    });
  });
});
