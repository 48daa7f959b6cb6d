import type { CustomerFacts } from '../deliveries/delivery-store';
import { foldInvoiceFacts, type InvoiceFactsWrite, type OpenedInvoice } from './invoice-facts';

// A consumer chunk's invoice events folded into one write: the same rows as writing them one by one.

const at = (n: number) => new Date(Date.UTC(2026, 3, 6, 8, 0, n));
const profile = (locale: string): CustomerFacts => ({ customerType: 'consumer', locale, timeZone: 'Europe/Stockholm', country: 'SE', reachableChannels: ['sms'] });
const invoice = (invoiceId: string, balance = 500): OpenedInvoice => ({ invoiceId, customerId: 'c1', amount: { minor: 500, currency: 'SEK' }, balance: { minor: balance, currency: 'SEK' }, dueDate: '2026-03-31' });
const opened = (i: OpenedInvoice, locale = 'sv-SE'): InvoiceFactsWrite => ({ kind: 'opened', invoice: i, profile: profile(locale) });
const change = (invoiceId: string, c: { status?: string; balanceMinor?: number }): InvoiceFactsWrite => ({ kind: 'change', invoiceId, change: c });

describe('foldInvoiceFacts', () => {
  it('inserts an invoice opened in the chunk with the changes after it applied, and keeps those changes for an invoice known before', () => {
    const folded = foldInvoiceFacts([
      { write: opened(invoice('i1')), at: at(1) },
      { write: change('i1', { balanceMinor: 100 }), at: at(2) },
      { write: change('i1', { status: 'disputed' }), at: at(3) },
    ]);
    expect(folded?.inserts).toEqual([{ invoice: invoice('i1'), status: 'disputed', balanceMinor: 100, at: at(3) }]);
    expect(folded?.updates).toEqual([{ invoiceId: 'i1', change: { balanceMinor: 100, status: 'disputed' }, at: at(3) }]);
  });

  it('derives the status of an opened invoice from its balance, and a later opened of the same invoice changes nothing', () => {
    const folded = foldInvoiceFacts([
      { write: opened(invoice('i2', 0)), at: at(1) },
      { write: opened(invoice('i2', 700)), at: at(2) },
    ]);
    expect(folded?.inserts).toEqual([{ invoice: invoice('i2', 0), status: 'settled', balanceMinor: 0, at: at(1) }]);
    expect(folded?.updates).toEqual([]);
  });

  it("keeps a field's last value over a chunk's changes and the last profile of a customer", () => {
    const folded = foldInvoiceFacts([
      { write: change('i3', { status: 'open', balanceMinor: 400 }), at: at(1) },
      { write: change('i3', { status: 'payment-plan' }), at: at(2) },
      { write: opened(invoice('i4'), 'sv-SE'), at: at(3) },
      { write: { kind: 'customer', customerId: 'c1', profile: profile('en-GB') }, at: at(4) },
      { write: { kind: 'none' }, at: at(5) },
    ]);
    expect(folded?.updates).toEqual([{ invoiceId: 'i3', change: { status: 'payment-plan', balanceMinor: 400 }, at: at(2) }]);
    expect(folded?.customers).toEqual([{ customerId: 'c1', profile: profile('en-GB'), at: at(4) }]);
  });

  it('refuses a chunk with a change before its invoice is opened: that change applies only to an invoice known before', () => {
    expect(foldInvoiceFacts([{ write: change('i5', { status: 'settled' }), at: at(1) }, { write: opened(invoice('i5')), at: at(2) }])).toBeUndefined();
  });
});
