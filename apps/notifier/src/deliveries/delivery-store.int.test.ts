import { Client } from 'pg';
import { createDatabase, dropDatabase, postgresDatabaseUrl, uniqueName } from '@dunning/testing';
import { DeliveryStore, deliveryIdFor, type StoredRequest } from './delivery-store';
import { deliveryRecentContactsIndexSql, deliveryTraceContextSql, fullNotifierSchemaSql } from './schema';

// The send-time checks read without a lock and write only the version they read: a delivery that
// changed in between (another worker deferred, skipped or started it) is left as it is.

const database = uniqueName('notifier_store').replace(/-/g, '_');
const store = new DeliveryStore('notifier');
let client: Client;
const now = new Date('2026-04-06T08:00:00Z');
const later = new Date('2026-04-06T09:00:00Z');

const request = (actionId: string): StoredRequest => ({
  actionId,
  caseId: 'case-1',
  invoiceId: 'inv-1',
  customerId: 'cust-1',
  requestedAt: now.toISOString(),
  channel: 'email',
  fallbackChannels: [],
  templateId: 'reminder',
  locale: 'sv-SE',
});

beforeAll(async () => {
  await createDatabase(database);
  client = new Client({ connectionString: postgresDatabaseUrl(database) });
  await client.connect();
  for (const sql of [fullNotifierSchemaSql('notifier'), deliveryTraceContextSql('notifier'), deliveryRecentContactsIndexSql('notifier')]) await client.query(sql);
});

afterAll(async () => {
  await client.end();
  await dropDatabase(database);
});

describe('the send-time checks write only the version they read', () => {
  it('starts the attempt when nothing changed, and not when the delivery changed after the read', async () => {
    const stored = await store.acceptMany(client, [{ request: request('act-1'), at: now }, { request: request('act-2'), at: now }, { request: request('act-1'), at: now }]);
    expect([...stored].sort()).toEqual(['act-1', 'act-2']);
    const [one, two] = [deliveryIdFor('act-1'), deliveryIdFor('act-2')];

    const read = await store.readForDispatch(client, one, new Date(0));
    expect(read?.row.state).toBe('pending');
    expect(await store.startAttempt(client, one, read?.version ?? '', 'email', 'smtp', now, later)).toBe(true);
    // The read version is spent: a second write from the same read changes nothing.
    expect(await store.defer(client, one, later, 'deferred-quiet-hours', now, read?.version)).toBe(false);
    expect(await store.finish(client, one, 'skipped', 'invoice-settled', now, 'email', read?.version)).toBe(false);
    expect((await store.readForDispatch(client, one, new Date(0)))?.row).toMatchObject({ state: 'sending', attempts: 1, outcomeCode: null });

    // Another worker defers the second delivery between this worker's read and its write.
    const stale = await store.readForDispatch(client, two, new Date(0));
    const other = await store.readForDispatch(client, two, new Date(0));
    expect(await store.defer(client, two, later, 'deferred-contact-cap', now, other?.version)).toBe(true);
    expect(await store.startAttempt(client, two, stale?.version ?? '', 'email', 'smtp', now, later)).toBe(false);
    const after = await store.readForDispatch(client, two, new Date(0));
    expect(after?.row).toMatchObject({ state: 'pending', attempts: 0, outcomeCode: 'deferred-contact-cap' });
    // The first delivery's attempt counts for the cap from its start.
    expect(after?.recentContacts).toEqual([now]);
  });
});
