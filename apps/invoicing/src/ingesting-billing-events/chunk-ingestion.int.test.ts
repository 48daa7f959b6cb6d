import { withTransaction } from '@dunning/event-store';
import type { BatchResult, ConsumedEvent } from '@dunning/messaging';
import { context as otelContext } from '@opentelemetry/api';
import { AccountStore, InvoiceIdTakenError, type PendingInvoices } from '../accounts/account-store';
import { ErasePersonalData } from '../erasing-personal-data/handler';
import { ReadContact } from '../reading-contacts/handler';
import { canaryCustomer, customerUpdated, invoiceIssued, paymentReceived, type CloudEventJson } from '../testing/fixtures';
import { billingConsumerOf, dropDatabase, startInvoicing, type RunningInvoicing } from '../testing/harness';
import { BILLING_INBOX, eventKey } from './handler';
import { decodeBillingKafkaRecord, type BillingRecord } from './kafka-consumer';

/**
 * A Kafka chunk claims its inbox ids and reads keys, contacts and invoice owners once for all its
 * records. Within one chunk the outcome must be what one record at a time gives: a rejected
 * record's redelivered copy is judged again (its inbox id was given back), a copy of an applied
 * record is a duplicate, and the rows read ahead are not trusted for an erased account nor after
 * its contact changed in the chunk.
 */
describe('billing records handled as one chunk', () => {
  let service: RunningInvoicing;
  let offset = 0;

  beforeAll(async () => {
    service = await startInvoicing({ background: false });
  });

  afterAll(async () => {
    await service?.stop();
    if (service) await dropDatabase(service.database);
  });

  async function handleChunk(events: readonly CloudEventJson[]): Promise<BatchResult | void> {
    const { config } = service;
    const consumer = billingConsumerOf(service);
    const consumed: ConsumedEvent<BillingRecord>[] = events.map((event) => {
      const record = {
        topic: config.topics.billingEvents,
        partition: 0,
        offset: String(offset++),
        key: event.data.customerId,
        value: Buffer.from(JSON.stringify(event)),
        headers: { 'content-type': 'application/cloudevents+json' },
        timestamp: '0',
      };
      return { ...record, value: decodeBillingKafkaRecord(record).value, traceContext: otelContext.active() };
    });
    return withTransaction(service.db, (tx) =>
      consumer.handle(consumed, tx, { mode: 'live', groupId: config.consumerGroups.billing, topic: config.topics.billingEvents, partition: 0, heartbeat: async () => undefined }),
    );
  }

  const eventTypes = async (customerId: string): Promise<string[]> =>
    (await service.db.query<{ event_type: string }>(`SELECT event_type FROM invoicing.events WHERE stream_id = $1 ORDER BY stream_version`, [`account-${customerId}`])).rows.map(
      (row) => row.event_type,
    );

  it('judges a rejected record’s copy again, and a copy of an applied one as a duplicate', async () => {
    const owner = canaryCustomer();
    const other = canaryCustomer();
    await handleChunk([invoiceIssued(owner, 'INV-CHUNK-1', 10_000)]);

    const foreign = paymentReceived(other.customerId, 'PAY-FOREIGN', 1_000, { invoiceId: 'INV-CHUNK-1' });
    const issued = invoiceIssued(other, 'INV-CHUNK-2', 5_000);
    const result = await handleChunk([foreign, issued, foreign, issued]);

    expect(result?.rejected?.map((r) => r.code)).toEqual(['invoice-of-another-customer', 'invoice-of-another-customer']);
    expect(await eventTypes(other.customerId)).toEqual(['CustomerDetailsChanged', 'InvoiceIssued']);
    const inbox = await service.db.query<{ message_id: string }>(`SELECT message_id FROM invoicing.inbox WHERE consumer = $1 AND message_id = ANY($2::text[])`, [
      BILLING_INBOX,
      [eventKey(foreign.source, foreign.id), eventKey(issued.source, issued.id)],
    ]);
    expect(inbox.rows.map((row) => row.message_id)).toEqual([eventKey(issued.source, issued.id)]);
    const deadLetters = await service.db.query(`SELECT 1 FROM invoicing.dead_letters WHERE event_id = $1`, [foreign.id]);
    expect(deadLetters.rowCount).toBe(2);
  });

  it('refuses an invoice id issued to another customer earlier in the same chunk', async () => {
    const first = canaryCustomer();
    const second = canaryCustomer();
    const result = await handleChunk([invoiceIssued(first, 'INV-CHUNK-SAME', 1_000), invoiceIssued(second, 'INV-CHUNK-SAME', 2_000)]);
    expect(result?.rejected?.map((r) => r.code)).toEqual(['invoice-id-reused']);
    expect(await eventTypes(second.customerId)).toEqual([]);
  });

  it('does not write a chunk’s invoice row over another customer’s, and says so as a concurrent write', async () => {
    const owner = canaryCustomer();
    await handleChunk([invoiceIssued(owner, 'INV-CHUNK-RACE', 1_000)]);
    const accounts = service.app.get(AccountStore);
    const before = await service.db.query(`SELECT * FROM invoicing.invoices WHERE invoice_id = 'INV-CHUNK-RACE'`);
    const pending: PendingInvoices = new Map();
    const row = { ...before.rows[0], customer_id: 'someone-else', issued_at: '2026-03-01T09:00:00Z', due_date: '2026-03-31', updated_at: '2026-03-02T00:00:00Z' };
    pending.set('INV-CHUNK-RACE', row as never);
    await expect(withTransaction(service.db, (tx) => accounts.writeInvoices(tx, pending))).rejects.toBeInstanceOf(InvoiceIdTakenError);
    expect((await service.db.query(`SELECT * FROM invoicing.invoices WHERE invoice_id = 'INV-CHUNK-RACE'`)).rows).toEqual(before.rows);
  });

  it('records a contact once per change, also after an erasure and within one chunk', async () => {
    const customer = canaryCustomer();
    await handleChunk([invoiceIssued(customer, 'INV-CHUNK-E1', 1_000)]);
    await service.app.get(ErasePersonalData).erase(customer.customerId);

    // The same contact comes back twice after the erasure, then a new e-mail twice: two changes.
    const again = invoiceIssued(customer, 'INV-CHUNK-E2', 1_000);
    const newEmail = { email: `new.${customer.email}` };
    const newcomer = canaryCustomer();
    await handleChunk([
      invoiceIssued(newcomer, 'INV-CHUNK-N1', 1_000),
      again,
      customerUpdated(customer.customerId, { name: customer.name }),
      customerUpdated(customer.customerId, newEmail),
      customerUpdated(customer.customerId, newEmail),
    ]);

    const contactVersions = await service.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM invoicing.events WHERE stream_id = $1 AND event_type = 'CustomerDetailsChanged' AND data ? 'contact'`,
      [`account-${customer.customerId}`],
    );
    expect(contactVersions.rows[0]?.n).toBe(3); // before the erasure, after it, the new e-mail
    expect(await service.app.get(ReadContact).read(customer.customerId)).toMatchObject({ status: 'ok', contact: { name: customer.name, email: `new.${customer.email}` } });
    expect(await service.app.get(ReadContact).read(newcomer.customerId)).toMatchObject({ status: 'ok', contact: { name: newcomer.name, email: newcomer.email } });
  });
});
