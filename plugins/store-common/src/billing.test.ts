import fc from 'fast-check';
import {
  addPeriods,
  daysBetween,
  formatMinorUnits,
  isIsoDate,
  parseSignedMinorUnits,
  periodsBetween,
  prorate,
  prorateCancellation,
  renew,
} from './billing';
import { fromMinorUnits, toMinorUnits } from './pricing';
import { Price } from './types';
import { ProrationBasis } from './subscriptions';

/*
 * A small reference implementation in plain integers: its own calendar, and
 * proration summed day by day over a common denominator. The library must
 * agree with it on every input fast-check finds.
 */
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const monthDays = (y: number, m: number) =>
  m === 2 && isLeap(y) ? 29 : MONTH_DAYS[m - 1];

type Ymd = [number, number, number];
const parse = (date: string): Ymd => date.split('-').map(Number) as Ymd;
const show = ([y, m, d]: Ymd) =>
  `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

function refAddMonths(anchor: string, months: number): string {
  let [y, m] = parse(anchor);
  const day = parse(anchor)[2];
  for (let i = 0; i < months; i++) {
    m += 1;
    if (m === 13) {
      m = 1;
      y += 1;
    }
  }
  return show([y, m, Math.min(day, monthDays(y, m))]);
}

function refNextDay(date: string): string {
  const [y, m, d] = parse(date);
  if (d < monthDays(y, m)) {
    return show([y, m, d + 1]);
  }
  return m === 12 ? show([y + 1, 1, 1]) : show([y, m + 1, 1]);
}

function refDaysBetween(from: string, to: string): number {
  let days = 0;
  for (let day = from; day < to; day = refNextDay(day)) {
    days += 1;
  }
  return days;
}

const monthsOf = (interval: 'month' | 'year') => (interval === 'year' ? 12 : 1);

// 12 * 28..31 and every period length: a denominator every day value divides
const L = BigInt(12 * 28 * 29 * 30 * 31 * 365 * 366);

function refValue(
  price: Price,
  anchor: string,
  on: string,
  end: string,
  basis: ProrationBasis,
): bigint {
  const interval = price.interval as 'month' | 'year';
  const minor = BigInt(toMinorUnits(price.amount, price.currency));
  let sum = 0n;
  // the period of the anchor's calendar that holds the day: [start, stop)
  let k = 0;
  const step = interval === 'year' ? 12 : 1;
  let stop = refAddMonths(anchor, step);
  let length = BigInt(refDaysBetween(anchor, stop));
  for (let day = on; day < end; day = refNextDay(day)) {
    if (basis.kind === 'fixed') {
      const perYear = interval === 'month' ? minor * 12n : minor;
      sum += (perYear * L) / (12n * BigInt(basis.daysPerMonth));
      continue;
    }
    while (stop <= day) {
      k += 1;
      const next = refAddMonths(anchor, (k + 1) * step);
      length = BigInt(refDaysBetween(stop, next));
      stop = next;
    }
    sum += (minor * L) / length;
  }
  return sum;
}

function refRound(numerator: bigint): number {
  const magnitude = numerator < 0n ? -numerator : numerator;
  const rounded = (2n * magnitude + L) / (2n * L);
  return Number(numerator < 0n ? -rounded : rounded);
}

const currencies = fc.constantFrom('JPY', 'USD', 'KWD');
const intervals = fc.constantFrom<'month' | 'year'>('month', 'year');
const bases = fc.oneof(
  fc.constant<ProrationBasis>({ kind: 'actual' }),
  fc
    .integer({ min: 28, max: 31 })
    .map<ProrationBasis>(daysPerMonth => ({ kind: 'fixed', daysPerMonth })),
);
const dates = fc
  .record({
    y: fc.integer({ min: 2023, max: 2030 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ y, m, d }) => show([y, m, Math.min(d, monthDays(y, m))]));

function priceIn(currency: string, interval: 'month' | 'year') {
  return fc.integer({ min: 0, max: 5_000_000 }).map<Price>(minor => ({
    amount: fromMinorUnits(minor, currency),
    currency,
    interval,
  }));
}

/** A subscription on `from` with paid time from the anchor, and a day in it. */
const scenarios = fc
  .record({
    currency: currencies,
    fromInterval: intervals,
    toInterval: intervals,
    anchor: dates,
    periods: fc.integer({ min: 1, max: 3 }),
    basis: bases,
    dayFraction: fc.integer({ min: 0, max: 1000 }),
  })
  .chain(s =>
    fc.record({
      scenario: fc.constant(s),
      from: priceIn(s.currency, s.fromInterval),
      to: priceIn(s.currency, s.toInterval),
    }),
  )
  .map(({ scenario, from, to }) => {
    const periodEnd = refAddMonths(
      scenario.anchor,
      scenario.periods * monthsOf(scenario.fromInterval),
    );
    const length = refDaysBetween(scenario.anchor, periodEnd);
    let on = scenario.anchor;
    for (
      let i = 0;
      i < Math.floor((length * scenario.dayFraction) / 1001);
      i++
    ) {
      on = refNextDay(on);
    }
    return { ...scenario, from, to, periodEnd, on };
  });

describe('the calendar', () => {
  it('keeps the anchor day, or the last day of shorter months', () => {
    expect(addPeriods('2026-01-31', 'month', 1)).toBe('2026-02-28');
    expect(addPeriods('2028-01-31', 'month', 1)).toBe('2028-02-29');
    expect(addPeriods('2026-01-31', 'month', 2)).toBe('2026-03-31');
    expect(addPeriods('2028-02-29', 'year', 1)).toBe('2029-02-28');
    expect(addPeriods('2028-02-29', 'year', 4)).toBe('2032-02-29');
    expect(addPeriods('2026-12-15', 'month', 1)).toBe('2027-01-15');
    expect(daysBetween('2028-02-01', '2028-03-01')).toBe(29);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2028-02-29')).toBe(true);
  });

  it('agrees with the reference calendar', () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: 0, max: 40 }), (anchor, months) => {
        expect(addPeriods(anchor, 'month', months)).toBe(
          refAddMonths(anchor, months),
        );
      }),
    );
    fc.assert(
      fc.property(dates, dates, (a, b) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        expect(daysBetween(from, to)).toBe(refDaysBetween(from, to));
      }),
      { numRuns: 50 },
    );
  });

  it('counts the whole periods from the anchor', () => {
    fc.assert(
      fc.property(
        dates,
        intervals,
        fc.integer({ min: 0, max: 30 }),
        (anchor, interval, n) => {
          const end = addPeriods(anchor, interval, n);
          expect(periodsBetween(anchor, end, interval)).toBe(n);
        },
      ),
    );
  });
});

describe('prorate', () => {
  it('prices the upgrade from Free to Enterprise with 31 days per month', () => {
    const free: Price = { amount: '0.00', currency: 'USD', interval: 'month' };
    const enterprise: Price = {
      amount: '999.00',
      currency: 'USD',
      interval: 'month',
    };
    const result = prorate({
      from: free,
      to: enterprise,
      anchor: '2026-01-01',
      periodEnd: '2027-01-01',
      on: '2026-01-02',
      basis: { kind: 'fixed', daysPerMonth: 31 },
    });
    expect(result.daysLeft).toBe(364);
    expect(formatMinorUnits(result.total, 'USD')).toBe('11730.19');
    expect(formatMinorUnits(result.dailyDifference, 'USD')).toBe('32.23');
  });

  it('gives a credit for a downgrade', () => {
    const result = prorate({
      from: { amount: '300.00', currency: 'USD', interval: 'month' },
      to: { amount: '100.00', currency: 'USD', interval: 'month' },
      anchor: '2026-02-01',
      periodEnd: '2026-03-01',
      on: '2026-02-15',
      basis: { kind: 'actual' },
    });
    // 200.00 over the 14 of February's 28 days
    expect(result).toEqual({
      currency: 'USD',
      daysLeft: 14,
      dailyDifference: -714,
      total: -10000,
    });
  });

  it('agrees with the day-by-day reference', () => {
    fc.assert(
      fc.property(scenarios, s => {
        const result = prorate({
          from: s.from,
          to: s.to,
          anchor: s.anchor,
          periodEnd: s.periodEnd,
          on: s.on,
          basis: s.basis,
        });
        const expected = refRound(
          refValue(s.to, s.anchor, s.on, s.periodEnd, s.basis) -
            refValue(s.from, s.anchor, s.on, s.periodEnd, s.basis),
        );
        expect(result.total).toBe(expected);
        expect(result.daysLeft).toBe(refDaysBetween(s.on, s.periodEnd));
      }),
      { numRuns: 300 },
    );
  });

  it('credits a downgrade exactly what the upgrade would cost', () => {
    fc.assert(
      fc.property(scenarios, s => {
        const options = { anchor: s.anchor, periodEnd: s.periodEnd, on: s.on };
        const up = prorate({
          ...options,
          from: s.from,
          to: s.to,
          basis: s.basis,
        });
        const down = prorate({
          ...options,
          from: s.to,
          to: s.from,
          basis: s.basis,
        });
        expect(down.total + up.total).toBe(0);
      }),
    );
  });

  it('charges whole periods exactly at their price on the actual basis', () => {
    fc.assert(
      fc.property(scenarios, s => {
        const result = prorate({
          from: { ...s.from, interval: 'month' },
          to: { ...s.to, interval: 'month' },
          anchor: s.anchor,
          periodEnd: refAddMonths(s.anchor, s.periods),
          on: s.anchor,
          basis: { kind: 'actual' },
        });
        const difference =
          toMinorUnits(s.to.amount, s.currency) -
          toMinorUnits(s.from.amount, s.currency);
        expect(result.total).toBe(difference * s.periods);
      }),
    );
  });

  it('refuses other currencies, one-time prices and days outside the period', () => {
    const usd: Price = { amount: '1.00', currency: 'USD', interval: 'month' };
    const base = {
      anchor: '2026-01-01',
      periodEnd: '2026-02-01',
      on: '2026-01-10',
      basis: { kind: 'actual' } as ProrationBasis,
    };
    expect(() =>
      prorate({ ...base, from: usd, to: { ...usd, currency: 'EUR' } }),
    ).toThrow('Cannot prorate between currencies USD and EUR');
    expect(() =>
      prorate({ ...base, from: usd, to: { ...usd, interval: 'one-time' } }),
    ).toThrow('A one-time price has no periods to prorate');
    expect(() =>
      prorate({ ...base, on: '2026-02-02', from: usd, to: usd }),
    ).toThrow('is after the end of the period');
    expect(() =>
      prorate({
        ...base,
        from: usd,
        to: usd,
        basis: { kind: 'fixed', daysPerMonth: 27 },
      }),
    ).toThrow('Days per month must be a whole number from 28 to 31');
  });

  it('credits the days left of an immediate cancellation', () => {
    expect(
      prorateCancellation({
        price: { amount: '3100', currency: 'JPY', interval: 'month' },
        anchor: '2026-01-01',
        periodEnd: '2026-02-01',
        on: '2026-01-22',
        basis: { kind: 'actual' },
      }),
    ).toBe(-1000);
  });
});

describe('renew', () => {
  it('extends by whole periods on the anchor day and charges each', () => {
    fc.assert(
      fc.property(
        currencies.chain(c => fc.tuple(fc.constant(c), priceIn(c, 'month'))),
        dates,
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 36 }),
        ([currency, price], anchor, paid, periods) => {
          const result = renew({
            price,
            anchor,
            periodEnd: refAddMonths(anchor, paid),
            periods,
          });
          expect(result.periodEnd).toBe(refAddMonths(anchor, paid + periods));
          expect(result.total).toBe(
            toMinorUnits(price.amount, currency) * periods,
          );
        },
      ),
    );
  });

  it('refuses a negative, zero or fractional number of periods', () => {
    const price: Price = { amount: '5.000', currency: 'KWD', interval: 'year' };
    for (const periods of [-1, 0, 1.5]) {
      expect(() =>
        renew({
          price,
          anchor: '2026-01-31',
          periodEnd: '2027-01-31',
          periods,
        }),
      ).toThrow('The number of periods must be a positive whole number');
    }
    expect(
      renew({
        price,
        anchor: '2028-02-29',
        periodEnd: '2029-02-28',
        periods: 3,
      }),
    ).toEqual({ currency: 'KWD', periodEnd: '2032-02-29', total: 15000 });
  });
});

describe('parseSignedMinorUnits', () => {
  it('reads back every signed amount that formatMinorUnits writes', () => {
    fc.assert(
      fc.property(
        currencies,
        fc.integer({ min: -1e12, max: 1e12 }),
        (currency, minor) => {
          const amount = formatMinorUnits(minor, currency);
          expect(parseSignedMinorUnits(amount, currency)).toBe(minor);
        },
      ),
    );
  });

  it('reads charges and credits in the scale of their currency', () => {
    expect(parseSignedMinorUnits('1500', 'JPY')).toBe(1500);
    expect(parseSignedMinorUnits('-1500', 'JPY')).toBe(-1500);
    expect(parseSignedMinorUnits('-12.34', 'USD')).toBe(-1234);
    expect(parseSignedMinorUnits('0.5', 'USD')).toBe(50);
    expect(parseSignedMinorUnits('-1.005', 'KWD')).toBe(-1005);
    expect(parseSignedMinorUnits('12.340', 'USD')).toBe(1234);
    expect(Object.is(parseSignedMinorUnits('-0.00', 'USD'), 0)).toBe(true);
  });

  it('refuses what it cannot read exactly', () => {
    expect(() => parseSignedMinorUnits('12.345', 'USD')).toThrow(
      '"12.345" has more decimals than USD has minor units (2)',
    );
    expect(() => parseSignedMinorUnits('-1.5', 'JPY')).toThrow(
      'more decimals than JPY',
    );
    for (const amount of ['', '-', '--1', '+1', '1e3', '01', ' 1', '1.']) {
      expect(() => parseSignedMinorUnits(amount, 'USD')).toThrow(
        'is not a decimal amount',
      );
    }
    expect(() => parseSignedMinorUnits('1', 'usd')).toThrow(
      '"usd" is not an ISO 4217 currency code',
    );
    expect(() => parseSignedMinorUnits('9999999999999.999', 'KWD')).toThrow(
      'The amount 9999999999999.999 KWD is too large',
    );
  });
});
