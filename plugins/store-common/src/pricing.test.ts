import {
  divideHalfUp,
  formatPrice,
  fromMinorUnits,
  isCurrencyCode,
  isDecimalAmount,
  monthlyMinorUnits,
  planNeedsApproval,
  toMinorUnits,
} from './pricing';

describe('pricing', () => {
  it('recognises decimal amounts', () => {
    expect(isDecimalAmount('999.00')).toBe(true);
    expect(isDecimalAmount('0')).toBe(true);
    expect(isDecimalAmount('9.5')).toBe(true);
    expect(isDecimalAmount(999)).toBe(false);
    expect(isDecimalAmount('-1.00')).toBe(false);
    expect(isDecimalAmount('1e3')).toBe(false);
    expect(isDecimalAmount('01.00')).toBe(false);
    expect(isDecimalAmount('12,00')).toBe(false);
  });

  it('recognises currency codes', () => {
    expect(isCurrencyCode('USD')).toBe(true);
    expect(isCurrencyCode('EUR')).toBe(true);
    expect(isCurrencyCode('usd')).toBe(false);
    expect(isCurrencyCode('XYZ')).toBe(false);
  });

  it('converts to and from minor units, rounding half-up', () => {
    expect(toMinorUnits('999.00', 'USD')).toBe(99900);
    expect(toMinorUnits('0.005', 'USD')).toBe(1);
    expect(toMinorUnits('0.004', 'USD')).toBe(0);
    expect(toMinorUnits('1.999', 'USD')).toBe(200);
    expect(toMinorUnits('1000', 'JPY')).toBe(1000);
    expect(fromMinorUnits(99900, 'USD')).toBe('999.00');
    expect(fromMinorUnits(5, 'USD')).toBe('0.05');
    expect(fromMinorUnits(1000, 'JPY')).toBe('1000');
  });

  it('divides half-up', () => {
    expect(divideHalfUp(10, 4)).toBe(3);
    expect(divideHalfUp(9, 4)).toBe(2);
    expect(divideHalfUp(120000, 12)).toBe(10000);
  });

  it('computes monthly prices', () => {
    expect(
      monthlyMinorUnits({
        amount: '120.00',
        currency: 'USD',
        interval: 'year',
      }),
    ).toBe(1000);
    expect(
      monthlyMinorUnits({
        amount: '100.00',
        currency: 'USD',
        interval: 'year',
      }),
    ).toBe(833);
    expect(
      monthlyMinorUnits({
        amount: '5.00',
        currency: 'USD',
        interval: 'one-time',
      }),
    ).toBeUndefined();
    expect(
      formatPrice({ amount: '999', currency: 'USD', interval: 'month' }),
    ).toBe('USD 999.00/month');
  });
});

describe('planNeedsApproval', () => {
  const threshold = {
    policy: 'above-threshold',
    threshold: { amount: '500.00', currency: 'USD' },
  };
  it('follows the approval rule', () => {
    const cheap = {
      amount: '49.00',
      currency: 'USD',
      interval: 'month' as const,
    };
    const dear = {
      amount: '999.00',
      currency: 'USD',
      interval: 'month' as const,
    };
    expect(planNeedsApproval(dear, undefined)).toBe(false);
    expect(planNeedsApproval(dear, { policy: 'none' })).toBe(false);
    expect(planNeedsApproval(cheap, { policy: 'required' })).toBe(true);
    expect(planNeedsApproval(cheap, threshold)).toBe(false);
    expect(planNeedsApproval(dear, threshold)).toBe(true);
    expect(planNeedsApproval({ ...dear, amount: '500.00' }, threshold)).toBe(
      false,
    );
  });
});
