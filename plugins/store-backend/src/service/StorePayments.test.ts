import { PaymentMethod } from '@internal/plugin-store-node';
import { noPaymentMethod, settleThrough, StorePayments } from './StorePayments';

const charge = {
  id: 'c1',
  subscriptionId: 's1',
  kind: 'credit' as const,
  description: 'Credit',
  amountMinor: -1250,
  currency: 'USD',
  periodStart: '2026-01-01',
  periodEnd: '2026-02-01',
};

describe('StorePayments', () => {
  it('settles nothing until a module sets a method', async () => {
    const payments = new StorePayments();
    expect(payments.isSet()).toBe(false);
    expect(payments.get()).toBe(noPaymentMethod);
    expect(
      await settleThrough(payments.get(), { owner: 'group:default/a' })(charge),
    ).toEqual({ method: 'none' });
  });

  it('refuses a second payment method', () => {
    const payments = new StorePayments();
    const method = (id: string): PaymentMethod => ({
      id,
      settle: async () => ({ reference: id, status: 'settled' }),
    });
    payments.setPaymentMethod(method('chargeback'));
    expect(() => payments.setPaymentMethod(method('card'))).toThrow(
      "The store's payment method is already set to 'chargeback'; only one module may set it, not also 'card'",
    );
    expect(payments.get().id).toBe('chargeback');
  });

  it('asks the method to settle signed money for the billing account', async () => {
    const settle = jest.fn(async () => ({
      reference: 'cb-1',
      status: 'pending' as const,
    }));
    const settlement = await settleThrough(
      { id: 'chargeback', settle },
      { owner: 'group:default/team-web', costCenter: 'CC-1' },
    )(charge);
    expect(settle).toHaveBeenCalledWith({
      chargeId: 'c1',
      subscriptionId: 's1',
      billingAccount: 'group:default/team-web',
      costCenter: 'CC-1',
      amount: { amount: '-12.50', currency: 'USD' },
      description: 'Credit',
    });
    expect(settlement).toEqual({
      method: 'chargeback',
      reference: 'cb-1',
      status: 'pending',
    });
  });
});
