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

  /** Writes the view (without its activeCaseId, which has its own column) and returns the new version. */
  async save(tx: SqlClient, view: InvoiceView, now: Date): Promise<number> {
    const { activeCaseId, ...stored } = view;
    const { rows } = await tx.query<{ version: string }>(
      `INSERT INTO ${this.table} AS p (invoice_id, customer_id, view, version, active_case_id, updated_at)
       VALUES ($1, $2, $3, 1, $4, $5)
       ON CONFLICT (invoice_id) DO UPDATE SET view = EXCLUDED.view, version = p.version + 1, updated_at = EXCLUDED.updated_at
       RETURNING version::text AS version`,
      [view.invoiceId, view.customerId, JSON.stringify(stored), activeCaseId ?? null, now],
    );
    const saved = rows[0];
    if (!saved) throw new Error('the projection upsert returned no row');
    return Number(saved.version);
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

  /** Rows of one customer, locked in invoice id order (a fixed order: no deadlock between two such updates). */
  async lockCustomer(tx: SqlClient, customerId: string): Promise<LockedInvoice[]> {
    const { rows } = await tx.query<Row>(`SELECT view, version::text AS version, active_case_id FROM ${this.table} WHERE customer_id = $1 ORDER BY invoice_id FOR UPDATE`, [customerId]);
    return rows.map(toLocked);
  }

  async saveProfile(tx: SqlClient, customerId: string, profile: CustomerFacts, now: Date): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.profiles} (customer_id, profile, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (customer_id) DO UPDATE SET profile = EXCLUDED.profile, updated_at = EXCLUDED.updated_at`,
      [customerId, JSON.stringify(profile), now],
    );
  }

  async markTerminated(tx: SqlClient, customerId: string, terminatedAt: string, now: Date): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.profiles} (customer_id, profile, terminated_at, updated_at) VALUES ($1, '{}'::jsonb, $2, $3)
       ON CONFLICT (customer_id) DO UPDATE SET terminated_at = EXCLUDED.terminated_at, updated_at = EXCLUDED.updated_at`,
      [customerId, terminatedAt, now],
    );
  }
}

function toLocked(row: Row): LockedInvoice {
  return { view: { ...row.view, activeCaseId: row.active_case_id ?? undefined }, version: Number(row.version) };
}
