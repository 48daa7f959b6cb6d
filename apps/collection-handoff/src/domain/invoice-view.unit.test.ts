import type { InvoicingEvent } from '@dunning/contracts';
import { evolveInvoiceView, isCustomerEvent, type InvoiceView } from './invoice-view';

const envelope = <T extends InvoicingEvent['type']>(type: T, data: Extract<InvoicingEvent, { type: T }>['data']) =>
  ({ specversion: '1.0', id: `${type}-1`, source: 'urn:dunning:invoicing', type, time: '2026-05-10T00:00:00Z', data }) as Extract<InvoicingEvent, { type: T }>;

const opened = envelope('invoicing.invoice.opened.v1', {
  invoiceId: 'inv-1',
  customerId: 'cust-1',
  issuedAt: '2026-03-01T08:00:00Z',
  dueDate: '2026-03-31',
  amount: { minor: 29_900, currency: 'SEK' },
  balance: { minor: 29_900, currency: 'SEK' },
  customer: { type: 'consumer', locale: 'sv-SE', timeZone: 'Europe/Stockholm', country: 'SE', reachableChannels: ['sms'] },
});

function fold(events: InvoicingEvent[]): { view: InvoiceView | undefined; triggers: string[] } {
  let view: InvoiceView | undefined;
  const triggers: string[] = [];
  for (const event of events) {
    if (isCustomerEvent(event)) continue;
    const change = evolveInvoiceView(view, event);
    view = change.view;
    if (change.recallTrigger) triggers.push(change.recallTrigger);
  }
  return { view, triggers };
}

describe('the invoice projection', () => {
  it('keeps the balance, who settled it, disputes and plans, and names the recall trigger of each change', () => {
    const { view, triggers } = fold([
      opened,
      envelope('invoicing.payment.applied.v1', { invoiceId: 'inv-1', customerId: 'cust-1', paymentId: 'p1', appliedAmount: { minor: 9_900, currency: 'SEK' }, remainingBalance: { minor: 20_000, currency: 'SEK' }, receivedAt: '2026-04-01T00:00:00Z', matchedBy: 'invoice-id' }),
      envelope('invoicing.invoice.disputed.v1', { invoiceId: 'inv-1', customerId: 'cust-1', disputedAt: '2026-04-02T00:00:00Z' }),
      envelope('invoicing.invoice.dispute-resolved.v1', { invoiceId: 'inv-1', customerId: 'cust-1', resolvedAt: '2026-04-03T00:00:00Z', outcome: 'rejected' }),
      envelope('invoicing.payment-plan.agreed.v1', { planId: 'pl1', invoiceId: 'inv-1', customerId: 'cust-1', agreedAt: '2026-04-04T00:00:00Z', installments: [{ dueDate: '2026-05-01', amount: { minor: 20_000, currency: 'SEK' } }] }),
      envelope('invoicing.payment-plan.broken.v1', { planId: 'pl1', invoiceId: 'inv-1', customerId: 'cust-1', brokenAt: '2026-05-02T00:00:00Z', remainingBalance: { minor: 20_000, currency: 'SEK' }, reasonCode: 'installment-missed' }),
    ]);
    expect(view).toMatchObject({ balance: { minor: 20_000 }, status: 'open', dispute: 'none', paymentPlan: 'none', lastReduction: { kind: 'payment' } });
    expect(triggers).toEqual(['paid', 'disputed', 'payment-plan']);
  });

  it('a credit to zero settles the invoice by credit', () => {
    const { view, triggers } = fold([
      opened,
      envelope('invoicing.invoice.credited.v1', { invoiceId: 'inv-1', customerId: 'cust-1', creditNoteId: 'cn1', creditedAmount: { minor: 29_900, currency: 'SEK' }, remainingBalance: { minor: 0, currency: 'SEK' }, creditedAt: '2026-04-01T00:00:00Z' }),
    ]);
    expect(view).toMatchObject({ status: 'settled', settledBy: 'credit', balance: { minor: 0 } });
    expect(triggers).toEqual(['credited']);
  });

  it('a duplicated opened event does not reset a paid invoice', () => {
    const { view } = fold([
      opened,
      envelope('invoicing.invoice.settled.v1', { invoiceId: 'inv-1', customerId: 'cust-1', settledAt: '2026-04-01T00:00:00Z', settledBy: 'payment' }),
      opened,
    ]);
    expect(view).toMatchObject({ status: 'settled', settledBy: 'payment' });
  });
});
