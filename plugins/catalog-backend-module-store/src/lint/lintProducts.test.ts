import { formatLintMessage, lintProductFiles } from './lintProducts';

const TEMPLATE = `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: postgresql
spec:
  owner: group:default/platform-admins
  type: resource
  parameters:
    - title: Database
      properties:
        name:
          type: string
        instances:
          type: integer
  steps: []
`;

/** A good product, in YAML, whose lines the tests below refer to. */
const PRODUCT = `apiVersion: cloudstore.io/v1alpha1
kind: Product
metadata:
  name: postgresql
spec:
  type: resource
  category: Databases
  owner: group:default/platform-admins
  template: template:default/postgresql
  providers: [local]
  lifecycle: published
  approval:
    policy: above-threshold
    threshold:
      amount: '500.00'
      currency: USD
    approverGroups:
      - group:default/platform-admins
  plans:
    - id: free
      title: Free
      price:
        amount: '0'
        currency: USD
        interval: month
    - id: standard
      title: Standard
      price:
        amount: '49.00'
        currency: USD
        interval: month
`;

function lint(product: string, files: Record<string, string> = {}) {
  return lintProductFiles([
    { path: 'product.yaml', content: product },
    { path: 'template.yaml', content: TEMPLATE },
    ...Object.entries(files).map(([path, content]) => ({ path, content })),
  ]).map(formatLintMessage);
}

