import { Pool } from 'pg';
import { createDatabase, dropDatabase, postgresDatabaseUrl, uniqueName, waitFor } from '@dunning/testing';
import type { MessageProvider, OutboundMessage, SendReceipt } from '../channels/provider';
import { loadTemplateCatalog } from '../templates/load-templates';
import type { ContactDirectory } from './contact-directory';
import { DeliveryStore, deliveryIdFor, type StoredRequest } from './delivery-store';
import { DeliveryDispatcher } from './dispatcher';
import { deliveryRecentContactsIndexSql, deliveryTraceContextSql, fullNotifierSchemaSql } from './schema';

// A pass dispatches different customers' deliveries at the same time, but one customer's one after
// another: the contact cap counts the attempts recorded before, so two of them at once could both
// pass it. The provider stub holds every send at a gate until the test has seen who is in flight.

const database = uniqueName('notifier_dispatch_conc').replace(/-/g, '_');
const now = new Date('2026-04-06T08:00:00Z'); // Monday 10:00 in Stockholm: inside the window
const store = new DeliveryStore('notifier');
let pool: Pool;

/** Records which deliveries are inside `send` at once, and holds them until `open()`. */
class GatedProvider implements MessageProvider {
  readonly name = 'stub';
  readonly channel = 'email' as const;
  readonly inFlight = new Map<string, string>(); // deliveryId -> customerId
  readonly sameCustomerOverlaps: string[] = [];
  readonly started: string[] = [];
  maxInFlight = 0;
  private release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  constructor(private readonly customerOf: (deliveryId: string) => string) {}

  open(): void {
    this.release();
  }

  async send(message: OutboundMessage): Promise<SendReceipt> {
    const customer = this.customerOf(message.deliveryId);
    if ([...this.inFlight.values()].includes(customer)) this.sameCustomerOverlaps.push(message.deliveryId);
    this.inFlight.set(message.deliveryId, customer);
    this.started.push(message.deliveryId);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight.size);
    try {
      await this.gate;
      return { provider: this.name, providerRef: `ref-${message.deliveryId}` };
    } finally {
      this.inFlight.delete(message.deliveryId);
    }
  }

  async reconcile(): Promise<{ readonly kind: 'unknown' }> {
    return { kind: 'unknown' };
  }
}

const contacts: ContactDirectory = {
  lookup: async (customerId) => ({ status: 'ok', recipient: { name: 'Kund', email: `${customerId}@example.com` }, consent: {} }),
};

function dispatcherWith(provider: MessageProvider, dispatchConcurrency: number): DeliveryDispatcher {
  return new DeliveryDispatcher({
    pool,
    schema: 'notifier',
    catalog: loadTemplateCatalog(),
    providers: [provider],
    contacts,
    rules: { contactWindows: { weekdays: { from: '09:00', to: '19:00' }, saturday: null, sunday: null }, contactCap: { maxContacts: 2, perDays: 7 }, unknownInvoiceRetryMs: 5_000 },
    deliveriesTopic: 'test.deliveries',
    defaultBrand: 'Telco',
    paymentLinkTemplate: 'https://pay.example/i/{invoiceId}',
    leaseMs: 60_000,
    maxAttempts: 3,
    backoff: { initialMs: 5_000, maxMs: 60_000 },
    dispatchConcurrency,
    clock: () => now,
  });
}

/** Customer `a` gets three reminders (the third is over the cap of two), every other customer one. */
async function seed(run: string, customers: readonly string[]): Promise<Map<string, string>> {
  const customerOf = new Map<string, string>();
  const requests: StoredRequest[] = [];
  for (const c of customers) {
    const customerId = `${run}-${c}`;
    await store.upsertCustomer(pool, customerId, { customerType: 'consumer', locale: 'sv-SE', timeZone: 'Europe/Stockholm', country: 'SE', reachableChannels: ['email'] }, now);
    await store.upsertInvoice(pool, { invoiceId: `${customerId}-inv`, customerId, amount: { minor: 10_000, currency: 'SEK' }, balance: { minor: 10_000, currency: 'SEK' }, dueDate: '2026-03-20' as never }, now);
    for (let n = 0; n < (c === 'a' ? 3 : 1); n += 1) {
      const actionId = `${customerId}-act${n}`;
      requests.push({ actionId, caseId: `${customerId}-case`, invoiceId: `${customerId}-inv`, customerId, requestedAt: now.toISOString(), channel: 'email', fallbackChannels: [], templateId: 'reminder', locale: 'sv-SE' });
      customerOf.set(deliveryIdFor(actionId), customerId);
    }
  }
  await store.acceptMany(pool, requests.map((request) => ({ request, at: now })));
  return customerOf;
}

