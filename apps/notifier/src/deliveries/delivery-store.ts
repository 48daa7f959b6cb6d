import { createHash } from 'node:crypto';
import { qualified } from '@dunning/event-store';
import type { SqlClient } from '@dunning/messaging';
import type { Channel, DefaultInterestClaim, InvoiceStanding, LocalDate, Money, Reachability } from '../domain';
import type { StoredTraceContext } from '../telemetry';
import type { ContactLookup } from './contact-directory';
import type { FoldedWrites } from '../intake/invoice-facts';

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


/** A pending delivery as its send-time checks read it: its row version and the facts they use. */
export interface SendFacts {
  readonly row: DeliveryRow;
  /** The row version (xmin) read: a write naming it applies only if nobody changed the delivery since. */
  readonly version: string;
  readonly invoice: InvoiceFacts | undefined;
  readonly customer: CustomerFacts | undefined;
  readonly recentContacts: readonly Date[];
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

  /**
   * Records requested actions once, in one statement, in the given order; answers the action ids
   * stored now. A redelivered or replayed request (or a second one in the same list) is not stored again.
   */
  async acceptMany(client: SqlClient, requests: readonly { readonly request: StoredRequest; readonly at: Date; readonly traceContext?: StoredTraceContext | undefined }[]): Promise<ReadonlySet<string>> {
    if (requests.length === 0) return new Set();
    const rows = requests.map(({ request, at, traceContext }, ord) => ({
      ord,
      delivery_id: deliveryIdFor(request.actionId),
      action_id: request.actionId,
      customer_id: request.customerId,
      invoice_id: request.invoiceId,
      template_id: request.templateId,
      requested_channel: request.channel,
      at: at.toISOString(),
      request,
      trace_context: traceContext ?? null,
    }));
    const { rows: stored } = await client.query<{ action_id: string }>(
      `INSERT INTO ${this.s}.deliveries (delivery_id, action_id, customer_id, invoice_id, template_id, requested_channel, state, next_attempt_at, request, created_at, updated_at, trace_context)
       SELECT r.delivery_id, r.action_id, r.customer_id, r.invoice_id, r.template_id, r.requested_channel, 'pending', r.at, r.request, r.at, r.at, r.trace_context
         FROM jsonb_to_recordset($1::jsonb) AS r(ord int, delivery_id text, action_id text, customer_id text, invoice_id text, template_id text, requested_channel text, at timestamptz, request jsonb, trace_context jsonb)
        ORDER BY r.ord
       ON CONFLICT (action_id) DO NOTHING
       RETURNING action_id`,
      [JSON.stringify(rows)],
    );
    return new Set(stored.map((row) => row.action_id));
  }

  /**
   * One dispatcher pass's work, in one statement outside any transaction: up to `limit` attempts in
   * `sending` whose lease ran out (a crash, an ambiguous provider answer) and up to `limit` due
   * pending deliveries, skipping rows another worker holds. The locks end with the statement: each
   * delivery is locked again in its own transaction, where its state is checked.
   */
  async claim(client: SqlClient, now: Date, limit: number): Promise<{ readonly expired: DeliveryRow[]; readonly due: DeliveryRow[] }> {
    const { rows } = await client.query<RawDelivery & { part: number }>(
      `WITH expired AS (SELECT * FROM ${this.s}.deliveries WHERE state = 'sending' AND lease_until <= $1 ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED),
            due AS (SELECT * FROM ${this.s}.deliveries WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       SELECT * FROM (SELECT 1 AS part, * FROM expired UNION ALL SELECT 2 AS part, * FROM due) claimed
        ORDER BY part, CASE WHEN part = 1 THEN lease_until ELSE next_attempt_at END`,
      [now, limit],
    );
    return { expired: rows.filter((r) => r.part === 1).map(toRow), due: rows.filter((r) => r.part === 2).map(toRow) };
  }

