import { deadLetterTopicOf } from '@dunning/contracts';
import { EventStore } from '@dunning/event-store';
import { readTopicWithKcat, uniqueName, waitFor } from '@dunning/testing';
import type { Pool } from 'pg';
import { accountStreamId } from '../accounts/account-store';
import { replay } from '../domain/account';
import type { AccountEvent } from '../domain/events';
import { toIntegrationEvents } from '../gateway/invoices-gateway';
import { PersonalDataVault, isSealed } from '../personal-data/vault';
import {
  canaryCustomer,
  customerTerminated,
  customerUpdated,
  getJson,
  invoiceCredited,
  invoiceDisputed,
  invoiceIssued,
  paymentReceived,
  postEvent,
  type CanaryCustomer,
} from '../testing/fixtures';
import { createTestTopics, dropDatabase, startInvoicing, TEST_KEYS, type RunningInvoicing } from '../testing/harness';
import { produceBinary, produceStructured } from '../testing/kcat';

/**
 * Promise 7: a customer is erased without breaking the event log. Before erasure their canary
 * contact is readable through the API (and, as a check that the scan can see, lies in the clear
 * in a dead letter of a malformed HTTP request). After `DELETE /customers/{id}/personal-data`:
 * a scan of every column of every table, of the topics invoicing writes, and a full replay of
 * their stream (with the gateway) find none of the canaries; their invoices reconstruct with the
 * same amounts, balances and statuses; another customer is untouched.
 */
const canariesOf = (customer: CanaryCustomer, extra: string[] = []) => [customer.name, customer.email, customer.phone, customer.street, ...extra];

