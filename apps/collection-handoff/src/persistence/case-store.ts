import type { EventStore } from '@dunning/event-store';
import { quoteIdentifier, type SqlClient } from '@dunning/messaging';
import { injectTraceContext, type KafkaHeaders } from '@dunning/telemetry';
import { decide, evolve, pendingWork, type CaseCommand, type CaseEvent, type CollectionCase, type Decision } from '../domain';
import { toOutboxMessage, toPublicEvent } from '../publishing/public-events';
import type { InvoiceProjectionStore } from './invoice-projection-store';

export interface StoredCase {
  readonly state: CollectionCase;
  readonly version: number;
  readonly attempts: number;
}

export interface CaseStoreOptions {
  readonly schema: string;
  readonly casesTopic: string;
  readonly clock: () => Date;
}

export interface Executed {
  readonly decision: Decision;
  readonly before: CollectionCase | undefined;
  readonly after: CollectionCase | undefined;
  /** The case stopped holding its invoice: the projection row's active_case_id was cleared. */
  readonly releasedInvoice?: boolean;
}

/** Statuses in which the case holds its invoice at an agency (or on the way there). */
const HOLDS_INVOICE = new Set(['checked', 'handed-off', 'paid-at-agency']);

export const streamIdOf = (collectionCaseId: string): string => `collection-case-${collectionCaseId}`;

/**
 * Runs a command against a collection case inside the caller's transaction: decide, append the
 * events with the expected stream version, write their public messages to the outbox (same
 * statement), and update the `cases` snapshot. Lock order everywhere: the invoice's projection row
 * first, then the case row — the projection consumer takes them in that order too, so the two
 * never deadlock.
 */
export class CaseStore {
  private readonly cases: string;

  constructor(
    private readonly eventStore: EventStore,
    private readonly projections: InvoiceProjectionStore,
    private readonly options: CaseStoreOptions,
  ) {
    this.cases = `${quoteIdentifier(options.schema)}.cases`;
  }

  async lock(tx: SqlClient, collectionCaseId: string): Promise<StoredCase | undefined> {
    const { rows } = await tx.query<{ state: CollectionCase; stream_version: number; attempts: number }>(
      `SELECT state, stream_version, attempts FROM ${this.cases} WHERE collection_case_id = $1 FOR UPDATE`,
      [collectionCaseId],
    );
    return rows[0] ? { state: rows[0].state, version: rows[0].stream_version, attempts: rows[0].attempts } : undefined;
  }

  async locate(client: SqlClient, by: { handoffId?: string; actionId?: string; collectionCaseId?: string }): Promise<{ collectionCaseId: string; invoiceId: string; agencyId: string | null } | undefined> {
    const [column, value] = by.handoffId !== undefined ? ['handoff_id', by.handoffId] : by.actionId !== undefined ? ['action_id', by.actionId] : ['collection_case_id', by.collectionCaseId];
    const { rows } = await client.query<{ collection_case_id: string; invoice_id: string; agency_id: string | null }>(
      `SELECT collection_case_id, invoice_id, agency_id FROM ${this.cases} WHERE ${column} = $1`,
      [value],
    );
    return rows[0] ? { collectionCaseId: rows[0].collection_case_id, invoiceId: rows[0].invoice_id, agencyId: rows[0].agency_id } : undefined;
  }

  /**
   * Locks the invoice row, then the case row, and runs the command. `invoiceLocked` says the caller
   * already holds the invoice row (the projection consumer).
   */
  async execute(tx: SqlClient, invoiceId: string, collectionCaseId: string, command: CaseCommand, options: { invoiceLocked?: boolean } = {}): Promise<Executed> {
    if (!options.invoiceLocked) await this.projections.lock(tx, invoiceId);
    const stored = await this.lock(tx, collectionCaseId);
    return this.executeLocked(tx, stored, command);
  }

  /** For callers that hold both locks already (the hand-off check). */
  async executeLocked(tx: SqlClient, stored: StoredCase | undefined, command: CaseCommand): Promise<Executed> {
    const before = stored?.state;
    const decision = decide(command, before);
    if (!decision.ok || decision.events.length === 0) return { decision, before, after: before };

    const now = this.options.clock();
    const firstVersion = (stored?.version ?? 0) + 1;
    let after = before;
    const outbox = [];
    const steps: { event: CaseEvent; after: CollectionCase }[] = [];
    for (const [index, event] of decision.events.entries()) {
      after = evolve(after, event);
      steps.push({ event, after });
      const published = toPublicEvent(event, after, `${after.collectionCaseId}:${firstVersion + index}`);
      if (published) outbox.push(toOutboxMessage(published, this.options.casesTopic));
    }
    if (!after) throw new Error('a decision with events always yields a state');
    const state = after;
    const appended = await this.eventStore.append(
      tx,
      streamIdOf(state.collectionCaseId),
      stored ? stored.version : 'no-stream',
      decision.events.map((event) => ({ type: event.type, data: event.data })),
      { outbox },
    );
    await this.saveSnapshot(tx, state, appended.nextExpectedVersion, stored === undefined, now);
    const releasedInvoice = before !== undefined && HOLDS_INVOICE.has(before.status) && !HOLDS_INVOICE.has(state.status);
    if (releasedInvoice) await this.projections.setActiveCase(tx, state.invoiceId, null, state.collectionCaseId);
    return { decision, before, after: state, releasedInvoice };
  }