  /**
   * What a pending delivery's send-time checks read, in one statement and without a lock: the
   * delivery with its row version, the invoice, the customer and when the customer was contacted
   * since `since` (the cap). The write that follows the checks (startAttempt, defer, finish) names
   * that version and changes nothing if the delivery changed in between.
   */
  async readForDispatch(client: SqlClient, deliveryId: string, since: Date): Promise<SendFacts | undefined> {
    const { rows } = await client.query<RawDelivery & RawInvoice & RawCustomer & { recent_contacts: Date[]; has_invoice: boolean; has_customer: boolean; invoice_customer_id: string; version: string }>(
      `SELECT d.*, d.xmin::text AS version, i.invoice_id IS NOT NULL AS has_invoice, i.customer_id AS invoice_customer_id, i.status, i.amount_minor, i.balance_minor, i.currency, to_char(i.due_date, 'YYYY-MM-DD') AS due_date, i.payment_reference, i.brand,
              c.customer_id IS NOT NULL AS has_customer, c.customer_type, c.locale, c.time_zone, c.country, c.reachable_channels,
              ARRAY(SELECT COALESCE(r.sent_at, r.sending_started_at) FROM ${this.s}.deliveries r
                     WHERE r.customer_id = d.customer_id AND r.state IN ('sending', 'sent', 'delivered') AND COALESCE(r.sent_at, r.sending_started_at) > $2) AS recent_contacts
         FROM ${this.s}.deliveries d
         LEFT JOIN ${this.s}.invoices i ON i.invoice_id = d.invoice_id
         LEFT JOIN ${this.s}.customers c ON c.customer_id = d.customer_id
        WHERE d.delivery_id = $1`,
      [deliveryId, since],
    );
    const raw = rows[0];
    if (!raw) return undefined;
    return {
      row: toRow(raw),
      version: raw.version,
      invoice: raw.has_invoice ? toInvoice({ ...raw, customer_id: raw.invoice_customer_id }) : undefined,
      customer: raw.has_customer ? toCustomer(raw) : undefined,
      recentContacts: raw.recent_contacts,
    };
  }

  /**
   * What is left to do at `now` (the quiescence probes), in one statement: pending deliveries whose
   * time has come, attempts whose lease ran out, and outbox messages not yet published. Deliveries
   * deferred to a later instant (quiet hours, the contact cap, back-off) are not counted until the
   * clock reaches them. The delivery counts use the partial indexes on pending and leased rows.
   */
  async quiescenceCounts(client: SqlClient, now: Date): Promise<{ readonly due: number; readonly expiredAttempts: number; readonly outboxPending: number }> {
    const { rows } = await client.query<{ due: number; expired: number; outbox: number }>(
      `SELECT (SELECT count(*)::int FROM ${this.s}.deliveries WHERE state = 'pending' AND next_attempt_at <= $1) AS due,
              (SELECT count(*)::int FROM ${this.s}.deliveries WHERE state = 'sending' AND lease_until <= $1) AS expired,
              (SELECT count(*)::int FROM ${this.s}.outbox WHERE published_at IS NULL) AS outbox`,
      [now],
    );
    return { due: rows[0]?.due ?? 0, expiredAttempts: rows[0]?.expired ?? 0, outboxPending: rows[0]?.outbox ?? 0 };
  }

