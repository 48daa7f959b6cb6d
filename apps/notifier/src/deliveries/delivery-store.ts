import { createHash } from 'node:crypto';
import { qualified } from '@dunning/event-store';
import type { SqlClient } from '@dunning/messaging';
import type { Channel, DefaultInterestClaim, InvoiceStanding, LocalDate, Money, Reachability } from '../domain';
import type { StoredTraceContext } from '../telemetry';
import type { ContactLookup } from './contact-directory';

/** The part of a dunning.reminder.requested.v1 the notifier keeps: ids, channel, template, money. No personal data. */
export interface StoredRequest {
  readonly actionId: string;
  readonly caseId: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly requestedAt: string;
  readonly channel: Channel;
  readonly fallbackChannels: readonly Channel[];
  readonly templateId: string;
  readonly locale: string;
  readonly fee?: Money;
  /** The flat recovery fee the decision claims from a business (Germany: 40 EUR). */
  readonly businessCompensation?: Money;
  /** Statutory default interest the decision computed so far. */
  readonly interest?: DefaultInterestClaim;
  /** The decision's pay-by date (after the country's rules); else the template's period applies. */
  readonly payBy?: LocalDate;
  readonly sendWindow?: { readonly notBefore: string; readonly notAfter: string };
}

export type DeliveryState = 'pending' | 'sending' | 'sent' | 'delivered' | 'failed' | 'skipped';

export interface DeliveryRow {
  readonly deliveryId: string;
  readonly actionId: string;
  readonly customerId: string;
  readonly invoiceId: string;
  readonly templateId: string;
  readonly requestedChannel: Channel;
  readonly channel: Channel | null;
  readonly provider: string | null;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly sendingStartedAt: Date | null;
  readonly providerRef: string | null;
  readonly outcomeCode: string | null;
  readonly request: StoredRequest;
  /** The trace the request came with: the dispatch, reconciliation and delivery reports join it. */
  readonly traceContext: StoredTraceContext | null;
}

export interface InvoiceFacts {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly standing: InvoiceStanding;
  readonly amount: Money;
  readonly dueDate: LocalDate;
  readonly paymentReference?: string;
  readonly brand?: string;
}

export interface CustomerFacts {
  readonly customerType: 'consumer' | 'business';
  readonly locale: string;
  readonly timeZone: string;
  readonly country?: string;
  readonly reachableChannels: readonly Channel[];
}


/** The delivery id is derived from the action id: the same request always maps to the same delivery. */
export function deliveryIdFor(actionId: string): string {
  return `dlv_${createHash('sha256').update(actionId).digest('hex').slice(0, 32)}`;
}

interface RawDelivery {
  delivery_id: string;
  action_id: string;
  customer_id: string;
  invoice_id: string;
  template_id: string;
  requested_channel: Channel;
  channel: Channel | null;
  provider: string | null;
  state: DeliveryState;
  attempts: number;
  sending_started_at: Date | null;
  provider_ref: string | null;
  outcome_code: string | null;
  request: StoredRequest;
  trace_context: StoredTraceContext | null;
}

const toRow = (raw: RawDelivery): DeliveryRow => ({
  deliveryId: raw.delivery_id,
  actionId: raw.action_id,
  customerId: raw.customer_id,
  invoiceId: raw.invoice_id,
  templateId: raw.template_id,
  requestedChannel: raw.requested_channel,
  channel: raw.channel,
  provider: raw.provider,
  state: raw.state,
  attempts: raw.attempts,
  sendingStartedAt: raw.sending_started_at,
  providerRef: raw.provider_ref,
  outcomeCode: raw.outcome_code,
  request: raw.request,
  traceContext: raw.trace_context ?? null,
});

/** SQL of the notifier's tables. Every method runs in the caller's transaction (`client`). */
export class DeliveryStore {
  private readonly s: string;

  constructor(readonly schema: string) {
    this.s = qualified(schema);
  }

  /** Records a requested action once; a redelivered or replayed request is `duplicate`. */
  async accept(client: SqlClient, request: StoredRequest, now: Date, traceContext?: StoredTraceContext): Promise<'accepted' | 'duplicate'> {
    const { rowCount } = await client.query(
      `INSERT INTO ${this.s}.deliveries (delivery_id, action_id, customer_id, invoice_id, template_id, requested_channel, state, next_attempt_at, request, created_at, updated_at, trace_context)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $7, $7, $9)
       ON CONFLICT (action_id) DO NOTHING`,
      [deliveryIdFor(request.actionId), request.actionId, request.customerId, request.invoiceId, request.templateId, request.channel, now, JSON.stringify(request), traceContext ? JSON.stringify(traceContext) : null],
    );
    return rowCount === 1 ? 'accepted' : 'duplicate';
  }

