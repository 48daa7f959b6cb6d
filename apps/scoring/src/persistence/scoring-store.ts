import type { SqlClient } from '@dunning/event-store';
import type { DunningTreatment } from '@dunning/contracts';
import { treatmentOfArm, type ArmOfInvoice, type ArmTreatmentOverrides, type CustomerHistory } from '../domain';

// SQL of scoring's own tables. Every function takes the client of the caller's transaction, so a
// consumer batch, a scoring pass or a training run commits all it writes, or nothing.

export interface WatchRow {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly overdueAt: string;
  readonly windowEnd: string;
  /** W3C trace context of the event that put the invoice on the watch: the overdue score continues it. */
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/** A watched invoice's stored trace context. */
export interface WatchTrace {
  readonly traceparent?: string;
  readonly tracestate?: string;
}

const iso = (value: unknown): string => (value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString());

export async function loadHistories(client: SqlClient, customerIds: readonly string[], forUpdate: boolean): Promise<Map<string, CustomerHistory>> {
  const histories = new Map<string, CustomerHistory>();
  if (customerIds.length === 0) return histories;
  const { rows } = await client.query<{ customer_id: string; history: CustomerHistory }>(
    `SELECT customer_id, history FROM scoring.customer_histories WHERE customer_id = ANY($1::text[]) ORDER BY customer_id ${forUpdate ? 'FOR UPDATE' : ''}`,
    [[...new Set(customerIds)]],
  );
  for (const row of rows) histories.set(row.customer_id, row.history);
  return histories;
}

export async function loadAllHistories(client: SqlClient): Promise<CustomerHistory[]> {
  const { rows } = await client.query<{ history: CustomerHistory }>(`SELECT history FROM scoring.customer_histories ORDER BY customer_id`);
  return rows.map((row) => row.history);
}

export async function saveHistories(client: SqlClient, histories: readonly CustomerHistory[], now: Date): Promise<void> {
  if (histories.length === 0) return;
  await client.query(
    `INSERT INTO scoring.customer_histories (customer_id, history, updated_at)
     SELECT h->>'customerId', h, $2 FROM jsonb_array_elements($1::jsonb) AS h
     ON CONFLICT (customer_id) DO UPDATE SET history = EXCLUDED.history, updated_at = EXCLUDED.updated_at`,
    [JSON.stringify(histories), now],
  );
}

export async function watchInvoices(client: SqlClient, rows: readonly WatchRow[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO scoring.invoice_watch (invoice_id, customer_id, overdue_at, window_end, updated_at, traceparent, tracestate)
     SELECT r."invoiceId", r."customerId", r."overdueAt"::timestamptz, r."windowEnd"::timestamptz, $2, r.traceparent, r.tracestate
       FROM jsonb_to_recordset($1::jsonb) AS r("invoiceId" text, "customerId" text, "overdueAt" text, "windowEnd" text, traceparent text, tracestate text)
     ON CONFLICT (invoice_id) DO NOTHING`,
    [JSON.stringify(rows), now],
  );
}

/** A payment that settled the invoice before it fell due: nothing to score, no outcome to learn. */
export async function markPaidBeforeOverdue(client: SqlClient, invoiceId: string, settledAt: string, now: Date): Promise<void> {
  await client.query(
    `UPDATE scoring.invoice_watch SET status = 'paid-before-overdue', status_reason = 'settled before it was overdue', updated_at = $3
      WHERE invoice_id = $1 AND status = 'waiting' AND overdue_at > $2::timestamptz`,
    [invoiceId, settledAt, now],
  );
}

/** A dispute rejected or a payment plan broken puts a skipped invoice back in line for a score. */
export async function rewatch(client: SqlClient, invoiceId: string, reason: string, now: Date, trace: WatchTrace = {}): Promise<void> {
  // The event that puts it back in line is the one its later score continues.
  await client.query(
    `UPDATE scoring.invoice_watch SET status = 'waiting', status_reason = $2, updated_at = $3, traceparent = $4, tracestate = $5 WHERE invoice_id = $1 AND status = 'skipped'`,
    [invoiceId, reason, now, trace.traceparent ?? null, trace.tracestate ?? null],
  );
}

export async function claimDueInvoices(client: SqlClient, now: Date, limit: number): Promise<{ invoiceId: string; customerId: string; trace: WatchTrace }[]> {
  const { rows } = await client.query<{ invoice_id: string; customer_id: string; traceparent: string | null; tracestate: string | null }>(
    `SELECT invoice_id, customer_id, traceparent, tracestate FROM scoring.invoice_watch
      WHERE status = 'waiting' AND overdue_at <= $1
      ORDER BY overdue_at, invoice_id
      LIMIT $2
      FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map((row) => ({
    invoiceId: row.invoice_id,
    customerId: row.customer_id,
    trace: { ...(row.traceparent ? { traceparent: row.traceparent } : {}), ...(row.tracestate ? { tracestate: row.tracestate } : {}) },
  }));
}

export async function setWatchStatus(client: SqlClient, invoiceId: string, status: 'scored' | 'skipped', reason: string, now: Date): Promise<void> {
  await client.query(`UPDATE scoring.invoice_watch SET status = $2, status_reason = $3, updated_at = $4 WHERE invoice_id = $1`, [invoiceId, status, reason, now]);
}

export async function customerOfInvoice(client: SqlClient, invoiceId: string): Promise<string | undefined> {
  const { rows } = await client.query<{ customer_id: string }>(`SELECT customer_id FROM scoring.invoice_watch WHERE invoice_id = $1`, [invoiceId]);
  return rows[0]?.customer_id;
}

/** Invoices whose outcome window has closed (those settled before falling due have no outcome): what the retrain schedule counts. */
export async function countClosedOutcomes(client: SqlClient, now: Date): Promise<number> {
  const { rows } = await client.query<{ count: string }>(`SELECT count(*)::text AS count FROM scoring.invoice_watch WHERE window_end <= $1 AND status <> 'paid-before-overdue'`, [now]);
  return Number(rows[0]?.count ?? 0);
}

export async function recordArmAssignments(client: SqlClient, rows: readonly { invoiceId: string; customerId: string; experimentId: string; arm: string; assignedAt: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO scoring.experiment_arms (invoice_id, customer_id, experiment_id, arm, assigned_at)
     SELECT r."invoiceId", r."customerId", r."experimentId", r.arm, r."assignedAt"::timestamptz
       FROM jsonb_to_recordset($1::jsonb) AS r("invoiceId" text, "customerId" text, "experimentId" text, arm text, "assignedAt" text)
     ON CONFLICT (invoice_id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

export async function recordArmActions(client: SqlClient, rows: readonly { experimentId: string; arm: string; invoiceId: string; treatment: DunningTreatment }[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO scoring.arm_actions (experiment_id, arm, invoice_id, treatment)
     SELECT r."experimentId", r.arm, r."invoiceId", r.treatment
       FROM jsonb_to_recordset($1::jsonb) AS r("experimentId" text, arm text, "invoiceId" text, treatment text)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

/** Every randomized invoice with the treatment its arm stands for (arms that cannot be named yet are left out). */
export async function loadArmsOfInvoices(client: SqlClient, overrides: ArmTreatmentOverrides): Promise<{ arms: Map<string, ArmOfInvoice>; unnamedArms: string[] }> {
  const actions = await client.query<{ experiment_id: string; arm: string; treatments: DunningTreatment[] }>(
    `SELECT experiment_id, arm, array_agg(DISTINCT treatment) AS treatments FROM scoring.arm_actions GROUP BY experiment_id, arm`,
  );
  const observed = new Map(actions.rows.map((row) => [`${row.experiment_id}/${row.arm}`, row.treatments]));
  const { rows } = await client.query<{ invoice_id: string; experiment_id: string; arm: string }>(`SELECT invoice_id, experiment_id, arm FROM scoring.experiment_arms`);
  const arms = new Map<string, ArmOfInvoice>();
  const unnamed = new Set<string>();
  for (const row of rows) {
    const named = treatmentOfArm(row.experiment_id, row.arm, observed.get(`${row.experiment_id}/${row.arm}`) ?? [], overrides);
    if (named) arms.set(row.invoice_id, { experimentId: row.experiment_id, arm: row.arm, treatment: named.treatment });
    else unnamed.add(`${row.experiment_id}/${row.arm}`);
  }
  return { arms, unnamedArms: [...unnamed].sort() };
}

export { iso };
