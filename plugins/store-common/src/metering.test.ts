import fc from 'fast-check';
import {
  formatQuantityMicro,
  meteredPriceProblem,
  rateUsage,
  toQuantityMicro,
} from './metering';
import { MeteredPrice } from './types';

const perUnit = (amount: string, currency = 'USD'): MeteredPrice => ({
  dimension: 'node-hours',
  unit: 'hour',
  amount,
  currency,
});

describe('quantities', () => {
  it('converts decimals to micro-units and back', () => {
    expect(toQuantityMicro('0')).toBe(0);
    expect(toQuantityMicro('1.5')).toBe(1_500_000);
    expect(toQuantityMicro('0.000001')).toBe(1);
    expect(formatQuantityMicro(1_500_000)).toBe('1.5');
    expect(formatQuantityMicro(1)).toBe('0.000001');
    expect(formatQuantityMicro(3_000_000n)).toBe('3');
    expect(() => toQuantityMicro('1.0000001')).toThrow(/6 decimals/);
    expect(() => toQuantityMicro('-1')).toThrow();
    expect(() => toQuantityMicro('1e3')).toThrow();
  });
});

describe('rateUsage', () => {
  it('rates per unit and rounds once, half-up', () => {
    expect(rateUsage(toQuantityMicro('10'), perUnit('0.12'))).toBe(120);
    // 3 × 0.0035 = 0.0105 → 0.01; 1.5 × 0.005 = 0.0075 → 0.01
    expect(rateUsage(toQuantityMicro('3'), perUnit('0.0035'))).toBe(1);
    expect(rateUsage(toQuantityMicro('1.5'), perUnit('0.005'))).toBe(1);
    expect(rateUsage(toQuantityMicro('1'), perUnit('0.0049'))).toBe(0);
    // Rounded once: 1000 × 0.0049 = 4.90, not 1000 × 0.00.
    expect(rateUsage(toQuantityMicro('1000'), perUnit('0.0049'))).toBe(490);
    expect(rateUsage(toQuantityMicro('2'), perUnit('150', 'JPY'))).toBe(300);
  });

  it('rates graduated tiers, each tier pricing only its units', () => {
    const price: MeteredPrice = {
      ...perUnit('0'),
      tiers: [
        { upTo: 100, amount: '0.10' },
        { upTo: 1000, amount: '0.05' },
        { amount: '0.01' },
      ],
    };
    expect(rateUsage(toQuantityMicro('50'), price)).toBe(500);
    expect(rateUsage(toQuantityMicro('100'), price)).toBe(1000);
    expect(rateUsage(toQuantityMicro('100.5'), price)).toBe(1003);
    expect(rateUsage(toQuantityMicro('2000'), price)).toBe(1000 + 4500 + 1000);
  });

  it('refuses tiers out of order or without an open last tier', () => {
    const tiers = (t: MeteredPrice['tiers']) => ({ ...perUnit('0'), tiers: t });
    expect(
      meteredPriceProblem(tiers([{ upTo: 10, amount: '1' }, { amount: '2' }])),
    ).toBeUndefined();
    expect(meteredPriceProblem(tiers([{ upTo: 10, amount: '1' }]))).toMatch(
      /last tier/,
    );
    expect(
      meteredPriceProblem(
        tiers([
          { upTo: 10, amount: '1' },
          { upTo: 5, amount: '1' },
          { amount: '1' },
        ]),
      ),
    ).toMatch(/above 10/);
    expect(meteredPriceProblem(perUnit('1,5'))).toMatch(/decimal/);
    expect(() => rateUsage(1, tiers([{ upTo: 10, amount: '1' }]))).toThrow();
  });

  /*
   * The reference: prices with four decimals as integers of 1/10000 of a
   * currency unit, quantities in micro-units, each unit band clamped on its
   * own, the sum in ten-billionths of a unit rounded half-up at the end.
   */
  function reference(
    micro: number,
    bands: Array<{ upTo?: number; price: number }>,
  ): number {
    let tenBillionths = 0;
    let lower = 0;
    for (const band of bands) {
      const upper = band.upTo === undefined ? Infinity : band.upTo * 1_000_000;
      const inBand = Math.max(0, Math.min(micro, upper) - lower);
      tenBillionths += inBand * band.price;
      lower = upper;
    }
    // Minor units (cents) are 10^8 ten-billionths.
    return Math.floor((tenBillionths + 50_000_000) / 100_000_000);
  }

  it('agrees with a plain integer reference', () => {
    const format = (price: number) =>
      `${Math.floor(price / 10_000)}.${String(price % 10_000).padStart(
        4,
        '0',
      )}`;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000_000_000 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 5000 }), { maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 99_999 }), {
          minLength: 4,
          maxLength: 4,
        }),
        (micro, bounds, prices) => {
          const upTos = [...bounds].sort((a, b) => a - b);
          const bands = [...upTos, undefined].map((upTo, i) => ({
            upTo,
            price: prices[i],
          }));
          const price: MeteredPrice = {
            ...perUnit('0'),
            tiers: bands.map(b => ({ upTo: b.upTo, amount: format(b.price) })),
          };
          expect(rateUsage(micro, price)).toBe(reference(micro, bands));
        },
      ),
    );
  });
});
