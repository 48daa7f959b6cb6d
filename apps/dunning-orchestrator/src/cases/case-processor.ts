import type { EventStore, NewEvent } from '@dunning/event-store';
import type { ConsumerMode, SqlClient } from '@dunning/messaging';
import { injectTraceContext } from '@dunning/telemetry';
import {
  decide,
  evolve,
  foldCase,
  instantFromMillis,
  localDateOf,
  type CaseDecision,
  type CaseEvent,
  type CaseInput,
  type DunningCase,
  type HolidayCalendar,
  type PaymentHistory,
  type Policy,
} from '../domain';
import type { DunningGateway } from './dunning-gateway';

export interface CaseProcessorDeps {
  readonly eventStore: EventStore;
  readonly schema: string;
  readonly gateway: DunningGateway;
  readonly policy: Policy;
  readonly calendar: HolidayCalendar;
}

export interface HandledCase {
  readonly state: DunningCase;
  readonly decisions: readonly CaseDecision[];
}

/** The customer's other cases and payment dates, read with the case row: what `decide` needs besides the case. */
export interface CustomerRows {
  readonly others: readonly DunningCase[];
  readonly paymentDates: readonly string[];
}

/** A case as loaded in live mode, its row locked: its state, stream version and the customer's rows. */
export interface LoadedCase {
  readonly state: DunningCase;
  readonly version: number;
  readonly customer: CustomerRows;
}

/** The columns {@link CaseProcessor.lockedCaseSql} and {@link CaseProcessor.customerColumnsSql} add to a statement's row. */
export interface LockedCaseRow {
  readonly state: DunningCase | null;
  readonly stream_version: number | null;
  /** The locked (newest) row version and the one the statement's snapshot saw: they differ when another transaction changed the case meanwhile. */
  readonly locked_row: string | null;
  readonly snapshot_row: string | null;
  readonly stream_exists: boolean;
  readonly others: DunningCase[];
  readonly payment_dates: string[] | null;
}

export interface HandleOptions {
  /** The case as loaded by the caller in the same transaction (live mode), row locked. */
  readonly loaded?: LoadedCase;
  /** A payment of this case received then: its local date joins the customer's payment dates. */
  readonly paymentReceivedAt?: string;
}

export const streamIdOf = (caseId: string): string => `dunning-case-${caseId}`;

/**
 * The write side of a dunning case, inside the caller's transaction: load the case (row locked),
 * fold the inputs in, decide (live mode only), append inputs and decisions to the case's stream
 * with the expected version and the public messages to the outbox in the same statement, keep the
 * timers table in step, and update the `cases` projection. Either all of it commits or none.
 *
 * Round trips are the cost (not server time), so a live input takes three statements: lock and
 * read (case row, input-seen mark, the customer's other cases and payment dates), the append, and
 * projection + timers + payment date.
 */
export class CaseProcessor {
  private readonly s: string;

  constructor(private readonly deps: CaseProcessorDeps) {
    this.s = `"${deps.schema}"`;
  }

