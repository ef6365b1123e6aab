import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

jest.setTimeout(60_000);

const fixtures = resolve(__dirname, '__fixtures__');

/**
 * Runs `yarn store:lint` as a publisher does, from the folder of their
 * descriptors: yarn runs the script at the project's root, and the linter
 * names files as the caller gave them.
 */
async function storeLint(...files: string[]) {
  // Under `yarn test`, the yarn that runs the tests.
  const yarn = process.env.npm_execpath ?? 'yarn';
  try {
    const { stdout, stderr } = await promisify(execFile)(
      yarn,
      ['store:lint', ...files],
      {
        cwd: fixtures,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as {
      code: number;
      stdout: string;
      stderr: string;
    };
    return { code, stdout, stderr };
  }
}

describe('yarn store:lint', () => {
  it('exits with 0 on good descriptors', async () => {
    const result = await storeLint('good.yaml', 'template.yaml');
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain('2 files: no problems');
  });

  it('prints file:line: field: message for each problem and exits with 1', async () => {
    const result = await storeLint('bad.yaml', 'good.yaml', 'template.yaml');
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      "bad.yaml:16: spec.plans[0].price.amount: must be a decimal amount as a string, e.g. '49.00' (quoted in YAML), with at most 13 digits before the point",
      'bad.yaml:28: spec.template: "template:default/missing" is not a Template in the given files',
      'bad.yaml:34: spec.approval.approverGroups[0]: "user:default/approver" is a user, not a group',
      'bad.yaml:38: spec.plans[0].price.currency: "XYZ" is not an ISO 4217 currency code',
      'bad.yaml:39: spec.plans[1].id: "standard" duplicates the id of spec.plans[0]',
      "bad.yaml:47: spec: must have required property 'plans' - missingProperty: plans",
      'bad.yaml:63: spec.template: "template:default/missing" is not a Template in the given files',
    ]);
    expect(result.stderr).toContain('7 problems in 1 of 3 files');
  });

  it('finds the templates only among the given files', async () => {
    // good.yaml's redis product has its template in template.yaml.
    const result = await storeLint('good.yaml');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^good\.yaml:\d+: spec\.template: "redis" is not a Template in the given files\n$/,
    );
  });

  it('exits with 2 on a file it cannot read', async () => {
    const result = await storeLint('missing.yaml');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing.yaml: cannot be read');
  });
});
