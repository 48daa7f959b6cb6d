import fc from 'fast-check';
import type { InvoiceView } from './invoice-view';
import { checkBeforeHandoff } from './pre-handoff-check';
import { openInvoice } from './testing/fixtures';

const request = { amountDue: { minor: 29_900, currency: 'SEK' }, requestedAt: '2026-05-10T06:00:00Z' };
const options = { now: new Date('2026-05-10T06:05:00Z'), maxWaitForInvoiceMs: 3_600_000 };

describe('the pre-hand-off check (promise 2)', () => {
  it('hands off an open, unpaid, undisputed invoice with no plan, claiming its balance', () => {
    expect(checkBeforeHandoff(openInvoice(), request, options)).toEqual({ verdict: 'hand-off', claimAmount: { minor: 29_900, currency: 'SEK' } });
  });

  it.each<[string, Partial<InvoiceView>, string]>([
    ['paid in full', { status: 'settled', settledBy: 'payment', balance: { minor: 0, currency: 'SEK' } }, 'invoice-settled'],
    ['credited to zero', { status: 'settled', settledBy: 'credit', balance: { minor: 0, currency: 'SEK' } }, 'invoice-credited'],
    ['disputed', { dispute: 'open' }, 'invoice-disputed'],
    ['dispute upheld', { dispute: 'upheld' }, 'dispute-upheld'],
    ['under an honoured plan', { paymentPlan: 'honoured' }, 'payment-plan-agreed'],
    ['partly paid after the decision', { balance: { minor: 10_000, currency: 'SEK' }, lastReduction: { kind: 'payment', at: '2026-05-10T06:01:00Z' } }, 'payment-received'],
    ['partly credited after the decision', { balance: { minor: 10_000, currency: 'SEK' }, lastReduction: { kind: 'credit', at: '2026-05-10T06:01:00Z' } }, 'invoice-credited'],
    ['already at an agency', { activeCaseId: 'cc-other' }, 'already-handed-off'],
    ['in another currency', { balance: { minor: 29_900, currency: 'EUR' } }, 'amount-mismatch'],
  ])('refuses an invoice %s', (_what, change, reason) => {
    expect(checkBeforeHandoff(openInvoice(change), request, options)).toMatchObject({ verdict: 'refuse', reason });
  });

  it('hands off again once a broken plan or a rejected dispute leaves the invoice collectable', () => {
    expect(checkBeforeHandoff(openInvoice({ paymentPlan: 'missed' }), request, options).verdict).toBe('hand-off');
    expect(checkBeforeHandoff(openInvoice({ paymentPlan: 'none', dispute: 'none' }), request, options).verdict).toBe('hand-off');
  });

  it('waits for an invoice the projection has not seen yet, then refuses it', () => {
    expect(checkBeforeHandoff(undefined, request, options)).toMatchObject({ verdict: 'wait' });
    expect(checkBeforeHandoff(undefined, request, { ...options, now: new Date('2026-05-10T07:00:01Z') })).toMatchObject({ verdict: 'refuse', reason: 'invoice-unknown' });
  });

  it('property: never hands off an invoice that is settled, disputed, under an honoured plan, held by a case, or paid below the amount due', () => {
    const views = fc.record({
      balance: fc.integer({ min: 0, max: 50_000 }),
      status: fc.constantFrom('open' as const, 'settled' as const),
      dispute: fc.constantFrom('none' as const, 'open' as const, 'upheld' as const),
      paymentPlan: fc.constantFrom('none' as const, 'honoured' as const, 'missed' as const),
      held: fc.boolean(),
    });
    fc.assert(
      fc.property(views, fc.integer({ min: 1, max: 50_000 }), (v, due) => {
        const view = openInvoice({ balance: { minor: v.balance, currency: 'SEK' }, status: v.status, dispute: v.dispute, paymentPlan: v.paymentPlan, activeCaseId: v.held ? 'cc-x' : undefined });
        const decision = checkBeforeHandoff(view, { ...request, amountDue: { minor: due, currency: 'SEK' } }, options);
        const collectable = v.status === 'open' && v.balance > 0 && v.dispute === 'none' && v.paymentPlan !== 'honoured' && !v.held && v.balance >= due;
        expect(decision.verdict).toBe(collectable ? 'hand-off' : 'refuse');
        if (decision.verdict === 'hand-off') expect(decision.claimAmount.minor).toBe(v.balance);
      }),
      { numRuns: 500 },
    );
  });
});