  /** Locks up to `limit` deliveries that are due, skipping rows another worker holds. */
  async claimDue(client: SqlClient, now: Date, limit: number): Promise<DeliveryRow[]> {
    const { rows } = await client.query<RawDelivery>(
      `SELECT * FROM ${this.s}.deliveries WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map(toRow);
  }

  /** Locks attempts left in `sending` whose lease ran out (a crash, or an ambiguous provider answer). */
  async claimExpiredAttempts(client: SqlClient, now: Date, limit: number): Promise<DeliveryRow[]> {
    const { rows } = await client.query<RawDelivery>(
      `SELECT * FROM ${this.s}.deliveries WHERE state = 'sending' AND lease_until <= $1 ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map(toRow);
  }

  /**
   * What the dispatcher has to do at `now` (a quiescence probe): pending deliveries whose time has
   * come and attempts whose lease ran out. Deliveries deferred to a later instant (quiet hours, the
   * contact cap, back-off) are not counted until the clock reaches them. Both counts use the partial
   * indexes on pending and leased rows.
   */
  async dueCounts(client: SqlClient, now: Date): Promise<{ readonly due: number; readonly expiredAttempts: number }> {
    const { rows } = await client.query<{ due: number; expired: number }>(
      `SELECT (SELECT count(*)::int FROM ${this.s}.deliveries WHERE state = 'pending' AND next_attempt_at <= $1) AS due,
              (SELECT count(*)::int FROM ${this.s}.deliveries WHERE state = 'sending' AND lease_until <= $1) AS expired`,
      [now],
    );
    return { due: rows[0]?.due ?? 0, expiredAttempts: rows[0]?.expired ?? 0 };
  }

  async lockOne(client: SqlClient, deliveryId: string): Promise<DeliveryRow | undefined> {
    const { rows } = await client.query<RawDelivery>(`SELECT * FROM ${this.s}.deliveries WHERE delivery_id = $1 FOR UPDATE`, [deliveryId]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async find(client: SqlClient, deliveryId: string): Promise<DeliveryRow | undefined> {
    const { rows } = await client.query<RawDelivery>(`SELECT * FROM ${this.s}.deliveries WHERE delivery_id = $1`, [deliveryId]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async findByAction(client: SqlClient, actionId: string): Promise<DeliveryRow | undefined> {
    return this.find(client, deliveryIdFor(actionId));
  }

  async defer(client: SqlClient, deliveryId: string, until: Date, code: string, now: Date): Promise<void> {
    await client.query(`UPDATE ${this.s}.deliveries SET state = 'pending', next_attempt_at = $2, outcome_code = $3, lease_until = NULL, updated_at = $4 WHERE delivery_id = $1`, [deliveryId, until, code, now]);
  }

  /** The attempt is on record before the provider is called: state `sending`, with a lease. */
  async startAttempt(client: SqlClient, deliveryId: string, channel: Channel, provider: string, now: Date, leaseUntil: Date): Promise<void> {
    await client.query(
      `UPDATE ${this.s}.deliveries SET state = 'sending', channel = $2, provider = $3, attempts = attempts + 1, sending_started_at = $4, lease_until = $5, outcome_code = NULL, updated_at = $4 WHERE delivery_id = $1`,
      [deliveryId, channel, provider, now, leaseUntil],
    );
  }

  async extendLease(client: SqlClient, deliveryId: string, leaseUntil: Date, code: string, now: Date): Promise<void> {
    await client.query(`UPDATE ${this.s}.deliveries SET lease_until = $2, outcome_code = $3, updated_at = $4 WHERE delivery_id = $1`, [deliveryId, leaseUntil, code, now]);
  }

  async markSent(client: SqlClient, deliveryId: string, providerRef: string, now: Date): Promise<void> {
    await client.query(`UPDATE ${this.s}.deliveries SET state = 'sent', provider_ref = $2, sent_at = $3, lease_until = NULL, updated_at = $3 WHERE delivery_id = $1`, [deliveryId, providerRef, now]);
  }

  async finish(client: SqlClient, deliveryId: string, state: 'delivered' | 'failed' | 'skipped', code: string | null, now: Date, channel?: Channel): Promise<void> {
    await client.query(
      `UPDATE ${this.s}.deliveries SET state = $2, outcome_code = $3, finished_at = $4, lease_until = NULL, updated_at = $4, channel = COALESCE(channel, $5) WHERE delivery_id = $1`,
      [deliveryId, state, code, now, channel ?? null],
    );
  }

  /** When the customer was contacted lately (messages sent, and attempts in flight), for the contact cap. */
  async recentContacts(client: SqlClient, customerId: string, since: Date): Promise<Date[]> {
    const { rows } = await client.query<{ at: Date }>(
      `SELECT COALESCE(sent_at, sending_started_at) AS at FROM ${this.s}.deliveries
        WHERE customer_id = $1 AND state IN ('sending', 'sent', 'delivered') AND COALESCE(sent_at, sending_started_at) > $2`,
      [customerId, since],
    );
    return rows.map((row) => row.at);
  }

  // --- delivery reports -------------------------------------------------------------------------

  async recordReport(client: SqlClient, deliveryId: string, reportType: number, now: Date): Promise<'new' | 'repeat'> {
    const { rowCount } = await client.query(
      `INSERT INTO ${this.s}.provider_reports (delivery_id, report_type, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [deliveryId, reportType, now],
    );
    return rowCount === 1 ? 'new' : 'repeat';
  }

  async reportTypes(client: SqlClient, deliveryId: string): Promise<number[]> {
    const { rows } = await client.query<{ report_type: number }>(`SELECT report_type FROM ${this.s}.provider_reports WHERE delivery_id = $1 ORDER BY received_at, report_type`, [deliveryId]);
    return rows.map((row) => row.report_type);
  }

  // --- invoice and customer state (from invoicing.invoices.v1) ------------------------------------

  async upsertInvoice(client: SqlClient, invoice: { invoiceId: string; customerId: string; amount: Money; balance: Money; dueDate: LocalDate; paymentReference?: string; brand?: string }, now: Date): Promise<void> {
    await client.query(
      `INSERT INTO ${this.s}.invoices (invoice_id, customer_id, status, amount_minor, balance_minor, currency, due_date, payment_reference, brand, updated_at)
       VALUES ($1, $2, CASE WHEN $4::bigint > 0 THEN 'open' ELSE 'settled' END, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (invoice_id) DO NOTHING`,
      [invoice.invoiceId, invoice.customerId, invoice.amount.minor, invoice.balance.minor, invoice.amount.currency, invoice.dueDate, invoice.paymentReference ?? null, invoice.brand ?? null, now],
    );
  }

  async updateInvoice(client: SqlClient, invoiceId: string, change: { status?: string; balanceMinor?: number }, now: Date): Promise<void> {
    await client.query(
      `UPDATE ${this.s}.invoices SET status = COALESCE($2, status), balance_minor = COALESCE($3, balance_minor), updated_at = $4 WHERE invoice_id = $1`,
      [invoiceId, change.status ?? null, change.balanceMinor ?? null, now],
    );
  }

  async upsertCustomer(client: SqlClient, customerId: string, profile: CustomerFacts, now: Date): Promise<void> {
    await client.query(
      `INSERT INTO ${this.s}.customers (customer_id, customer_type, locale, time_zone, country, reachable_channels, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (customer_id) DO UPDATE SET customer_type = $2, locale = $3, time_zone = $4, country = $5, reachable_channels = $6, updated_at = $7`,
      [customerId, profile.customerType, profile.locale, profile.timeZone, profile.country ?? null, JSON.stringify(profile.reachableChannels), now],
    );
  }

  async invoice(client: SqlClient, invoiceId: string): Promise<InvoiceFacts | undefined> {
    const { rows } = await client.query<{ invoice_id: string; customer_id: string; status: string; amount_minor: string; balance_minor: string; currency: string; due_date: string; payment_reference: string | null; brand: string | null }>(
      `SELECT invoice_id, customer_id, status, amount_minor, balance_minor, currency, to_char(due_date, 'YYYY-MM-DD') AS due_date, payment_reference, brand FROM ${this.s}.invoices WHERE invoice_id = $1`,
      [invoiceId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const balance = { minor: Number(row.balance_minor), currency: row.currency };
    return {
      invoiceId: row.invoice_id,
      customerId: row.customer_id,
      standing: { status: row.status as InvoiceStanding['status'], balance },
      amount: { minor: Number(row.amount_minor), currency: row.currency },
      dueDate: row.due_date,
      ...(row.payment_reference ? { paymentReference: row.payment_reference } : {}),
      ...(row.brand ? { brand: row.brand } : {}),
    };
  }

  async customer(client: SqlClient, customerId: string): Promise<CustomerFacts | undefined> {
    const { rows } = await client.query<{ customer_type: 'consumer' | 'business'; locale: string; time_zone: string; country: string | null; reachable_channels: Channel[] }>(
      `SELECT customer_type, locale, time_zone, country, reachable_channels FROM ${this.s}.customers WHERE customer_id = $1`,
      [customerId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { customerType: row.customer_type, locale: row.locale, timeZone: row.time_zone, ...(row.country ? { country: row.country } : {}), reachableChannels: row.reachable_channels };
  }

}

/** Per channel: a contact on file and consent (no recorded choice means allowed: only an opt-out withdraws it). */
export function reachabilityOf(contact: ContactLookup): Reachability {
  const r = contact.status === 'ok' ? contact.recipient : undefined;
  const consent = contact.status === 'ok' ? contact.consent : {};
  const channel = (name: Channel, onFile: boolean) => ({ onFile, consent: consent[name] !== false });
  return { sms: channel('sms', Boolean(r?.phone)), email: channel('email', Boolean(r?.email)), letter: channel('letter', Boolean(r?.postalAddress)) };
}
