import { Client } from 'pg';
import { createDatabase, dropDatabase, postgresDatabaseUrl, uniqueName } from '@dunning/testing';
import { DeliveryStore, type CustomerFacts } from '../deliveries/delivery-store';
import { notifierSchemaSql } from '../deliveries/schema';
import { foldInvoiceFacts, type InvoiceFactsWrite } from './invoice-facts';

// A chunk's invoice facts written in one statement leave the same rows as the same writes one by
// one, on real PostgreSQL: random chunks over a few invoices and customers, both ways, into two
// schemas that start alike, compared after every chunk (updated_at aside: an unchanged row keeps its own).

const database = uniqueName('notifier_facts').replace(/-/g, '_');
let client: Client;

beforeAll(async () => {
  await createDatabase(database);
  client = new Client({ connectionString: postgresDatabaseUrl(database) });
  await client.connect();
  await client.query(notifierSchemaSql('one_by_one'));
  await client.query(notifierSchemaSql('folded'));
});

afterAll(async () => {
  await client.end();
  await dropDatabase(database);
});

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const STATUSES = ['open', 'settled', 'disputed', 'payment-plan', 'handed-off', 'credited'];

function randomWrite(next: () => number): InvoiceFactsWrite {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const invoiceId = pick(['i1', 'i2', 'i3', 'i4', 'i5']);
  const customerId = pick(['c1', 'c2']);
  const profile: CustomerFacts = { customerType: pick(['consumer', 'business'] as const), locale: pick(['sv-SE', 'de-DE']), timeZone: 'Europe/Berlin', ...(next() < 0.5 ? { country: 'DE' } : {}), reachableChannels: pick([['sms'], ['sms', 'email'], []] as const) };
  const kind = next();
  if (kind < 0.3) {
    const balance = pick([0, 250, 500]);
    return { kind: 'opened', profile, invoice: { invoiceId, customerId, amount: { minor: 500, currency: 'EUR' }, balance: { minor: balance, currency: 'EUR' }, dueDate: '2026-03-31', ...(next() < 0.5 ? { brand: 'Telco' } : {}) } };
  }
  if (kind < 0.4) return { kind: 'customer', customerId, profile };
  const status = next() < 0.6 ? pick(STATUSES) : undefined;
  const balanceMinor = next() < 0.6 ? pick([0, 100, 250]) : undefined;
  return { kind: 'change', invoiceId, change: { ...(status ? { status } : {}), ...(balanceMinor !== undefined ? { balanceMinor } : {}) } };
}

async function oneByOne(store: DeliveryStore, write: InvoiceFactsWrite, now: Date): Promise<void> {
  if (write.kind === 'opened') {
    await store.upsertCustomer(client, write.invoice.customerId, write.profile, now);
    await store.upsertInvoice(client, write.invoice, now);
  } else if (write.kind === 'customer') {
    await store.upsertCustomer(client, write.customerId, write.profile, now);
  } else if (write.kind === 'change') {
    await store.updateInvoice(client, write.invoiceId, write.change, now);
  }
}

const rows = async (schema: string) => ({
  invoices: (await client.query(`SELECT invoice_id, customer_id, status, amount_minor, balance_minor, currency, due_date, payment_reference, brand FROM ${schema}.invoices ORDER BY invoice_id`)).rows,
  customers: (await client.query(`SELECT customer_id, customer_type, locale, time_zone, country, reachable_channels FROM ${schema}.customers ORDER BY customer_id`)).rows,
});

describe('invoice facts written per chunk', () => {
  it('leave the same invoices and customers as the writes one by one', async () => {
    const next = random(20261122);
    const oneStore = new DeliveryStore('one_by_one');
    const foldedStore = new DeliveryStore('folded');
    let folded = 0;
    let refused = 0;
    for (let chunk = 0; chunk < 150; chunk += 1) {
      const writes = Array.from({ length: 1 + Math.floor(next() * 6) }, (_, i) => ({ write: randomWrite(next), at: new Date(Date.UTC(2026, 3, 6, 8, chunk, i)) }));
      const together = foldInvoiceFacts(writes);
      for (const { write, at } of writes) await oneByOne(oneStore, write, at);
      if (together) {
        await foldedStore.applyInvoiceFacts(client, together);
        folded += 1;
      } else {
        for (const { write, at } of writes) await oneByOne(foldedStore, write, at);
        refused += 1;
      }
      expect({ chunk, ...(await rows('folded')) }).toEqual({ chunk, ...(await rows('one_by_one')) });
    }
    // Most chunks went through the single statement; the invoices did exist and change.
    expect(folded).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(0);
    expect((await rows('folded')).invoices.length).toBe(5);
  });
});
