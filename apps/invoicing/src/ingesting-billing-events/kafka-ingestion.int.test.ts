import { readTopicWithKcat, uniqueName, type KcatRecord } from '@dunning/testing';
import { deadLetterTopicOf } from '@dunning/contracts';
import { createTestTopics, dropDatabase, startInvoicing, type RunningInvoicing } from '../testing/harness';
import {
  canaryCustomer,
  customerTerminated,
  customerUpdated,
  disputeResolved,
  invoiceCredited,
  invoiceDisputed,
  invoiceIssued,
  paymentPlanAgreed,
  paymentReceived,
} from '../testing/fixtures';
import { produceBinary, produceStructured, produceWithKcat } from '../testing/kcat';

/**
 * The contract's events, produced by kcat (an independent client) onto the real broker in binary
 * and structured mode, come out as the expected integration events on invoicing.invoices.v1, in
 * order per customer (the record key). Duplicates publish nothing twice; an event for an invoice
 * not yet seen is applied when it arrives; a malformed record goes to the DLQ and the customer's
 * other events flow on.
 */
describe('billing.events.v1 in, invoicing.invoices.v1 out (kcat, real broker)', () => {
  let service: RunningInvoicing;
  let topics: Awaited<ReturnType<typeof createTestTopics>>;
  const prefix = uniqueName('inv-kcat');
  const a = canaryCustomer();
  const b = canaryCustomer();
  const c = canaryCustomer();

  beforeAll(async () => {
    topics = await createTestTopics(prefix);
    service = await startInvoicing({ topicPrefix: prefix });
  });

  afterAll(async () => {
    await service?.stop();
    if (service) await dropDatabase(service.database);
  });

  const byCustomer = (records: KcatRecord[]): Map<string, { type: string; data: Record<string, unknown> }[]> => {
    const grouped = new Map<string, { type: string; data: Record<string, unknown> }[]>();
    for (const record of records) {
      const type = record.headers.find(([name]) => name === 'ce_type')?.[1] ?? '?';
      const list = grouped.get(record.key ?? '') ?? [];
      list.push({ type, data: JSON.parse(record.value ?? 'null') as Record<string, unknown> });
      grouped.set(record.key ?? '', list);
    }
    return grouped;
  };

  it('publishes each customer’s integration events in order', async () => {
    const billing = topics.billingEvents;
    const paymentA1 = paymentReceived(a.customerId, 'PAY-A1', 4_000, { invoiceId: 'INV-A1' });
    // Customer A: issued, paid in part, paid by reference (settled), a redelivered payment, terminated.
    await produceBinary(billing, invoiceIssued(a, 'INV-A1', 10_000));
    await produceBinary(billing, paymentA1);
    await produceBinary(billing, paymentReceived(a.customerId, 'PAY-A2', 6_000, { paymentReference: 'OCR-INV-A1' }));
    await produceBinary(billing, paymentA1);
    await produceStructured(billing, customerTerminated(a.customerId, `moved abroad, ${a.name}`));
    // Customer B: the payment before its invoice (held), the invoice in structured mode, a credit that settles it.
    await produceBinary(billing, paymentReceived(b.customerId, 'PAY-B1', 3_000, { invoiceId: 'INV-B1' }));
    await produceStructured(billing, invoiceIssued(b, 'INV-B1', 5_000));
    await produceBinary(billing, invoiceCredited(b.customerId, 'CN-B1', 'INV-B1', 2_000, { reason: 'goodwill' }));
    // Customer C: dispute and resolution, a payment plan, new contact details, a poison record, a payment.
    await produceBinary(billing, invoiceIssued(c, 'INV-C1', 20_000));
    await produceBinary(billing, invoiceDisputed(c.customerId, 'INV-C1', { reason: `wrong tariff says ${c.name}` }));
    await produceBinary(billing, disputeResolved(c.customerId, 'INV-C1', 'rejected'));
    await produceBinary(billing, paymentPlanAgreed(c.customerId, 'PLAN-C1', 'INV-C1', [['2026-04-30', 10_000], ['2026-05-31', 10_000]]));
    await produceBinary(billing, customerUpdated(c.customerId, { email: `new.${c.email}` }, { sms: false }));
    await produceWithKcat(billing, c.customerId, '{"paymentId": "PAY-C0", oops', { ce_specversion: '1.0', ce_id: 'poison-1', ce_source: 'urn:billing:test-brand', ce_type: 'billing.payment.received', 'content-type': 'application/json' });
    await produceBinary(billing, paymentReceived(c.customerId, 'PAY-C1', 10_000));

    const records = await readTopicWithKcat(topics.invoices, { minRecords: 18, timeoutMs: 60_000 });
    const events = byCustomer(records);

    expect(events.get(a.customerId)?.map((e) => e.type)).toEqual([
      'invoicing.customer.updated.v1',
      'invoicing.invoice.opened.v1',
      'invoicing.payment.applied.v1',
      'invoicing.payment.applied.v1',
      'invoicing.invoice.settled.v1',
      'invoicing.customer.terminated.v1',
    ]);
    expect(events.get(a.customerId)?.slice(2, 4).map((e) => [e.data['matchedBy'], e.data['remainingBalance']])).toEqual([
      ['invoice-id', { minor: 6_000, currency: 'SEK' }],
      ['payment-reference', { minor: 0, currency: 'SEK' }],
    ]);

    expect(events.get(b.customerId)?.map((e) => e.type)).toEqual([
      'invoicing.customer.updated.v1',
      'invoicing.invoice.opened.v1',
      'invoicing.payment.applied.v1',
      'invoicing.invoice.credited.v1',
      'invoicing.invoice.settled.v1',
    ]);
    expect(events.get(b.customerId)?.[4]?.data).toMatchObject({ invoiceId: 'INV-B1', settledBy: 'credit' });

    expect(events.get(c.customerId)?.map((e) => e.type)).toEqual([
      'invoicing.customer.updated.v1',
      'invoicing.invoice.opened.v1',
      'invoicing.invoice.disputed.v1',
      'invoicing.invoice.dispute-resolved.v1',
      'invoicing.payment-plan.agreed.v1',
      'invoicing.customer.updated.v1',
      'invoicing.payment.applied.v1',
    ]);
    expect(events.get(c.customerId)?.[1]?.data['customer']).toEqual({
      type: 'consumer',
      locale: 'sv-SE',
      timeZone: 'Europe/Stockholm',
      country: 'SE',
      reachableChannels: ['sms', 'email', 'letter'],
    });
    expect(events.get(c.customerId)?.[5]?.data['customer']).toMatchObject({ reachableChannels: ['email', 'letter'] });
    expect(events.get(c.customerId)?.[6]?.data).toMatchObject({ matchedBy: 'oldest-open-invoice', remainingBalance: { minor: 10_000, currency: 'SEK' } });

    // Every record is keyed by customer and carries a CloudEvent id; nothing personal travels.
    expect(records.every((record) => [a, b, c].some((customer) => customer.customerId === record.key))).toBe(true);
    const wire = JSON.stringify(records);
    for (const customer of [a, b, c]) for (const canary of [customer.name, customer.email, customer.phone, customer.street]) expect(wire).not.toContain(canary);

    // The poison record is on the DLQ with its reason; C's later payment was applied all the same.
    const dlq = await readTopicWithKcat(deadLetterTopicOf(topics.billingEvents), { minRecords: 1, timeoutMs: 30_000 });
    const headers = Object.fromEntries(dlq[0]!.headers);
    expect(headers).toMatchObject({ 'dlq.error.code': 'invalid_json', 'dlq.original.topic': topics.billingEvents, ce_id: 'poison-1' });
    expect(headers['dlq.error.reason']).toMatch(/JSON/);
  });
});