  private async saveSnapshot(tx: SqlClient, state: CollectionCase, version: number, isNew: boolean, now: Date): Promise<void> {
    const work = pendingWork(state);
    if (isNew) {
      // The hand-off request's trace (the consumed record's span): the worker's later checks,
      // claims and recalls for this case run under it, so the invoice's journey stays one trace.
      const trace = injectTraceContext({});
      await tx.query(
        `INSERT INTO ${this.cases} (collection_case_id, handoff_id, action_id, invoice_id, customer_id, agency_id, status, pending_work, state, stream_version, next_attempt_at, requested_at, updated_at, traceparent, tracestate)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $13, $14)`,
        [
          state.collectionCaseId,
          state.handoffId,
          state.actionId,
          state.invoiceId,
          state.customerId,
          state.approval?.agencyId ?? null,
          state.status,
          work,
          JSON.stringify(state),
          version,
          now,
          state.requestedAt,
          trace['traceparent'] ?? null,
          trace['tracestate'] ?? null,
        ],
      );
      return;
    }
    // New work is due at once, with a fresh attempt count; unchanged work keeps its schedule.
    await tx.query(
      `UPDATE ${this.cases}
          SET agency_id = $2, status = $3, state = $5, stream_version = $6, updated_at = $7,
              attempts = CASE WHEN pending_work = $4 THEN attempts ELSE 0 END,
              next_attempt_at = CASE WHEN pending_work = $4 THEN next_attempt_at ELSE $7 END,
              last_error = CASE WHEN pending_work = $4 THEN last_error ELSE NULL END,
              pending_work = $4
        WHERE collection_case_id = $1`,
      [state.collectionCaseId, state.approval?.agencyId ?? null, state.status, work, JSON.stringify(state), version, now],
    );
  }

  /** A delivery or recall attempt failed: try again after `delayMs`, keep the reason (no personal data). */
  async postpone(tx: SqlClient, collectionCaseId: string, delayMs: number, reason: string): Promise<void> {
    await tx.query(
      `UPDATE ${this.cases} SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3, updated_at = $4 WHERE collection_case_id = $1`,
      [collectionCaseId, new Date(this.options.clock().getTime() + delayMs), reason.slice(0, 500), this.options.clock()],
    );
  }

  /** Cases with work of a kind that is due now, oldest first (bounded). */
  async due(
    client: SqlClient,
    work: 'check' | 'deliver' | 'recall',
    options: { agencyId?: string; limit: number },
  ): Promise<{ collectionCaseId: string; invoiceId: string; agencyId: string | null; trace: KafkaHeaders }[]> {
    const { rows } = await client.query<{ collection_case_id: string; invoice_id: string; agency_id: string | null; traceparent: string | null; tracestate: string | null }>(
      `SELECT collection_case_id, invoice_id, agency_id, traceparent, tracestate FROM ${this.cases}
        WHERE pending_work = $1 AND next_attempt_at <= $2 AND ($3::text IS NULL OR agency_id = $3)
        ORDER BY next_attempt_at, requested_at LIMIT $4`,
      [work, this.options.clock(), options.agencyId ?? null, options.limit],
    );
    return rows.map((r) => ({
      collectionCaseId: r.collection_case_id,
      invoiceId: r.invoice_id,
      agencyId: r.agency_id,
      trace: { traceparent: r.traceparent ?? undefined, tracestate: r.tracestate ?? undefined },
    }));
  }

  /**
   * Checks of these invoices, which may wait for them to appear (postponed, `recheckAfterMs`), are
   * due now: the invoices just arrived. Returns how many. The caller holds the invoices' rows (lock
   * order). Every such case row is written, due or not, so that a check running at this moment
   * queues on the case lock either way: it then reads the invoice after this commit, or this
   * statement waits for its postponement and undoes it.
   */
  async dueNowForInvoices(tx: SqlClient, invoiceIds: readonly string[]): Promise<number> {
    if (invoiceIds.length === 0) return 0;
    const now = this.options.clock();
    const { rowCount } = await tx.query(`UPDATE ${this.cases} SET next_attempt_at = LEAST(next_attempt_at, $2) WHERE invoice_id = ANY($1::text[]) AND pending_work = 'check'`, [invoiceIds, now]);
    return rowCount ?? 0;
  }

  /** Whether the worker has anything to do at the clock's now (checks, and deliveries and recalls for the agencies named). */
  async anyDue(client: SqlClient, agencyIds: readonly string[]): Promise<boolean> {
    const { rows } = await client.query<{ due: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${this.cases}
                       WHERE pending_work <> 'none' AND next_attempt_at <= $1
                         AND (pending_work = 'check' OR (pending_work IN ('deliver', 'recall') AND agency_id = ANY($2::text[])))) AS due`,
      [this.options.clock(), agencyIds],
    );
    return rows[0]?.due ?? false;
  }

  async ofAgency(client: SqlClient, agencyId: string): Promise<CollectionCase[]> {
    const { rows } = await client.query<{ state: CollectionCase }>(`SELECT state FROM ${this.cases} WHERE agency_id = $1 ORDER BY handoff_id`, [agencyId]);
    return rows.map((r) => r.state);
  }

  async ofInvoice(client: SqlClient, invoiceId: string): Promise<CollectionCase[]> {
    const { rows } = await client.query<{ state: CollectionCase }>(`SELECT state FROM ${this.cases} WHERE invoice_id = $1 ORDER BY requested_at`, [invoiceId]);
    return rows.map((r) => r.state);
  }
}
