import { z } from 'zod/v3';
import { describeIssue } from './actions';

describe('describeIssue', () => {
  const schema = z.object({
    id: z.string().min(1),
    count: z.number().int().min(0).max(10),
    when: z.enum(['now', 'later']),
    nodes: z.array(z.string()).min(1).optional(),
  });
  const messages = (input: unknown) => {
    const result = schema.safeParse(input);
    if (result.success) {
      throw new Error('the input is valid');
    }
    return result.error.issues.map(describeIssue);
  };

  it('words each issue as the REST APIs validation does, naming the field', () => {
    expect(messages({ count: 1, when: 'now' })).toEqual([
      "input must have required property 'id'",
    ]);
    expect(messages({ id: '', count: -1, when: 'soon', nodes: [] })).toEqual([
      'input/id must NOT have fewer than 1 characters',
      'input/count must be >= 0',
      'input/when must be equal to one of the allowed values: now, later',
      'input/nodes must NOT have fewer than 1 items',
    ]);
    expect(messages({ id: 'a', count: 1.5, when: 'now' })).toEqual([
      'input/count must be integer',
    ]);
    expect(messages({ id: 'a', count: 11, when: 'now', nodes: [3] })).toEqual([
      'input/count must be <= 10',
      'input/nodes/0 must be string',
    ]);
    expect(messages('x')).toEqual(['input must be object']);
  });
});
