import { quoteIdentifier, type SqlClient } from '@dunning/messaging';
import type { CustomerFacts, InvoiceView } from '../domain';

export interface LockedInvoice {
  readonly view: InvoiceView;
  readonly version: number;
}

interface Row {
  view: InvoiceView;
  version: string;
  active_case_id: string | null;
}

/** The invoice projection rows. Every read that leads to a write takes the row lock (FOR UPDATE). */
export class InvoiceProjectionStore {
  private readonly table: string;
  private readonly profiles: string;

  constructor(schema: string) {
    this.table = `${quoteIdentifier(schema)}.invoice_projection`;
    this.profiles = `${quoteIdentifier(schema)}.customer_profiles`;
  }

  /**
   * Locks the invoice's row until the transaction ends and returns it. A concurrent payment and a
   * hand-off check for the same invoice queue up here, so the second sees what the first committed.
   */
  async lock(tx: SqlClient, invoiceId: string): Promise<LockedInvoice | undefined> {
    const { rows } = await tx.query<Row>(`SELECT view, version::text AS version, active_case_id FROM ${this.table} WHERE invoice_id = $1 FOR UPDATE`, [invoiceId]);
    return rows[0] ? toLocked(rows[0]) : undefined;
  }

  /** Reads without a lock: only for answering questions, never to decide a write. */
  async read(client: SqlClient, invoiceId: string): Promise<LockedInvoice | undefined> {
    const { rows } = await client.query<Row>(`SELECT view, version::text AS version, active_case_id FROM ${this.table} WHERE invoice_id = $1`, [invoiceId]);
    return rows[0] ? toLocked(rows[0]) : undefined;
  }

  /** The hand-off took (caseId) or released (null) the invoice; only the holder can release it. */
  async setActiveCase(tx: SqlClient, invoiceId: string, caseId: string | null, releasingCaseId?: string): Promise<number | undefined> {
    const { rows } = await tx.query<{ version: string }>(
      caseId === null
        ? `UPDATE ${this.table} SET active_case_id = NULL, version = version + 1 WHERE invoice_id = $1 AND active_case_id = $2 RETURNING version::text AS version`
        : `UPDATE ${this.table} SET active_case_id = $2, version = version + 1 WHERE invoice_id = $1 RETURNING version::text AS version`,
      [invoiceId, caseId ?? releasingCaseId ?? ''],
    );
    return rows[0] ? Number(rows[0].version) : undefined;
  }

  /**
   * Locks, in invoice id order (a fixed order: no deadlock between two such transactions), the rows
   * of the invoices named and of every invoice of the customers named; a chunk of consumed events
   * takes all its locks in this one statement.
   */
  async lockMany(tx: SqlClient, invoiceIds: readonly string[], customerIds: readonly string[]): Promise<LockedInvoice[]> {
    if (invoiceIds.length === 0 && customerIds.length === 0) return [];
    const { rows } = await tx.query<Row>(
      `SELECT view, version::text AS version, active_case_id FROM ${this.table}
        WHERE invoice_id = ANY($1::text[]) OR customer_id = ANY($2::text[]) ORDER BY invoice_id FOR UPDATE`,
      [invoiceIds, customerIds],
    );
    return rows.map(toLocked);
  }

  /** `save` for several views in one statement; returns each invoice's new version. */
  async saveMany(tx: SqlClient, views: readonly InvoiceView[], now: Date): Promise<Map<string, number>> {
    if (views.length === 0) return new Map();
    const records = views.map(({ activeCaseId, ...stored }) => ({ invoice_id: stored.invoiceId, customer_id: stored.customerId, view: stored, active_case_id: activeCaseId ?? null }));
    const { rows } = await tx.query<{ invoice_id: string; version: string }>(
      `INSERT INTO ${this.table} AS p (invoice_id, customer_id, view, version, active_case_id, updated_at)
       SELECT x.invoice_id, x.customer_id, x.view, 1, x.active_case_id, $2
         FROM jsonb_to_recordset($1::jsonb) AS x(invoice_id text, customer_id text, view jsonb, active_case_id text)
       ON CONFLICT (invoice_id) DO UPDATE SET view = EXCLUDED.view, version = p.version + 1, updated_at = EXCLUDED.updated_at
       RETURNING invoice_id, version::text AS version`,
      [JSON.stringify(records), now],
    );
    if (rows.length !== views.length) throw new Error(`the projection upsert returned ${rows.length} rows for ${views.length} views`);
    return new Map(rows.map((r) => [r.invoice_id, Number(r.version)]));
  }

  /**
   * What a chunk's customer events say, per customer, in one statement: the last profile (when one
   * came) and the last termination (when one came). A customer first seen by a termination gets an
   * empty profile, as before; '{}' stands for "no profile came" (a real one always has a type).
   */
  async saveProfiles(tx: SqlClient, changes: ReadonlyMap<string, { readonly profile?: CustomerFacts; readonly terminatedAt?: string }>, now: Date): Promise<void> {
    if (changes.size === 0) return;
    const records = [...changes].map(([customerId, c]) => ({ customer_id: customerId, profile: c.profile ?? null, terminated_at: c.terminatedAt ?? null }));
    await tx.query(
      `INSERT INTO ${this.profiles} AS c (customer_id, profile, terminated_at, updated_at)
       SELECT x.customer_id, coalesce(x.profile, '{}'::jsonb), x.terminated_at, $2
         FROM jsonb_to_recordset($1::jsonb) AS x(customer_id text, profile jsonb, terminated_at timestamptz)
       ON CONFLICT (customer_id) DO UPDATE SET
         profile = CASE WHEN EXCLUDED.profile = '{}'::jsonb THEN c.profile ELSE EXCLUDED.profile END,
         terminated_at = coalesce(EXCLUDED.terminated_at, c.terminated_at),
         updated_at = EXCLUDED.updated_at`,
      [JSON.stringify(records), now],
    );
  }
}

function toLocked(row: Row): LockedInvoice {
  return { view: { ...row.view, activeCaseId: row.active_case_id ?? undefined }, version: Number(row.version) };
}
