import { invoicingEventRegistry } from '@dunning/contracts';
import { initialState } from '../domain/account';
import { at, command, credit, issue, pay, run, sek } from '../domain/test-support';
import { toIntegrationEvents, toOutboxMessages } from './invoices-gateway';

const profile = { type: 'consumer' as const, locale: 'sv-SE', timeZone: 'Europe/Stockholm', country: 'SE', contactOnFile: { email: true, phone: true, postalAddress: false } };

describe('the gateway from domain events to invoicing.invoices.v1', () => {
  const result = run([
    issue('I-1', sek(10_000), { profile, contact: 'pd1.sealed', contactFields: ['name', 'email', 'phone'] }),
    pay('P-1', sek(12_000), { invoiceId: 'I-1' }),
    issue('I-2', sek(5_000), { issuedAt: at(24) }),
    credit('CN-1', 'I-2', sek(1_000)),
    command('DisputeInvoice', { invoiceId: 'I-2', disputedAt: at(30), reason: 'pd1.sealed-reason' }),
    command('TerminateCustomer', { terminatedAt: at(40) }),
    command('ErasePersonalData', {}, at(50)),
  ]);
  const identified = result.events.map((event, index) => ({ eventId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`, event }));
  const published = toIntegrationEvents(initialState(), identified, new Date('2026-03-05T00:00:00Z'));

  it('publishes each public fact once, in order, valid against its contract', () => {
    expect(published.map((event) => event.type)).toEqual([
      'invoicing.customer.updated.v1',
      'invoicing.invoice.opened.v1',
      'invoicing.payment.applied.v1',
      'invoicing.invoice.settled.v1',
      'invoicing.invoice.opened.v1',
      'invoicing.payment.applied.v1',
      'invoicing.invoice.credited.v1',
      'invoicing.invoice.disputed.v1',
      'invoicing.customer.terminated.v1',
      'invoicing.customer.updated.v1',
    ]);
    for (const event of published) expect(invoicingEventRegistry.envelopeOf(event.type)?.safeParse(event).success).toBe(true);
  });

  it('uses the domain event id as the CloudEvents id, and keys every record by customer', () => {
    const ids = new Set(identified.map((entry) => entry.eventId));
    expect(published.every((event) => ids.has(event.id))).toBe(true);
    expect(toOutboxMessages('t', published).every((message) => message.key === 'C-1' && message.headers?.['ce_id'] === message.messageId)).toBe(true);
  });

  it('tells customer credit used apart from a payment, and carries remaining balances', () => {
    expect(published[5]?.data).toMatchObject({ invoiceId: 'I-2', matchedBy: 'customer-credit', appliedAmount: sek(2_000), remainingBalance: sek(3_000) });
    expect(published[6]?.data).toMatchObject({ creditedAmount: sek(1_000), remainingBalance: sek(2_000) });
  });

  it('publishes the profile, never the sealed contact or reasons; after erasure nothing reaches the customer', () => {
    expect(published[0]?.data).toEqual({ customerId: 'C-1', updatedAt: at(0), customer: { type: 'consumer', locale: 'sv-SE', timeZone: 'Europe/Stockholm', country: 'SE', reachableChannels: ['sms', 'email'] } });
    expect(JSON.stringify(published)).not.toContain('pd1.');
    expect(published[9]?.data).toMatchObject({ customer: { reachableChannels: [] } });
  });

  it('publishes no customer update while the profile is incomplete', () => {
    const partial = run([command('UpdateCustomer', { updatedAt: at(0), profile: { locale: 'sv-SE' } })]);
    expect(toIntegrationEvents(initialState(), partial.events.map((event) => ({ eventId: 'x', event })), new Date())).toEqual([]);
  });
});
