import { memoizeConditionTransformer } from './memoizeConditionTransformer';

describe('memoizeConditionTransformer', () => {
  // the conditions of a decision, a new object for each decision
  const decision = () => ({
    conditions: {
      rule: 'HAS_LIFECYCLE',
      resourceType: 'store-product',
      params: { lifecycles: ['published'] },
    },
  });

  it('turns the conditions of one decision into a filter once', () => {
    const transform = jest.fn(() => ({ key: 'lifecycle', values: ['x'] }));
    const memoized = memoizeConditionTransformer(transform);
    const first = decision();
    const filter = memoized(first.conditions);
    expect(memoized(first.conditions)).toBe(filter);
    expect(transform).toHaveBeenCalledTimes(1);

    // Another decision, even an equal one, is turned on its own.
    const other = decision();
    expect(memoized(other.conditions)).toEqual(filter);
    expect(transform).toHaveBeenCalledTimes(2);
  });

  it('keeps nothing of a transform that throws', () => {
    const transform = jest
      .fn()
      .mockImplementationOnce(() => {
        throw new Error('bad params');
      })
      .mockReturnValue({ key: 'lifecycle', values: ['x'] });
    const memoized = memoizeConditionTransformer(transform);
    const { conditions } = decision();
    expect(() => memoized(conditions)).toThrow('bad params');
    expect(memoized(conditions)).toEqual({ key: 'lifecycle', values: ['x'] });
  });
});