async function scanDatabase(db: Pool, needles: readonly string[]): Promise<string[]> {
  const { rows: columns } = await db.query<{ table_schema: string; table_name: string; column_name: string; data_type: string }>(
    `SELECT c.table_schema, c.table_name, c.column_name, c.data_type
       FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const found: string[] = [];
  for (const column of columns) {
    const expression = column.data_type === 'bytea' ? `encode("${column.column_name}", 'escape')` : `"${column.column_name}"::text`;
    for (const needle of needles) {
      const { rows } = await db.query<{ hits: number }>(
        `SELECT count(*)::int AS hits FROM "${column.table_schema}"."${column.table_name}" WHERE strpos(${expression}, $1) > 0`,
        [needle],
      );
      if ((rows[0]?.hits ?? 0) > 0) found.push(`${column.table_schema}.${column.table_name}.${column.column_name}: ${needle}`);
    }
  }
  return found;
}

describe('erasing a customer’s personal data', () => {
  let service: RunningInvoicing;
  let topics: Awaited<ReturnType<typeof createTestTopics>>;
  const prefix = uniqueName('inv-erase');
  const erased = canaryCustomer();
  const kept = canaryCustomer();
  const newEmail = `renamed.${erased.email}`;
  const allCanaries = canariesOf(erased, [newEmail]);

  beforeAll(async () => {
    topics = await createTestTopics(prefix);
    service = await startInvoicing({ topicPrefix: prefix });
  });

  afterAll(async () => {
    await service?.stop();
    if (service) await dropDatabase(service.database);
  });

  it('leaves no trace of the canaries anywhere, and every invoice reconstructs', async () => {
    const billing = topics.billingEvents;
    // The customer's life, over Kafka (both modes) and HTTP, with personal data in every place it can go.
    await produceBinary(billing, invoiceIssued(erased, 'INV-E1', 10_000));
    await produceStructured(billing, invoiceIssued(erased, 'INV-E2', 5_000, { issuedAt: '2026-03-02T09:00:00Z' }));
    await produceBinary(billing, paymentReceived(erased.customerId, 'PAY-E1', 4_000, { invoiceId: 'INV-E1' }));
    await produceBinary(billing, invoiceCredited(erased.customerId, 'CN-E1', 'INV-E1', 1_000, { reason: `goodwill for ${erased.name}` }));
    await produceBinary(billing, invoiceDisputed(erased.customerId, 'INV-E2', { reason: `${erased.name} says call ${erased.phone}` }));
    await produceBinary(billing, customerUpdated(erased.customerId, { email: newEmail }));
    await produceBinary(billing, paymentReceived(erased.customerId, 'PAY-E2', 500, { amount: { minor: 500, currency: 'EUR' } }));
    await produceBinary(billing, invoiceIssued(kept, 'INV-K1', 7_000));
    expect((await postEvent(service.baseUrl, TEST_KEYS.writer, paymentReceived(erased.customerId, 'PAY-E3', 1_000, { invoiceId: 'INV-E1' }))).status).toBe(200);
    expect((await postEvent(service.baseUrl, TEST_KEYS.writer, paymentReceived(erased.customerId, 'PAY-E4', 100, { invoiceId: 'INV-E9' }))).status).toBe(202);
    // A malformed request keeps its raw payload (with the canary) in dead_letters, until erasure.
    const malformed = invoiceIssued(erased, 'INV-E3', 1_000);
    (malformed.data['customer'] as Record<string, unknown>)['phone'] = 'call me maybe';
    expect((await postEvent(service.baseUrl, TEST_KEYS.writer, malformed)).status).toBe(400);
    await produceStructured(billing, customerTerminated(erased.customerId, `${erased.name} moved to ${erased.street}`));

    await waitFor(async () => (await readTopicWithKcat(topics.invoices)).some((record) => record.headers.some(([, value]) => value === 'invoicing.customer.terminated.v1')), {
      timeoutMs: 60_000,
      description: 'the termination to be published',
    });
    await waitFor(async () => ((await getJson(service.baseUrl, '/invoices/INV-K1', TEST_KEYS.reader)).status === 200 ? true : undefined), { timeoutMs: 30_000, description: 'the other customer' });

    // Before: the contact opens, and the scan does see plaintext where it is (proving it can).
    const before = await getJson(service.baseUrl, `/customers/${erased.customerId}/contact`, TEST_KEYS.contacts);
    expect(before.status).toBe(200);
    expect(before.body['contact']).toMatchObject({ name: erased.name, email: newEmail, phone: erased.phone });
    expect(await scanDatabase(service.db, [erased.name])).toEqual([`invoicing.dead_letters.payload: ${erased.name}`]);
    const invoicesBefore = (await getJson(service.baseUrl, `/customers/${erased.customerId}/invoices`, TEST_KEYS.reader)).body;

    const erasure = await fetch(`${service.baseUrl}/customers/${erased.customerId}/personal-data`, { method: 'DELETE', headers: { 'x-api-key': TEST_KEYS.admin } });
    expect(erasure.status).toBe(200);
    expect(await erasure.json()).toMatchObject({ customerId: erased.customerId, keyDestroyed: true, deadLetterPayloadsErased: 2, heldRecordsErased: 1 });

    // The API: gone. The other customer: still there.
    expect((await getJson(service.baseUrl, `/customers/${erased.customerId}/contact`, TEST_KEYS.contacts)).status).toBe(410);
    expect((await getJson(service.baseUrl, `/customers/${kept.customerId}/contact`, TEST_KEYS.contacts)).body['contact']).toMatchObject({ name: kept.name });

    // The database: no canary in any column of any table.
    expect(await scanDatabase(service.db, allCanaries)).toEqual([]);

    // The topics invoicing writes: none either; downstream learns the customer can no longer be reached.
    const published = await waitFor(
      async () => {
        const records = await readTopicWithKcat(topics.invoices);
        const updates = records.filter((record) => record.key === erased.customerId && record.headers.some(([, value]) => value === 'invoicing.customer.updated.v1'));
        return updates.length >= 3 ? records : undefined;
      },
      { timeoutMs: 60_000, description: 'the customer.updated of the erasure' },
    );
    const lastUpdate = published.filter((record) => record.key === erased.customerId && record.headers.some(([, value]) => value === 'invoicing.customer.updated.v1')).pop();
    expect(JSON.parse(lastUpdate!.value!)).toMatchObject({ customer: { reachableChannels: [] } });
    const dlq = await readTopicWithKcat(deadLetterTopicOf(topics.billingEvents));
    const wire = JSON.stringify([...published, ...dlq]);
    for (const canary of allCanaries) expect([canary, wire.includes(canary)]).toEqual([canary, false]);

    // A full replay of the stream, through the gateway, opening every sealed value it meets.
    const store = new EventStore({ schema: 'invoicing' });
    const stream = await store.readStream<AccountEvent['type'], AccountEvent['data']>(service.db, accountStreamId(erased.customerId));
    const events = stream.events.map((event) => ({ eventId: event.eventId, event: { type: event.type, data: event.data } as AccountEvent }));
    const state = replay(events.map((identified) => identified.event));
    const republished = toIntegrationEvents(replay([]), events, new Date());
    const vault = new PersonalDataVault('invoicing', service.config.personalDataKek, () => new Date());
    const key = await vault.currentKey(service.db, erased.customerId);
    const sealedValues = JSON.stringify(stream.events.map((event) => event.data)).match(/"pd1\.[^"]+"/g) ?? [];
    expect(sealedValues.length).toBeGreaterThanOrEqual(5);
    const opened = sealedValues.map((quoted) => JSON.parse(quoted) as string).filter(isSealed).map((sealed) => vault.open(erased.customerId, key, sealed));
    expect(opened.every((value) => value === undefined)).toBe(true);
    const replayed = JSON.stringify({ state, republished, opened, events });
    for (const canary of allCanaries) expect([canary, replayed.includes(canary)]).toEqual([canary, false]);

    // The invoices reconstruct: same amounts, balances, statuses as before the erasure.
    const shape = (body: Record<string, unknown>) =>
      (body['invoices'] as { invoiceId: string; amount: unknown; balance: unknown; paid: unknown; creditedTotal: unknown; status: string; disputed: boolean }[]).map(
        ({ invoiceId, amount, balance, paid, creditedTotal, status, disputed }) => ({ invoiceId, amount, balance, paid, creditedTotal, status, disputed }),
      );
    const invoicesAfter = (await getJson(service.baseUrl, `/customers/${erased.customerId}/invoices`, TEST_KEYS.reader)).body;
    expect(shape(invoicesAfter)).toEqual(shape(invoicesBefore));
    expect(shape(invoicesAfter)).toEqual([
      expect.objectContaining({ invoiceId: 'INV-E1', balance: { minor: 4_000, currency: 'SEK' }, status: 'partly-paid' }),
      expect.objectContaining({ invoiceId: 'INV-E2', balance: { minor: 5_000, currency: 'SEK' }, disputed: true }),
    ]);
    expect(Object.values(state.invoices).map((invoice) => [invoice.invoiceId, invoice.balance.minor])).toEqual([
      ['INV-E1', 4_000],
      ['INV-E2', 5_000],
    ]);
  });
});