describe('lintProductFiles', () => {
  it('finds nothing wrong with a good product whose template is given', () => {
    expect(lint(PRODUCT)).toEqual([]);
  });

  it('reads every document of a file, and finds templates in any of them', () => {
    expect(
      lintProductFiles([
        { path: 'all.yaml', content: `${TEMPLATE}---\n${PRODUCT}` },
      ]),
    ).toEqual([]);
  });

  it.each([
    [
      'an amount that is a YAML number',
      PRODUCT.replace("amount: '49.00'", 'amount: 49.99'),
      "product.yaml:29: spec.plans[1].price.amount: must be a decimal amount as a string, e.g. '49.00' (quoted in YAML), with at most 13 digits before the point",
    ],
    [
      'an amount that is not a decimal',
      PRODUCT.replace("amount: '49.00'", "amount: '49,00'"),
      'product.yaml:29: spec.plans[1].price.amount: must be a decimal amount',
    ],
    [
      'an amount finer than its currency',
      PRODUCT.replace("amount: '49.00'", "amount: '49.005'"),
      `product.yaml:29: spec.plans[1].price.amount: "49.005" has more decimals than USD's 2`,
    ],
    [
      'a threshold finer than its currency',
      PRODUCT.replace("amount: '500.00'", "amount: '500.5'").replace(
        /threshold:\n {6}amount: '500.5'\n {6}currency: USD/,
        "threshold:\n      amount: '500.5'\n      currency: JPY",
      ),
      `product.yaml:15: spec.approval.threshold.amount: "500.5" has more decimals than JPY's 0`,
    ],
    [
      'an unknown currency',
      PRODUCT.replace(
        'currency: USD\n        interval: month\n    - id',
        'currency: XYZ\n        interval: month\n    - id',
      ),
      'product.yaml:24: spec.plans[0].price.currency: "XYZ" is not an ISO 4217 currency code',
    ],
    [
      'a currency that is not three capitals',
      PRODUCT.replace(
        'currency: USD\n        interval: month\n    - id',
        'currency: usd\n        interval: month\n    - id',
      ),
      'product.yaml:24: spec.plans[0].price.currency: must match pattern',
    ],
    [
      'a duplicate plan id',
      PRODUCT.replace('id: standard', 'id: free'),
      'product.yaml:26: spec.plans[1].id: "free" duplicates the id of spec.plans[0]',
    ],
    [
      'an approver that is not a group',
      PRODUCT.replace(
        '      - group:default/platform-admins',
        '      - user:default/approver',
      ),
      'product.yaml:18: spec.approval.approverGroups[0]: "user:default/approver" is a user, not a group',
    ],
    [
      'an approver that is not an entity ref',
      PRODUCT.replace(
        '      - group:default/platform-admins',
        '      - "group:"',
      ),
      'product.yaml:18: spec.approval.approverGroups[0]: "group:" is not a valid entity ref',
    ],
    [
      'a threshold policy without a threshold',
      PRODUCT.replace(
        "    threshold:\n      amount: '500.00'\n      currency: USD\n",
        '',
      ),
      'product.yaml:12: spec.approval.threshold: is required when spec.approval.policy is "above-threshold"',
    ],
    [
      'a missing required field, at the line of its parent',
      PRODUCT.replace('  lifecycle: published\n', ''),
      "product.yaml:5: spec: must have required property 'lifecycle'",
    ],
    [
      'an unknown lifecycle',
      PRODUCT.replace('lifecycle: published', 'lifecycle: beta'),
      'product.yaml:11: spec.lifecycle: must be equal to one of the allowed values',
    ],
    [
      'a template that is not among the files',
      PRODUCT.replace(
        'template:default/postgresql',
        'template:default/postgres',
      ),
      'product.yaml:9: spec.template: "template:default/postgres" is not a Template in the given files',
    ],
    [
      'a template ref that is not a template',
      PRODUCT.replace(
        'template:default/postgresql',
        'component:default/postgresql',
      ),
      'product.yaml:9: spec.template: "component:default/postgresql" is a component, not a template',
    ],
    [
      'a limit that cannot govern a parameter',
      PRODUCT.replace(
        '  plans:\n',
        '  limitParameters:\n    cores: cpuCount\n  plans:\n',
      ),
      'product.yaml:20: spec.limitParameters.cores: is not a plan limit that can govern a parameter; use one of: instances',
    ],
    [
      'a limit that governs a parameter the template lacks',
      PRODUCT.replace(
        '  plans:\n',
        '  limitParameters:\n    instances: nodes\n  plans:\n',
      ),
      'product.yaml:20: spec.limitParameters.instances: "nodes" is not a parameter of the template template:default/postgresql',
    ],
    [
      'a Product of another apiVersion',
      PRODUCT.replace('cloudstore.io/v1alpha1', 'cloudstore.io/v1'),
      'product.yaml:1: apiVersion: "cloudstore.io/v1" is not the Product kind\'s apiVersion; use cloudstore.io/v1alpha1',
    ],
  ])('reports %s with its file, line and field', (_, product, expected) => {
    const messages = lint(product);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(expected);
  });

  it('accepts a limit that governs a parameter of the template', () => {
    expect(
      lint(
        PRODUCT.replace(
          '  plans:\n',
          '  limitParameters:\n    instances: instances\n  plans:\n',
        ),
      ),
    ).toEqual([]);
  });

  it('reports every broken rule of a product, in line order', () => {
    const product = PRODUCT.replace('id: standard', 'id: free').replace(
      "amount: '49.00'\n        currency: USD",
      "amount: '49.00'\n        currency: XYZ",
    );
    expect(lint(product)).toEqual([
      'product.yaml:26: spec.plans[1].id: "free" duplicates the id of spec.plans[0]',
      'product.yaml:30: spec.plans[1].price.currency: "XYZ" is not an ISO 4217 currency code',
    ]);
  });

  it('names the document of a multi-document file by its own lines', () => {
    const second = PRODUCT.replace('name: postgresql', 'name: other').replace(
      'id: standard',
      'id: free',
    );
    expect(lint(`${PRODUCT}---\n${second}`)).toEqual([
      `product.yaml:${
        32 + 26
      }: spec.plans[1].id: "free" duplicates the id of spec.plans[0]`,
    ]);
  });

  it('reports YAML that does not parse', () => {
    expect(
      lintProductFiles([
        { path: 'broken.yaml', content: 'kind: Product\nmetadata: [a\n' },
      ]).map(formatLintMessage),
    ).toEqual([expect.stringMatching(/^broken\.yaml:\d+: YAML: /)]);
  });

  it('leaves other kinds alone', () => {
    expect(
      lintProductFiles([
        {
          path: 'component.yaml',
          content:
            'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n',
        },
      ]),
    ).toEqual([]);
  });
});