  async lockOne(client: SqlClient, deliveryId: string): Promise<DeliveryRow | undefined> {
    const { rows } = await client.query<RawDelivery>(`SELECT * FROM ${this.s}.deliveries WHERE delivery_id = $1 FOR UPDATE`, [deliveryId]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /** False when `version` is given and the delivery is no longer that version (see readForDispatch). */
  async defer(client: SqlClient, deliveryId: string, until: Date, code: string, now: Date, version?: string): Promise<boolean> {
    const { rowCount } = await client.query(
      `UPDATE ${this.s}.deliveries SET state = 'pending', next_attempt_at = $2, outcome_code = $3, lease_until = NULL, updated_at = $4 WHERE delivery_id = $1${version === undefined ? '' : ' AND xmin = $5::text::xid'}`,
      version === undefined ? [deliveryId, until, code, now] : [deliveryId, until, code, now, version],
    );
    return rowCount === 1;
  }

  /**
   * The attempt is on record before the provider is called: state `sending`, with a lease. Only
   * from the pending `version` the checks read; false (and nothing written) when it changed since.
   */
  async startAttempt(client: SqlClient, deliveryId: string, version: string, channel: Channel, provider: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const { rowCount } = await client.query(
      `UPDATE ${this.s}.deliveries SET state = 'sending', channel = $2, provider = $3, attempts = attempts + 1, sending_started_at = $4, lease_until = $5, outcome_code = NULL, updated_at = $4
        WHERE delivery_id = $1 AND state = 'pending' AND xmin = $6::text::xid`,
      [deliveryId, channel, provider, now, leaseUntil, version],
    );
    return rowCount === 1;
  }

  async extendLease(client: SqlClient, deliveryId: string, leaseUntil: Date, code: string, now: Date): Promise<void> {
    await client.query(`UPDATE ${this.s}.deliveries SET lease_until = $2, outcome_code = $3, updated_at = $4 WHERE delivery_id = $1`, [deliveryId, leaseUntil, code, now]);
  }

  /**
   * Records `sent` and answers the delivery reports stored so far (in arrival order). Call it with
   * the delivery locked: the statement then sees every report committed before the lock was taken,
   * and a report arriving later waits for the lock and finds `sent`.
   */
  async markSent(client: SqlClient, deliveryId: string, providerRef: string, now: Date): Promise<number[]> {
    const { rows } = await client.query<{ report_types: number[] }>(
      `UPDATE ${this.s}.deliveries SET state = 'sent', provider_ref = $2, sent_at = $3, lease_until = NULL, updated_at = $3 WHERE delivery_id = $1
       RETURNING ARRAY(SELECT report_type FROM ${this.s}.provider_reports WHERE delivery_id = $1 ORDER BY received_at, report_type) AS report_types`,
      [deliveryId, providerRef, now],
    );
    return rows[0]?.report_types ?? [];
  }

  /** False when `version` is given and the delivery is no longer that version (see readForDispatch). */
  async finish(client: SqlClient, deliveryId: string, state: 'delivered' | 'failed' | 'skipped', code: string | null, now: Date, channel?: Channel, version?: string): Promise<boolean> {
    const { rowCount } = await client.query(
      `UPDATE ${this.s}.deliveries SET state = $2, outcome_code = $3, finished_at = $4, lease_until = NULL, updated_at = $4, channel = COALESCE(channel, $5) WHERE delivery_id = $1${version === undefined ? '' : ' AND xmin = $6::text::xid'}`,
      version === undefined ? [deliveryId, state, code, now, channel ?? null] : [deliveryId, state, code, now, channel ?? null, version],
    );
    return rowCount === 1;
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

  /**
   * Locks the delivery and stores the report in one statement (the lock is taken before the insert);
   * with `lock: false` only stores it. Undefined when there is no such delivery.
   */
  async lockAndRecordReport(client: SqlClient, deliveryId: string, reportType: number, now: Date, options: { readonly lock: boolean } = { lock: true }): Promise<{ readonly row: DeliveryRow; readonly report: 'new' | 'repeat' } | undefined> {
    const { rows } = await client.query<RawDelivery & { new_report: boolean }>(
      `WITH d AS (SELECT * FROM ${this.s}.deliveries WHERE delivery_id = $1${options.lock ? ' FOR UPDATE' : ''}),
            r AS (INSERT INTO ${this.s}.provider_reports (delivery_id, report_type, received_at) SELECT delivery_id, $2, $3 FROM d ON CONFLICT DO NOTHING RETURNING 1)
       SELECT d.*, EXISTS (SELECT 1 FROM r) AS new_report FROM d`,
      [deliveryId, reportType, now],
    );
    const raw = rows[0];
    return raw ? { row: toRow(raw), report: raw.new_report ? 'new' : 'repeat' } : undefined;
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
      `UPDATE ${this.s}.invoices SET status = COALESCE($2, status), balance_minor = COALESCE($3, balance_minor), updated_at = $4
        WHERE invoice_id = $1 AND (status, balance_minor) IS DISTINCT FROM (COALESCE($2, status), COALESCE($3::bigint, balance_minor))`,
      [invoiceId, change.status ?? null, change.balanceMinor ?? null, now],
    );
  }

  async upsertCustomer(client: SqlClient, customerId: string, profile: CustomerFacts, now: Date): Promise<void> {
    await client.query(
      `INSERT INTO ${this.s}.customers (customer_id, customer_type, locale, time_zone, country, reachable_channels, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (customer_id) DO UPDATE SET customer_type = $2, locale = $3, time_zone = $4, country = $5, reachable_channels = $6, updated_at = $7
        WHERE (customers.customer_type, customers.locale, customers.time_zone, customers.country, customers.reachable_channels) IS DISTINCT FROM (EXCLUDED.customer_type, EXCLUDED.locale, EXCLUDED.time_zone, EXCLUDED.country, EXCLUDED.reachable_channels)`,
      [customerId, profile.customerType, profile.locale, profile.timeZone, profile.country ?? null, JSON.stringify(profile.reachableChannels), now],
    );
  }

  /**
   * A consumer chunk's invoice facts in one statement (see foldInvoiceFacts): profiles upserted,
   * opened invoices inserted when unknown, changes applied to invoices known before. The three
   * parts touch disjoint rows or see the rows as they were before the statement, which is what
   * the fold assumes. Rows that would not change are not written.
   */
  async applyInvoiceFacts(client: SqlClient, writes: FoldedWrites): Promise<void> {
    if (writes.customers.length + writes.inserts.length + writes.updates.length === 0) return;
    const customers = writes.customers.map((c) => ({
      customer_id: c.customerId,
      customer_type: c.profile.customerType,
      locale: c.profile.locale,
      time_zone: c.profile.timeZone,
      country: c.profile.country ?? null,
      reachable_channels: c.profile.reachableChannels,
      at: c.at.toISOString(),
    }));
    const inserts = writes.inserts.map((i) => ({
      invoice_id: i.invoice.invoiceId,
      customer_id: i.invoice.customerId,
      status: i.status,
      amount_minor: i.invoice.amount.minor,
      balance_minor: i.balanceMinor,
      currency: i.invoice.amount.currency,
      due_date: i.invoice.dueDate,
      payment_reference: i.invoice.paymentReference ?? null,
      brand: i.invoice.brand ?? null,
      at: i.at.toISOString(),
    }));
    const updates = writes.updates.map((u) => ({ invoice_id: u.invoiceId, status: u.change.status ?? null, balance_minor: u.change.balanceMinor ?? null, at: u.at.toISOString() }));
    await client.query(
      `WITH profiles AS (
         INSERT INTO ${this.s}.customers AS c (customer_id, customer_type, locale, time_zone, country, reachable_channels, updated_at)
         SELECT x.customer_id, x.customer_type, x.locale, x.time_zone, x.country, x.reachable_channels, x.at
           FROM jsonb_to_recordset($1::jsonb) AS x(customer_id text, customer_type text, locale text, time_zone text, country text, reachable_channels jsonb, at timestamptz)
         ON CONFLICT (customer_id) DO UPDATE SET customer_type = EXCLUDED.customer_type, locale = EXCLUDED.locale, time_zone = EXCLUDED.time_zone, country = EXCLUDED.country,
                reachable_channels = EXCLUDED.reachable_channels, updated_at = EXCLUDED.updated_at
          WHERE (c.customer_type, c.locale, c.time_zone, c.country, c.reachable_channels) IS DISTINCT FROM (EXCLUDED.customer_type, EXCLUDED.locale, EXCLUDED.time_zone, EXCLUDED.country, EXCLUDED.reachable_channels)
         RETURNING 1
       ),
       opened AS (
         INSERT INTO ${this.s}.invoices (invoice_id, customer_id, status, amount_minor, balance_minor, currency, due_date, payment_reference, brand, updated_at)
         SELECT x.invoice_id, x.customer_id, x.status, x.amount_minor, x.balance_minor, x.currency, x.due_date, x.payment_reference, x.brand, x.at
           FROM jsonb_to_recordset($2::jsonb) AS x(invoice_id text, customer_id text, status text, amount_minor bigint, balance_minor bigint, currency text, due_date date, payment_reference text, brand text, at timestamptz)
         ON CONFLICT (invoice_id) DO NOTHING
         RETURNING 1
       ),
       changed AS (
         UPDATE ${this.s}.invoices i SET status = COALESCE(x.status, i.status), balance_minor = COALESCE(x.balance_minor, i.balance_minor), updated_at = x.at
           FROM jsonb_to_recordset($3::jsonb) AS x(invoice_id text, status text, balance_minor bigint, at timestamptz)
          WHERE i.invoice_id = x.invoice_id AND (i.status, i.balance_minor) IS DISTINCT FROM (COALESCE(x.status, i.status), COALESCE(x.balance_minor, i.balance_minor))
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM profiles) + (SELECT count(*) FROM opened) + (SELECT count(*) FROM changed) AS written`,
      [JSON.stringify(customers), JSON.stringify(inserts), JSON.stringify(updates)],
    );
  }

  async invoice(client: SqlClient, invoiceId: string): Promise<InvoiceFacts | undefined> {
    const { rows } = await client.query<RawInvoice>(
      `SELECT invoice_id, customer_id, status, amount_minor, balance_minor, currency, to_char(due_date, 'YYYY-MM-DD') AS due_date, payment_reference, brand FROM ${this.s}.invoices WHERE invoice_id = $1`,
      [invoiceId],
    );
    return rows[0] ? toInvoice(rows[0]) : undefined;
  }

  async customer(client: SqlClient, customerId: string): Promise<CustomerFacts | undefined> {
    const { rows } = await client.query<RawCustomer>(`SELECT customer_type, locale, time_zone, country, reachable_channels FROM ${this.s}.customers WHERE customer_id = $1`, [customerId]);
    return rows[0] ? toCustomer(rows[0]) : undefined;
  }
}

interface RawInvoice {
  invoice_id: string;
  customer_id: string;
  status: string;
  amount_minor: string;
  balance_minor: string;
  currency: string;
  due_date: string;
  payment_reference: string | null;
  brand: string | null;
}

interface RawCustomer {
  customer_type: 'consumer' | 'business';
  locale: string;
  time_zone: string;
  country: string | null;
  reachable_channels: Channel[];
}

function toInvoice(row: RawInvoice): InvoiceFacts {
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

function toCustomer(row: RawCustomer): CustomerFacts {
  return { customerType: row.customer_type, locale: row.locale, timeZone: row.time_zone, ...(row.country ? { country: row.country } : {}), reachableChannels: row.reachable_channels };
}

/** Per channel: a contact on file and consent (no recorded choice means allowed: only an opt-out withdraws it). */
export function reachabilityOf(contact: ContactLookup): Reachability {
  const r = contact.status === 'ok' ? contact.recipient : undefined;
  const consent = contact.status === 'ok' ? contact.consent : {};
  const channel = (name: Channel, onFile: boolean) => ({ onFile, consent: consent[name] !== false });
  return { sms: channel('sms', Boolean(r?.phone)), email: channel('email', Boolean(r?.email)), letter: channel('letter', Boolean(r?.postalAddress)) };
}
