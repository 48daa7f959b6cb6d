import type { Pool } from 'pg';
import type { AccountStore } from '../accounts/account-store';
import { creditIn, replay } from '../domain/account';
import { invoiceIdOf, type AccountEvent } from '../domain/events';
import { activePlan, isDisputed, type InvoiceState } from '../domain/invoice';
import type { Money } from '../domain/money';
import { isSealed } from '../personal-data/vault';

/**
 * Reads: an invoice with its current state and its full history (the account's events about it,
 * rebuilt from the event store, so the answer is the log's truth, not a cache), a customer's
 * invoices, and the dead letters. Sealed values are shown as such, never opened here.
 */
export const SEALED_PLACEHOLDER = '[sealed personal data]';

export interface InvoiceView extends InvoiceState {
  readonly disputed: boolean;
  readonly underPaymentPlan: boolean;
}

export interface HistoryEntry {
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly recordedAt: string;
  readonly data: unknown;
  readonly origin?: unknown;
}

export interface DeadLetterView {
  readonly id: string;
  readonly deadLetteredAt: string;
  readonly channel: string;
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: string | null;
  readonly eventSource: string | null;
  readonly eventId: string | null;
  readonly eventType: string | null;
  readonly customerId: string | null;
  readonly errorClass: string;
  readonly code: string;
  readonly reason: string;
}

export interface DeadLetterFilter {
  readonly customerId?: string;
  readonly code?: string;
  readonly channel?: string;
  readonly afterId?: string;
  readonly limit: number;
}

function withoutSealed(value: unknown): unknown {
  if (isSealed(value)) return SEALED_PLACEHOLDER;
  if (Array.isArray(value)) return value.map(withoutSealed);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withoutSealed(inner)]));
  return value;
}

export const viewOf = (invoice: InvoiceState): InvoiceView => ({ ...invoice, disputed: isDisputed(invoice), underPaymentPlan: activePlan(invoice) !== undefined });

export class InvoiceQueries {
  constructor(
    private readonly pool: Pool,
    private readonly accounts: AccountStore,
    private readonly schema: string,
  ) {}

  async invoice(invoiceId: string): Promise<{ invoice: InvoiceView; history: HistoryEntry[] } | undefined> {
    const { rows } = await this.pool.query<{ customer_id: string }>(`SELECT customer_id FROM "${this.schema}".invoices WHERE invoice_id = $1`, [invoiceId]);
    const customerId = rows[0]?.customer_id;
    if (customerId === undefined) return undefined;
    const { events } = await this.accounts.readEvents(this.pool, customerId);
    const state = replay(events.map((event) => ({ type: event.type, data: event.data }) as AccountEvent));
    const invoice = state.invoices[invoiceId];
    if (!invoice) return undefined;
    const history = events
      .filter((event) => invoiceIdOf({ type: event.type, data: event.data } as AccountEvent) === invoiceId)
      .map((event) => ({
        version: event.streamVersion,
        eventId: event.eventId,
        type: event.type,
        recordedAt: event.recordedAt.toISOString(),
        data: withoutSealed(event.data),
        ...(event.metadata['origin'] === undefined ? {} : { origin: event.metadata['origin'] }),
      }));
    return { invoice: viewOf(invoice), history };
  }

  async customerInvoices(customerId: string, status?: string): Promise<{ customerId: string; credit: Money[]; invoices: InvoiceView[] } | undefined> {
    const { rows } = await this.pool.query<{ state: InvoiceState }>(
      `SELECT state FROM "${this.schema}".invoices WHERE customer_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY issued_at, invoice_id`,
      [customerId, status ?? null],
    );
    const { events } = await this.accounts.readEvents(this.pool, customerId);
    if (events.length === 0) return undefined;
    const state = replay(events.map((event) => ({ type: event.type, data: event.data }) as AccountEvent));
    const credit = Object.keys(state.credit)
      .map((currency) => creditIn(state, currency))
      .filter((amount) => amount.minor > 0);
    return { customerId, credit, invoices: rows.map((row) => viewOf(row.state)) };
  }

  async deadLetters(filter: DeadLetterFilter): Promise<{ items: DeadLetterView[]; nextAfterId: string | null }> {
    const { rows } = await this.pool.query<{
      id: string;
      dead_lettered_at: Date;
      channel: string;
      topic: string | null;
      kafka_partition: number | null;
      kafka_offset: string | null;
      event_source: string | null;
      event_id: string | null;
      event_type: string | null;
      customer_id: string | null;
      error_class: string;
      code: string;
      reason: string;
    }>(
      `SELECT id::text AS id, dead_lettered_at, channel, topic, kafka_partition, kafka_offset::text AS kafka_offset, event_source, event_id, event_type,
              customer_id, error_class, code, reason
         FROM "${this.schema}".dead_letters
        WHERE ($1::text IS NULL OR customer_id = $1) AND ($2::text IS NULL OR code = $2) AND ($3::text IS NULL OR channel = $3)
          AND id > COALESCE($4::bigint, 0)
        ORDER BY id
        LIMIT $5`,
      [filter.customerId ?? null, filter.code ?? null, filter.channel ?? null, filter.afterId ?? null, filter.limit],
    );
    const items = rows.map((row) => ({
      id: row.id,
      deadLetteredAt: row.dead_lettered_at.toISOString(),
      channel: row.channel,
      topic: row.topic,
      partition: row.kafka_partition,
      offset: row.kafka_offset,
      eventSource: row.event_source,
      eventId: row.event_id,
      eventType: row.event_type,
      customerId: row.customer_id,
      errorClass: row.error_class,
      code: row.code,
      reason: row.reason,
    }));
    return { items, nextAfterId: items.length === filter.limit ? (items[items.length - 1]?.id ?? null) : null };
  }
}
