import { Price } from './types';

const DECIMAL = /^(0|[1-9]\d{0,12})(\.\d+)?$/;

/** Whether `amount` is a non-negative decimal string such as `"999.00"`. @public */
export function isDecimalAmount(amount: unknown): amount is string {
  return typeof amount === 'string' && DECIMAL.test(amount);
}

/** Whether `code` is an ISO 4217 currency code known to this runtime. @public */
export function isCurrencyCode(code: unknown): code is string {
  if (typeof code !== 'string' || !/^[A-Z]{3}$/.test(code)) {
    return false;
  }
  return Intl.supportedValuesOf('currency').includes(code);
}

// Creating a number format takes tens of microseconds, too long for each of
// the thousands of lines of an invoice run; the answers never change.
const scales = new Map<string, number>();

/** The number of decimals of a currency's minor unit, e.g. 2 for USD. @public */
export function currencyScale(currency: string): number {
  let scale = scales.get(currency);
  if (scale === undefined) {
    scale =
      new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency,
      }).resolvedOptions().maximumFractionDigits ?? 2;
    scales.set(currency, scale);
  }
  return scale;
}

/**
 * Converts a decimal string to integer minor units of the currency, rounding
 * half-up when the string has more decimals than the currency.
 * @public
 */
export function toMinorUnits(amount: string, currency: string): number {
  if (!isDecimalAmount(amount)) {
    throw new TypeError(`"${amount}" is not a decimal amount`);
  }
  const scale = currencyScale(currency);
  const [whole, fraction = ''] = amount.split('.');
  const kept = fraction.slice(0, scale).padEnd(scale, '0');
  const roundUp = fraction.length > scale && fraction[scale] >= '5';
  return Number(whole) * 10 ** scale + Number(kept || '0') + (roundUp ? 1 : 0);
}

/** Converts integer minor units back to a decimal string. @public */
export function fromMinorUnits(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor) || minor < 0) {
    throw new TypeError(`${minor} is not a non-negative integer`);
  }
  const scale = currencyScale(currency);
  if (scale === 0) {
    return String(minor);
  }
  const digits = String(minor).padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/**
 * Divides minor units by a positive integer, rounding half-up.
 * @public
 */
export function divideHalfUp(minor: number, divisor: number): number {
  const quotient = Math.floor(minor / divisor);
  const remainder = minor - quotient * divisor;
  return remainder * 2 >= divisor ? quotient + 1 : quotient;
}

/**
 * The monthly price of a recurring price in minor units; yearly prices are
 * divided by twelve. One-time prices have no monthly equivalent.
 * @public
 */
export function monthlyMinorUnits(price: Price): number | undefined {
  const minor = toMinorUnits(price.amount, price.currency);
  switch (price.interval) {
    case 'month':
      return minor;
    case 'year':
      return divideHalfUp(minor, 12);
    default:
      return undefined;
  }
}

/** Formats a price for people, e.g. `"USD 999.00/month"`. @public */
export function formatPrice(price: Price): string {
  const amount = fromMinorUnits(
    toMinorUnits(price.amount, price.currency),
    price.currency,
  );
  const suffix = price.interval === 'one-time' ? ' once' : `/${price.interval}`;
  return `${price.currency} ${amount}${suffix}`;
}

/**
 * Whether ordering a plan needs approval under a product's approval rule.
 * With `above-threshold`, a plan needs approval when its monthly price (or
 * its one-time price) is above the threshold.
 * @public
 */
export function planNeedsApproval(
  price: Price,
  approval:
    | { policy: string; threshold?: { amount: string; currency: string } }
    | undefined,
): boolean {
  if (!approval || approval.policy === 'none') {
    return false;
  }
  if (approval.policy === 'required' || !approval.threshold) {
    return true;
  }
  const amount =
    monthlyMinorUnits(price) ?? toMinorUnits(price.amount, price.currency);
  return (
    amount >
    toMinorUnits(approval.threshold.amount, approval.threshold.currency)
  );
}