beforeAll(async () => {
  await createDatabase(database);
  pool = new Pool({ connectionString: postgresDatabaseUrl(database), max: 8 });
  for (const sql of [fullNotifierSchemaSql('notifier'), deliveryTraceContextSql('notifier'), deliveryRecentContactsIndexSql('notifier')]) await pool.query(sql);
});

afterAll(async () => {
  await pool.end();
  await dropDatabase(database);
});

describe('a dispatcher pass', () => {
  it('sends to different customers at once, to one customer one at a time and in order, and keeps the cap', async () => {
    const run = uniqueName('conc');
    const customerOf = await seed(run, ['a', 'b', 'c', 'd']);
    const provider = new GatedProvider((id) => customerOf.get(id) ?? '?');
    const dispatcher = dispatcherWith(provider, 8);
    const a = [0, 1, 2].map((n) => deliveryIdFor(`${run}-a-act${n}`));

    const pass = dispatcher.runPass();
    try {
      // a's first, b's and c's and d's reminder are all at the provider together; a's second waits.
      await waitFor(() => provider.inFlight.size >= 4 || undefined, { timeoutMs: 10_000, intervalMs: 10, description: 'four customers in flight' });
      expect(provider.sameCustomerOverlaps).toEqual([]);
      expect(provider.inFlight.size).toBe(4);
      expect(dispatcher.inProgress).toBe(4);
      expect([...provider.inFlight.keys()]).toContain(a[0]);
      expect(provider.started).not.toContain(a[1]);
    } finally {
      provider.open();
    }
    expect(await pass).toEqual({ handled: 6, complete: true });

    expect(provider.sameCustomerOverlaps).toEqual([]);
    expect(provider.maxInFlight).toBe(4);
    expect(dispatcher.inProgress).toBe(0);
    expect(provider.started.filter((id) => customerOf.get(id) === `${run}-a`)).toEqual([a[0], a[1]]);
    const { rows } = await pool.query<{ delivery_id: string; state: string; outcome_code: string | null }>(
      `SELECT delivery_id, state, outcome_code FROM notifier.deliveries WHERE customer_id LIKE $1 ORDER BY delivery_id`,
      [`${run}-%`],
    );
    const byId = new Map(rows.map((r) => [r.delivery_id, r]));
    expect([a[0], a[1]].map((id) => byId.get(id ?? '')?.state)).toEqual(['sent', 'sent']);
    // The third reminder saw both earlier attempts: over the cap, not sent.
    expect(byId.get(a[2]!)).toMatchObject({ state: 'pending', outcome_code: 'deferred-contact-cap' });
    expect(rows.filter((r) => r.state === 'sent')).toHaveLength(5);
    const { rows: outbox } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM notifier.outbox WHERE convert_from(payload, 'UTF8') LIKE $1`, [`%${run}%`]);
    expect(outbox[0]?.n).toBe('5');
  });

  it('with a concurrency of 1 sends one message at a time', async () => {
    const run = uniqueName('one');
    const customerOf = await seed(run, ['a', 'b', 'c']);
    const provider = new GatedProvider((id) => customerOf.get(id) ?? '?');
    provider.open();
    await dispatcherWith(provider, 1).runPass();
    expect(provider.maxInFlight).toBe(1);
    expect(provider.started.filter((id) => customerOf.has(id))).toHaveLength(4);
  });
});
