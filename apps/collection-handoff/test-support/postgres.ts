import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { EventStore, eventStoreSchemaSql } from '@dunning/event-store';
import { consumerOffsetsDdl } from '@dunning/messaging';
import type { InvoicingEvent } from '@dunning/contracts';
import { caseTraceContextSql, collectionTablesSql } from '../src/persistence/schema';
import { CaseStore } from '../src/persistence/case-store';
import { InvoiceProjectionStore } from '../src/persistence/invoice-projection-store';

export const TEST_DATABASE_URL = process.env['COLLECTION_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/dunning_test';

let ensured: Promise<void> | undefined;
export function ensureTestDatabase(): Promise<void> {
  ensured ??= (async () => {
    const url = new URL(TEST_DATABASE_URL);
    const database = url.pathname.slice(1);
    url.pathname = '/postgres';
    const admin = new Client({ connectionString: url.toString() });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (!rowCount) {
        await admin.query(`CREATE DATABASE "${database}"`).catch((error: { code?: string }) => {
          if (error.code !== '42P04' && error.code !== '23505') throw error;
        });
      }
    } finally {
      await admin.end();
    }
  })();
  return ensured;
}

/** A fresh schema holding everything the service's migrations create. */
export async function freshCollectionSchema(pool: Pool): Promise<string> {
  const schema = `coll_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await pool.query(eventStoreSchemaSql(schema));
  await pool.query(consumerOffsetsDdl(schema));
  await pool.query(collectionTablesSql(schema));
  await pool.query(caseTraceContextSql(schema));
  return schema;
}

export async function dropSchema(pool: Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

export async function testPool(max = 10): Promise<Pool> {
  await ensureTestDatabase();
  return new Pool({ connectionString: TEST_DATABASE_URL, max, idleTimeoutMillis: 5_000 });
}

export function stores(schema: string, clock: () => Date, casesTopic = 'collection.cases.v1') {
  const eventStore = new EventStore({ schema, clock });
  const projections = new InvoiceProjectionStore(schema);
  const cases = new CaseStore(eventStore, projections, { schema, casesTopic, clock });
  return { eventStore, projections, cases };
}

// Invoicing events as collection-handoff receives them (already decoded).
const envelope = (type: string, id: string, time: string, data: Record<string, unknown>): InvoicingEvent =>
  ({ specversion: '1.0', id, source: 'urn:dunning:invoicing', type, time, data }) as unknown as InvoicingEvent;

export function invoiceOpened(invoiceId: string, customerId: string, options: { minor?: number; currency?: string; country?: string; timeZone?: string; type?: 'consumer' | 'business'; dueDate?: string } = {}): InvoicingEvent {
  const amount = { minor: options.minor ?? 29_900, currency: options.currency ?? 'SEK' };
  return envelope('invoicing.invoice.opened.v1', `opened-${invoiceId}`, '2026-03-01T08:00:00Z', {
    invoiceId,
    customerId,
    issuedAt: '2026-03-01T08:00:00Z',
    dueDate: options.dueDate ?? '2026-03-31',
    amount,
    balance: amount,
    customer: { type: options.type ?? 'consumer', locale: 'sv-SE', timeZone: options.timeZone ?? 'Europe/Stockholm', country: options.country ?? 'SE', reachableChannels: ['sms'] },
  });
}

export function paymentApplied(invoiceId: string, customerId: string, applied: number, remaining: number, at = '2026-05-10T06:00:00Z', currency = 'SEK'): InvoicingEvent {
  return envelope('invoicing.payment.applied.v1', `pay-${invoiceId}-${applied}-${remaining}`, at, {
    invoiceId,
    customerId,
    paymentId: `p-${invoiceId}`,
    appliedAmount: { minor: applied, currency },
    remainingBalance: { minor: remaining, currency },
    receivedAt: at,
    matchedBy: 'invoice-id',
  });
}

export function invoiceDisputed(invoiceId: string, customerId: string, at = '2026-05-10T06:00:00Z'): InvoicingEvent {
  return envelope('invoicing.invoice.disputed.v1', `disp-${invoiceId}`, at, { invoiceId, customerId, disputedAt: at });
}

export function invoiceCredited(invoiceId: string, customerId: string, credited: number, remaining: number, at = '2026-05-10T06:00:00Z', currency = 'SEK'): InvoicingEvent {
  return envelope('invoicing.invoice.credited.v1', `credit-${invoiceId}-${credited}`, at, {
    invoiceId,
    customerId,
    creditNoteId: `cn-${invoiceId}`,
    creditedAmount: { minor: credited, currency },
    remainingBalance: { minor: remaining, currency },
    creditedAt: at,
  });
}