  /** Records that a case took an input in; false when it already had (a replay, a duplicate). */
  async markInputSeen(tx: SqlClient, caseId: string, inputKey: string): Promise<boolean> {
    const { rows } = await tx.query(`INSERT INTO ${this.s}.case_inputs (case_id, input_key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [caseId, inputKey]);
    return rows.length === 1;
  }

  /**
   * A live input for one case: marks it seen and, the first time only, locks the case row and
   * handles it; undefined when the case had taken it in already (a redelivery locks nothing).
   * The case's timers are written only later, under the case's lock: a timer firing, which locks
   * the case row before its timer, takes them in the same order, so the two cannot deadlock.
   */
  async takeIn(tx: SqlClient, caseId: string, customerId: string, inputKey: string, input: CaseInput, now: Date, paymentReceivedAt?: string): Promise<DunningCase | undefined> {
    const { rows } = await tx.query<LockedCaseRow & { first_time: boolean }>(
      `WITH seen AS (
         INSERT INTO ${this.s}.case_inputs (case_id, input_key) VALUES ($1, $3) ON CONFLICT DO NOTHING RETURNING 1
       ),
       ${this.lockedCaseSql('$1', 'EXISTS (SELECT 1 FROM seen)')}
       SELECT EXISTS (SELECT 1 FROM seen) AS first_time, ${this.customerColumnsSql('$1', '$2', '$4')}
         FROM (SELECT 1) AS one LEFT JOIN locked_case l ON true`,
      [caseId, customerId, inputKey, streamIdOf(caseId)],
    );
    const row = rows[0];
    if (!row) throw new Error('the case load returned no row'); // a SELECT over one row always returns one
    if (!row.first_time) return undefined;
    const loaded = await this.loadedFrom(tx, caseId, customerId, row);
    return (await this.handle(tx, caseId, customerId, [input], 'live', now, { loaded, ...(paymentReceivedAt ? { paymentReceivedAt } : {}) })).state;
  }

  /**
   * A CTE `locked_case` that locks the case row `caseIdExpr` (waiting for a holder to commit) and
   * reads it, if `condition` holds. A transaction that locks a case row either changes it (the
   * projection upsert) or writes nothing (a timer claim that found its timer gone), which is what
   * {@link loadedFrom} relies on.
   */
  lockedCaseSql(caseIdExpr: string, condition = 'true'): string {
    return `locked_case AS (
         SELECT c.case_id, c.customer_id, c.state, c.stream_version, c.xmin::text AS locked_row
           FROM ${this.s}.cases c WHERE c.case_id = ${caseIdExpr} AND ${condition} FOR UPDATE
       )`;
  }

  /** The {@link LockedCaseRow} columns, over `locked_case` joined as `l`. */
  customerColumnsSql(caseIdExpr: string, customerIdExpr: string, streamIdExpr: string): string {
    return `l.state, l.stream_version, l.locked_row,
         (SELECT c.xmin::text FROM ${this.s}.cases c WHERE c.case_id = ${caseIdExpr}) AS snapshot_row,
         -- The event store's own table of stream versions: a new case needs no read of its (empty) stream.
         EXISTS (SELECT 1 FROM ${this.s}.streams st WHERE st.stream_id = ${streamIdExpr}) AS stream_exists,
         (SELECT coalesce(jsonb_agg(o.state), '[]'::jsonb) FROM ${this.s}.cases o WHERE o.customer_id = ${customerIdExpr} AND o.case_id <> ${caseIdExpr}) AS others,
         (SELECT p.payment_dates FROM ${this.s}.customers p WHERE p.customer_id = ${customerIdExpr}) AS payment_dates`;
  }

  /** The loaded case from a row of {@link customerColumnsSql}, reading what the row could not tell. */
  async loadedFrom(tx: SqlClient, caseId: string, customerId: string, row: LockedCaseRow): Promise<LoadedCase> {
    let customer: CustomerRows = { others: row.others, paymentDates: row.payment_dates ?? [] };
    // The lock waited for (or raced) a writer of this case that committed after the statement's
    // snapshot was taken (the locked row is newer than the snapshot's), and that writer may have
    // changed the customer's other cases too: read them again, now that the lock is held, as a
    // separate statement after the lock would have.
    if (row.locked_row !== row.snapshot_row) customer = await this.readCustomer(tx, caseId, customerId);
    if (row.state !== null && row.stream_version !== null) return { state: row.state, version: row.stream_version, customer };
    // No projection row: a new case (no stream yet), or the projection is being rebuilt (the stream is the truth).
    if (!row.stream_exists) return { state: foldCase(caseId, []), version: 0, customer };
    const stream = await this.deps.eventStore.readStream<string, CaseEvent>(tx, streamIdOf(caseId));
    return { state: foldCase(caseId, stream.events.map((event) => event.data)), version: stream.version, customer };
  }

  async handle(tx: SqlClient, caseId: string, customerId: string, inputs: readonly CaseInput[], mode: ConsumerMode, now: Date, options: HandleOptions = {}): Promise<HandledCase> {
    const loaded = options.loaded ?? (await this.load(tx, caseId, customerId, mode));
    let state = inputs.reduce<DunningCase>(evolve, loaded.state);
    const events: CaseEvent[] = [...inputs];
    let decisions: CaseDecision[] = [];
    if (mode === 'live') {
      const context = this.contextOf(state, loaded.customer ?? (await this.readCustomer(tx, caseId, customerId)));
      decisions = decide(state, { now: instantFromMillis(now.getTime()), policy: this.deps.policy, calendar: this.deps.calendar, ...context });
      state = decisions.reduce<DunningCase>(evolve, state);
      events.push(...decisions);
    }
    let version = loaded.version;
    if (events.length > 0) {
      const appended = await this.deps.eventStore.append(
        tx,
        streamIdOf(caseId),
        loaded.version === 0 ? 'no-stream' : loaded.version,
        events.map((event): NewEvent => ({ type: event.type, data: event })),
        { outbox: mode === 'live' ? this.deps.gateway.toOutbox(state, decisions) : [] },
      );
      version = appended.nextExpectedVersion;
    }
    const payment = options.paymentReceivedAt ? localDateOf(options.paymentReceivedAt, state.invoice?.customer.timeZone ?? 'UTC') : undefined;
    await this.project(tx, caseId, customerId, state, version, now, mode === 'live' ? timerChangesOf(decisions) : NO_TIMER_CHANGES, payment);
    return { state, decisions };
  }

  /** Re-derives the projection row of a case from its stream (replay). */
  async rebuild(tx: SqlClient, caseId: string, customerId: string, now: Date): Promise<DunningCase> {
    const loaded = await this.load(tx, caseId, customerId, 'replay');
    await this.project(tx, caseId, customerId, loaded.state, loaded.version, now, NO_TIMER_CHANGES);
    return loaded.state;
  }

  private async load(tx: SqlClient, caseId: string, customerId: string, mode: ConsumerMode): Promise<{ state: DunningCase; version: number; customer?: CustomerRows }> {
    if (mode === 'live') {
      const { rows } = await tx.query<LockedCaseRow>(
        `WITH ${this.lockedCaseSql('$1')}
         SELECT ${this.customerColumnsSql('$1', '$2', '$3')} FROM (SELECT 1) AS one LEFT JOIN locked_case l ON true`,
        [caseId, customerId, streamIdOf(caseId)],
      );
      const row = rows[0];
      if (!row) throw new Error('the case load returned no row');
      return this.loadedFrom(tx, caseId, customerId, row);
    }
    // Replay: the stream is the truth.
    const stream = await this.deps.eventStore.readStream<string, CaseEvent>(tx, streamIdOf(caseId));
    return { state: foldCase(caseId, stream.events.map((event) => event.data)), version: stream.version };
  }

  private async readCustomer(tx: SqlClient, caseId: string, customerId: string): Promise<CustomerRows> {
    const { rows } = await tx.query<{ others: DunningCase[]; payment_dates: string[] | null }>(
      `SELECT (SELECT coalesce(jsonb_agg(o.state), '[]'::jsonb) FROM ${this.s}.cases o WHERE o.customer_id = $1 AND o.case_id <> $2) AS others,
              (SELECT p.payment_dates FROM ${this.s}.customers p WHERE p.customer_id = $1) AS payment_dates`,
      [customerId, caseId],
    );
    return { others: rows[0]?.others ?? [], paymentDates: rows[0]?.payment_dates ?? [] };
  }

  private contextOf(state: DunningCase, customer: CustomerRows): { history: PaymentHistory; customerContacts: { actionId: string; at: string }[] } {
    const timeZone = state.invoice?.customer.timeZone ?? 'UTC';
    const invoices = customer.others.flatMap((other) =>
      other.invoice
        ? [{ invoiceId: other.invoice.invoiceId, dueDate: other.invoice.dueDate, ...(other.paidInFullAt ? { settledOn: localDateOf(other.paidInFullAt, timeZone) } : {}) }]
        : [],
    );
    return {
      history: { invoices, paymentDates: [...customer.paymentDates] },
      customerContacts: customer.others.flatMap((other) => other.contacts),
    };
  }

  /**
   * The projection row, the timers' changes and the payment date in one statement. Its parts
   * cannot see each other's rows (one snapshot), which is why {@link timerChangesOf} nets the
   * decisions out first: a timer scheduled and cancelled in the same decisions is inserted cancelled.
   */
  private async project(tx: SqlClient, caseId: string, customerId: string, state: DunningCase, version: number, now: Date, timers: TimerChanges, paymentDate?: string): Promise<void> {
    const values: unknown[] = [
      caseId,
      customerId,
      state.invoice?.invoiceId ?? null,
      state.status,
      version,
      JSON.stringify(state),
      state.segment?.segmentId ?? null,
      state.experiment?.experimentId ?? null,
      state.experiment?.armId ?? null,
      now,
    ];
    const ctes: string[] = [];
    const param = (value: unknown): string => `$${values.push(value)}`;
    if (timers.scheduled.length > 0) {
      // The trace the timer was planned in (the consumed record's, or the firing timer's): the
      // poller fires it as a child of this context, so the invoice's journey stays one trace.
      const trace = injectTraceContext({});
      const rows = timers.scheduled.map((timer) => ({ ...timer, traceparent: trace['traceparent'] ?? null, tracestate: trace['tracestate'] ?? null }));
      ctes.push(`scheduled AS (
        INSERT INTO ${this.s}.timers (timer_id, case_id, fire_at, purpose, created_at, traceparent, tracestate, status)
        SELECT t.timer_id, $1, t.fire_at, t.purpose, $10, t.traceparent, t.tracestate, t.status
          FROM jsonb_to_recordset(${param(JSON.stringify(rows))}::jsonb) AS t(ord int, timer_id text, fire_at timestamptz, purpose text, traceparent text, tracestate text, status text)
         ORDER BY t.ord
        ON CONFLICT (timer_id) DO NOTHING
      )`);
    }
    if (timers.cancelled.length > 0 || timers.cancelAllOfCase) {
      ctes.push(`cancelled AS (
        UPDATE ${this.s}.timers SET status = 'cancelled'
         WHERE status = 'pending' AND (timer_id = ANY(${param(timers.cancelled)}::text[]) OR (${param(timers.cancelAllOfCase)}::boolean AND case_id = $1))
      )`);
    }
    if (paymentDate !== undefined) {
      ctes.push(`paid AS (
        INSERT INTO ${this.s}.customers (customer_id, payment_dates) VALUES ($2, jsonb_build_array(${param(paymentDate)}::text))
        ON CONFLICT (customer_id) DO UPDATE SET payment_dates = ${this.s}.customers.payment_dates || EXCLUDED.payment_dates
      )`);
    }
    await tx.query(
      `${ctes.length > 0 ? `WITH ${ctes.join(',\n')}\n` : ''}INSERT INTO ${this.s}.cases (case_id, customer_id, invoice_id, status, stream_version, state, segment_id, experiment_id, arm_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (case_id) DO UPDATE SET customer_id = EXCLUDED.customer_id, invoice_id = EXCLUDED.invoice_id, status = EXCLUDED.status,
         stream_version = EXCLUDED.stream_version, state = EXCLUDED.state, segment_id = EXCLUDED.segment_id,
         experiment_id = EXCLUDED.experiment_id, arm_id = EXCLUDED.arm_id, updated_at = EXCLUDED.updated_at`,
      values,
    );
  }

  async recordPayment(tx: SqlClient, customerId: string, receivedOn: string): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.s}.customers (customer_id, payment_dates) VALUES ($1, jsonb_build_array($2::text))
       ON CONFLICT (customer_id) DO UPDATE SET payment_dates = ${this.s}.customers.payment_dates || jsonb_build_array($2::text)`,
      [customerId, receivedOn],
    );
  }

  async recordTermination(tx: SqlClient, customerId: string, terminatedAt: string): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.s}.customers (customer_id, terminated_at) VALUES ($1, $2)
       ON CONFLICT (customer_id) DO UPDATE SET terminated_at = COALESCE(${this.s}.customers.terminated_at, EXCLUDED.terminated_at)`,
      [customerId, terminatedAt],
    );
  }

  async openCasesOf(tx: SqlClient, customerId: string): Promise<string[]> {
    const { rows } = await tx.query<{ case_id: string }>(`SELECT case_id FROM ${this.s}.cases WHERE customer_id = $1 AND status NOT IN ('closed', 'none') ORDER BY case_id`, [customerId]);
    return rows.map((row) => row.case_id);
  }
}

/** What a list of decisions does to the timers table, netted out (see CaseProcessor.project). */
export interface TimerChanges {
  readonly scheduled: readonly { readonly ord: number; readonly timer_id: string; readonly fire_at: string; readonly purpose: string; readonly status: 'pending' | 'cancelled' }[];
  /** Pending timers to cancel by id (those that existed before these decisions). */
  readonly cancelled: readonly string[];
  /** The case closed: every pending timer of it is cancelled. */
  readonly cancelAllOfCase: boolean;
}

const NO_TIMER_CHANGES: TimerChanges = { scheduled: [], cancelled: [], cancelAllOfCase: false };

/**
 * The timers' changes of `decisions`, with the outcome the decisions' order gives: a timer scheduled
 * and later cancelled (by id, or by the case's close) is written cancelled.
 */
export function timerChangesOf(decisions: readonly CaseDecision[]): TimerChanges {
  const scheduled: { ord: number; timer_id: string; fire_at: string; purpose: string; status: 'pending' | 'cancelled' }[] = [];
  const cancelled: string[] = [];
  let cancelAllOfCase = false;
  for (const decision of decisions) {
    if (decision.type === 'TimerScheduled') {
      scheduled.push({ ord: scheduled.length + 1, timer_id: decision.timerId, fire_at: decision.fireAt, purpose: decision.purpose, status: 'pending' });
    } else if (decision.type === 'TimerCancelled') {
      for (const timer of scheduled) if (timer.timer_id === decision.timerId) timer.status = 'cancelled';
      cancelled.push(decision.timerId);
    } else if (decision.type === 'CaseClosed') {
      for (const timer of scheduled) timer.status = 'cancelled';
      cancelAllOfCase = true;
    }
  }
  return { scheduled, cancelled, cancelAllOfCase };
}
