import { currencyScale, isCurrencyCode, toMinorUnits } from './pricing';
import { Money, ProrationBasis } from './subscriptions';
import { Price } from './types';

/*
 * The calendar and money math of subscriptions. Days are ISO dates
 * (`YYYY-MM-DD`) in UTC; periods end on the day after their last day.
 * Amounts are integer minor units of their currency; every computation is
 * exact in integers and rounded once, half-up (away from zero for credits),
 * at the end.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Whether `value` is a valid ISO calendar date such as `2026-01-31`. @public */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') {
    return false;
  }
  const match = ISO_DATE.exec(value);
  if (!match) {
    return false;
  }
  const [year, month, day] = match.slice(1).map(Number);
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  );
}

function parts(date: string): [number, number, number] {
  if (!isIsoDate(date)) {
    throw new TypeError(`"${date}" is not an ISO date (YYYY-MM-DD)`);
  }
  const [year, month, day] = date.split('-').map(Number);
  return [year, month, day];
}

function format(year: number, month: number, day: number) {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(
    2,
    '0',
  )}-${String(day).padStart(2, '0')}`;
}

/** The number of days of a month (1 to 12) of a year. @public */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function dayNumber(date: string) {
  const [year, month, day] = parts(date);
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** The ISO date of a point in time, in UTC. @public */
export function toIsoDate(time: Date | string): string {
  const date = typeof time === 'string' ? new Date(time) : time;
  return date.toISOString().slice(0, 10);
}

/** The days from `from` to `to`; negative when `to` is earlier. @public */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** The date `days` days after `date`. @public */
export function addDays(date: string, days: number): string {
  return toIsoDate(new Date((dayNumber(date) + days) * DAY_MS));
}

/**
 * The date `count` periods after `anchor`, on the anchor's day of the month
 * or the last day of shorter months: one month after 2026-01-31 is
 * 2026-02-28, two months after it 2026-03-31.
 * @public
 */
export function addPeriods(
  anchor: string,
  interval: 'month' | 'year',
  count: number,
): string {
  if (!Number.isSafeInteger(count)) {
    throw new TypeError(`${count} is not a whole number of periods`);
  }
  const [year, month, day] = parts(anchor);
  const months = month - 1 + count * (interval === 'year' ? 12 : 1);
  const targetYear = year + Math.floor(months / 12);
  const targetMonth = (((months % 12) + 12) % 12) + 1;
  return format(
    targetYear,
    targetMonth,
    Math.min(day, daysInMonth(targetYear, targetMonth)),
  );
}

/**
 * How many whole periods from `anchor` end on or before `date`.
 * @public
 */
export function periodsBetween(
  anchor: string,
  date: string,
  interval: 'month' | 'year',
): number {
  const [fromYear, fromMonth] = parts(anchor);
  const [toYear, toMonth] = parts(date);
  const months = (toYear - fromYear) * 12 + (toMonth - fromMonth);
  let count = interval === 'year' ? Math.floor(months / 12) : months;
  while (
    count > 0 &&
    daysBetween(addPeriods(anchor, interval, count), date) < 0
  ) {
    count -= 1;
  }
  return count;
}

/** Divides exactly, rounding half-up; negative results round away from zero. */
function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) {
    throw new RangeError('The denominator must be positive');
  }
  if (numerator < 0n) {
    return -roundHalfUp(-numerator, denominator);
  }
  const quotient = numerator / denominator;
  const remainder = numerator - quotient * denominator;
  return remainder * 2n >= denominator ? quotient + 1n : quotient;
}

function toSafeNumber(value: bigint): number {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) {
    throw new RangeError(`The amount ${value} is too large`);
  }
  return result;
}

/** A signed decimal string of minor units, e.g. `-1234` USD is `"-12.34"`. @public */
export function formatMinorUnits(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) {
    throw new TypeError(`${minor} is not an integer amount`);
  }
  const scale = currencyScale(currency);
  const digits = String(Math.abs(minor)).padStart(scale + 1, '0');
  const sign = minor < 0 ? '-' : '';
  return scale === 0
    ? `${sign}${digits}`
    : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/**
 * Signed integer minor units of a decimal string such as `"-12.34"`, the
 * inverse of {@link formatMinorUnits}. Unlike {@link toMinorUnits} it does
 * not round: an amount with more significant decimals than its currency has
 * is refused, as is an unknown currency or an amount beyond the safe
 * integers.
 * @public
 */
export function parseSignedMinorUnits(
  amount: string,
  currency: string,
): number {
  if (!isCurrencyCode(currency)) {
    throw new TypeError(`"${currency}" is not an ISO 4217 currency code`);
  }
  const negative = typeof amount === 'string' && amount.startsWith('-');
  const magnitude = negative ? amount.slice(1) : amount;
  const [, fraction = ''] = String(magnitude).split('.');
  const scale = currencyScale(currency);
  if (/[1-9]/.test(fraction.slice(scale))) {
    throw new TypeError(
      `"${amount}" has more decimals than ${currency} has minor units (${scale})`,
    );
  }
  const minor = toMinorUnits(magnitude, currency);
  if (!Number.isSafeInteger(minor)) {
    throw new RangeError(`The amount ${amount} ${currency} is too large`);
  }
  return negative && minor !== 0 ? -minor : minor;
}

/** Money from minor units. @public */
export function toMoney(minor: number, currency: string): Money {
  return { amount: formatMinorUnits(minor, currency), currency };
}

/** A fraction of minor units, kept exact until it is rounded. */
type Fraction = { numerator: bigint; denominator: bigint };

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a < 0n ? -a : a, b];
  while (y !== 0n) {
    [x, y] = [y, x % y];
  }
  return x;
}

function add(a: Fraction, b: Fraction): Fraction {
  const numerator = a.numerator * b.denominator + b.numerator * a.denominator;
  const denominator = a.denominator * b.denominator;
  const divisor = gcd(numerator, denominator) || 1n;
  return { numerator: numerator / divisor, denominator: denominator / divisor };
}

const ZERO: Fraction = { numerator: 0n, denominator: 1n };

function recurring(price: Price): Price & { interval: 'month' | 'year' } {
  if (price.interval === 'one-time') {
    throw new TypeError('A one-time price has no periods to prorate');
  }
  return price as Price & { interval: 'month' | 'year' };
}

/** The options of {@link prorate}. @public */
export type ProrateOptions = {
  /** The price the subscription has paid for until `periodEnd`. */
  from: Price;
  /** The price it changes to. */
  to: Price;
  /** The billing anchor: the first day of the first paid period. */
  anchor: string;
  /** The day the paid time ends (exclusive). */
  periodEnd: string;
  /** The day of the change; it counts as a day left. */
  on: string;
  basis: ProrationBasis;
};

/** The result of {@link prorate}, in minor units. @public */
export type Proration = {
  currency: string;
  daysLeft: number;
  /** The per-day difference on the day of the change, rounded half-up. */
  dailyDifference: number;
  /** The difference over the days left, rounded once; negative is a credit. */
  total: number;
};

/**
 * The value of a recurring price over the days from `on` to `periodEnd`, as
 * an exact fraction of minor units.
 *
 * With the `fixed` basis a day is the monthly price (a twelfth of a yearly
 * one) divided by `daysPerMonth`. With the `actual` basis each period from
 * the anchor is worth its price, spread over the days it really has, so the
 * days left of a period of 28 days are worth more than those of one of 31.
 */
function remainingValue(
  price: Price,
  anchor: string,
  on: string,
  periodEnd: string,
  basis: ProrationBasis,
): { total: Fraction; firstDay: Fraction } {
  const { interval } = recurring(price);
  const minor = BigInt(toMinorUnits(price.amount, price.currency));
  const daysLeft = daysBetween(on, periodEnd);
  if (basis.kind === 'fixed') {
    const perYear = interval === 'month' ? minor * 12n : minor;
    const denominator = 12n * BigInt(basis.daysPerMonth);
    return {
      total: { numerator: perYear * BigInt(daysLeft), denominator },
      firstDay: { numerator: perYear, denominator },
    };
  }
  let total = ZERO;
  let firstDay: Fraction | undefined;
  let index = periodsBetween(anchor, on, interval);
  let day = on;
  while (daysBetween(day, periodEnd) > 0) {
    const start = addPeriods(anchor, interval, index);
    const end = addPeriods(anchor, interval, index + 1);
    const stop = daysBetween(end, periodEnd) < 0 ? periodEnd : end;
    const length = BigInt(daysBetween(start, end));
    firstDay ??= { numerator: minor, denominator: length };
    total = add(total, {
      numerator: minor * BigInt(daysBetween(day, stop)),
      denominator: length,
    });
    day = stop;
    index += 1;
  }
  return { total, firstDay: firstDay ?? ZERO };
}

function validateBasis(basis: ProrationBasis) {
  if (
    basis.kind === 'fixed' &&
    (!Number.isSafeInteger(basis.daysPerMonth) ||
      basis.daysPerMonth < 28 ||
      basis.daysPerMonth > 31)
  ) {
    throw new RangeError(
      `Days per month must be a whole number from 28 to 31, not ${basis.daysPerMonth}`,
    );
  }
}

/**
 * What a change from one recurring price to another costs for the rest of
 * the paid time: the difference of their values over the days left, rounded
 * once. A move to a cheaper price gives a credit (a negative total).
 * @public
 */
export function prorate(options: ProrateOptions): Proration {
  const { from, to, anchor, periodEnd, on, basis } = options;
  validateBasis(basis);
  if (from.currency !== to.currency) {
    throw new TypeError(
      `Cannot prorate between currencies ${from.currency} and ${to.currency}`,
    );
  }
  const daysLeft = daysBetween(on, periodEnd);
  if (daysLeft < 0) {
    throw new RangeError(`${on} is after the end of the period, ${periodEnd}`);
  }
  if (daysBetween(anchor, on) < 0) {
    throw new RangeError(`${on} is before the billing anchor, ${anchor}`);
  }
  const oldValue = remainingValue(from, anchor, on, periodEnd, basis);
  const newValue = remainingValue(to, anchor, on, periodEnd, basis);
  const negate = (f: Fraction) => ({ ...f, numerator: -f.numerator });
  const total = add(newValue.total, negate(oldValue.total));
  const daily = add(newValue.firstDay, negate(oldValue.firstDay));
  return {
    currency: to.currency,
    daysLeft,
    dailyDifference: toSafeNumber(
      roundHalfUp(daily.numerator, daily.denominator),
    ),
    total: toSafeNumber(roundHalfUp(total.numerator, total.denominator)),
  };
}

/**
 * The credit of ending a recurring price on `on` rather than at `periodEnd`:
 * the value of the days left, as a negative amount of minor units.
 * @public
 */
export function prorateCancellation(options: {
  price: Price;
  anchor: string;
  periodEnd: string;
  on: string;
  basis: ProrationBasis;
}): number {
  const free = { ...options.price, amount: '0' };
  const credit = prorate({ ...options, from: options.price, to: free });
  return credit.total;
}

/** The result of {@link renew}. @public */
export type Renewal = {
  currency: string;
  /** The new end of the paid time (exclusive). */
  periodEnd: string;
  /** What the renewal costs, in minor units. */
  total: number;
};

/**
 * Extends the paid time by a number of periods of a recurring price, on the
 * billing anchor's day of the month.
 * @public
 */
export function renew(options: {
  price: Price;
  anchor: string;
  periodEnd: string;
  periods: number;
}): Renewal {
  const { price, anchor, periodEnd, periods } = options;
  const { interval } = recurring(price);
  if (!Number.isSafeInteger(periods) || periods < 1) {
    throw new RangeError(
      `The number of periods must be a positive whole number, not ${periods}`,
    );
  }
  const paid = periodsBetween(anchor, periodEnd, interval);
  const total =
    BigInt(toMinorUnits(price.amount, price.currency)) * BigInt(periods);
  return {
    currency: price.currency,
    periodEnd: addPeriods(anchor, interval, paid + periods),
    total: toSafeNumber(total),
  };
}
