import { currencyScale, isDecimalAmount } from './pricing';
import { MeteredPrice, MeteredPriceTier } from './types';

/*
 * Usage quantities are integer micro-units (a millionth of a unit), so that
 * quantities with up to six decimals add up exactly. Rating multiplies them
 * by unit prices of any precision as exact integers and rounds once, half-up,
 * to the currency's minor units.
 */

const MICRO = 1_000_000n;
const QUANTITY = /^(0|[1-9]\d{0,12})(\.\d{1,6})?$/;

/** Whether `value` is a non-negative decimal with at most six decimals. @public */
export function isUsageQuantity(value: unknown): value is string {
  return typeof value === 'string' && QUANTITY.test(value);
}

/** The integer micro-units of a quantity such as `"1.5"` (1500000). @public */
export function toQuantityMicro(quantity: string): number {
  if (!isUsageQuantity(quantity)) {
    throw new TypeError(
      `"${quantity}" is not a non-negative decimal with at most 6 decimals`,
    );
  }
  const [whole, fraction = ''] = quantity.split('.');
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0'));
}

/** A quantity of micro-units as a decimal string without trailing zeros. @public */
export function formatQuantityMicro(micro: number | bigint): string {
  const value = BigInt(micro);
  if (value < 0n) {
    throw new TypeError(`${micro} is not a non-negative quantity`);
  }
  const whole = value / MICRO;
  const fraction = String(value % MICRO)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** A decimal string as an exact fraction `digits / 10^decimals`. */
function decimal(amount: string): { digits: bigint; decimals: number } {
  if (!isDecimalAmount(amount)) {
    throw new TypeError(`"${amount}" is not a decimal amount`);
  }
  const [whole, fraction = ''] = amount.split('.');
  return { digits: BigInt(whole + fraction), decimals: fraction.length };
}

function tiersOf(price: MeteredPrice): MeteredPriceTier[] {
  const tiers = price.tiers?.length ? price.tiers : [{ amount: price.amount }];
  tiers.forEach((tier, index) => {
    const last = index === tiers.length - 1;
    if (last !== (tier.upTo === undefined)) {
      throw new TypeError(
        'Only the last tier of a metered price has no upTo, and it must have none',
      );
    }
    const previous = tiers[index - 1]?.upTo ?? 0;
    if (
      tier.upTo !== undefined &&
      (!isUsageQuantity(String(tier.upTo)) || tier.upTo <= previous)
    ) {
      throw new TypeError(
        `Tier upTo ${tier.upTo} must be a number above ${previous} with at most 6 decimals`,
      );
    }
  });
  return tiers;
}

/**
 * Checks a metered price: its currency's minor units, its amounts and its
 * tiers. Returns the problem, or undefined when the price is valid.
 * @public
 */
export function meteredPriceProblem(price: MeteredPrice): string | undefined {
  try {
    tiersOf(price).forEach(tier => decimal(tier.amount));
    decimal(price.amount);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * What a quantity of usage (in micro-units) costs under a metered price, in
 * minor units of its currency: per unit, or graduated over its tiers (each
 * tier prices only the units within it). Exact in integers, rounded once,
 * half-up.
 * @public
 */
export function rateUsage(
  quantityMicro: number | bigint,
  price: MeteredPrice,
): number {
  return usageRater(price)(quantityMicro);
}

/**
 * {@link rateUsage} of one price, for many quantities: the price's tiers
 * are read once, not for every quantity, as an invoice run rates the usage
 * of thousands of subscriptions on a few plans.
 * @public
 */
export function usageRater(
  price: MeteredPrice,
): (quantityMicro: number | bigint) => number {
  const tiers = tiersOf(price).map(tier => ({
    upTo:
      tier.upTo === undefined
        ? undefined
        : BigInt(toQuantityMicro(String(tier.upTo))),
    ...decimal(tier.amount),
  }));
  // Over a common denominator: micro-units times 10^decimals of the prices.
  const decimals = Math.max(...tiers.map(t => t.decimals));
  const factors = tiers.map(t => 10n ** BigInt(decimals - t.decimals));
  const scale = 10n ** BigInt(currencyScale(price.currency));
  const denominator = MICRO * 10n ** BigInt(decimals);
  return quantityMicro => {
    const quantity = BigInt(quantityMicro);
    if (quantity < 0n) {
      throw new RangeError(`${quantityMicro} is not a non-negative quantity`);
    }
    let numerator = 0n;
    let below = 0n;
    for (const [i, tier] of tiers.entries()) {
      if (quantity <= below) {
        break;
      }
      const top =
        tier.upTo === undefined || tier.upTo > quantity ? quantity : tier.upTo;
      numerator += (top - below) * tier.digits * factors[i];
      below = top;
    }
    numerator *= scale;
    const quotient = numerator / denominator;
    const rounded =
      (numerator - quotient * denominator) * 2n >= denominator
        ? quotient + 1n
        : quotient;
    const result = Number(rounded);
    if (!Number.isSafeInteger(result)) {
      throw new RangeError(`The usage charge ${rounded} is too large`);
    }
    return result;
  };
}
