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

export const streamIdOf = (caseId: string): string => `dunning-case-${caseId}`;

/**
 * The write side of a dunning case, inside the caller's transaction: load the case (row locked),
 * fold the inputs in, decide (live mode only), append inputs and decisions to the case's stream
 * with the expected version and the public messages to the outbox in the same statement, keep the
 * timers table in step, and update the `cases` projection. Either all of it commits or none.
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

  async handle(tx: SqlClient, caseId: string, customerId: string, inputs: readonly CaseInput[], mode: ConsumerMode, now: Date): Promise<HandledCase> {
    const loaded = await this.load(tx, caseId, mode);
    let state = inputs.reduce<DunningCase>(evolve, loaded.state);
    const events: CaseEvent[] = [...inputs];
    let decisions: CaseDecision[] = [];
    if (mode === 'live') {
      const context = await this.contextOf(tx, state, customerId);
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
    if (mode === 'live') await this.keepTimers(tx, caseId, decisions, now);
    await this.project(tx, caseId, customerId, state, version, now);
    return { state, decisions };
  }

  /** Re-derives the projection row of a case from its stream (replay). */
  async rebuild(tx: SqlClient, caseId: string, customerId: string, now: Date): Promise<DunningCase> {
    const loaded = await this.load(tx, caseId, 'replay');
    await this.project(tx, caseId, customerId, loaded.state, loaded.version, now);
    return loaded.state;
  }

  private async load(tx: SqlClient, caseId: string, mode: ConsumerMode): Promise<{ state: DunningCase; version: number }> {
    if (mode === 'live') {
      const { rows } = await tx.query<{ state: DunningCase; stream_version: number }>(`SELECT state, stream_version FROM ${this.s}.cases WHERE case_id = $1 FOR UPDATE`, [caseId]);
      if (rows[0]) return { state: rows[0].state, version: rows[0].stream_version };
    }
    // No projection row (a new case, or the projection is being rebuilt): the stream is the truth.
    const stream = await this.deps.eventStore.readStream<string, CaseEvent>(tx, streamIdOf(caseId));
    return { state: foldCase(caseId, stream.events.map((event) => event.data)), version: stream.version };
  }

  private async contextOf(tx: SqlClient, state: DunningCase, customerId: string): Promise<{ history: PaymentHistory; customerContacts: { actionId: string; at: string }[] }> {
    const others = await tx.query<{ state: DunningCase }>(`SELECT state FROM ${this.s}.cases WHERE customer_id = $1 AND case_id <> $2`, [customerId, state.caseId]);
    const customer = await tx.query<{ payment_dates: string[] }>(`SELECT payment_dates FROM ${this.s}.customers WHERE customer_id = $1`, [customerId]);
    const timeZone = state.invoice?.customer.timeZone ?? 'UTC';
    const invoices = others.rows.flatMap(({ state: other }) =>
      other.invoice
        ? [{ invoiceId: other.invoice.invoiceId, dueDate: other.invoice.dueDate, ...(other.paidInFullAt ? { settledOn: localDateOf(other.paidInFullAt, timeZone) } : {}) }]
        : [],
    );
    return {
      history: { invoices, paymentDates: customer.rows[0]?.payment_dates ?? [] },
      customerContacts: others.rows.flatMap(({ state: other }) => other.contacts),
    };
  }

  private async keepTimers(tx: SqlClient, caseId: string, decisions: readonly CaseDecision[], now: Date): Promise<void> {
    for (const decision of decisions) {
      if (decision.type === 'TimerScheduled') {
        // The trace the timer was planned in (the consumed record's, or the firing timer's): the
        // poller fires it as a child of this context, so the invoice's journey stays one trace.
        const trace = injectTraceContext({});
        await tx.query(
          `INSERT INTO ${this.s}.timers (timer_id, case_id, fire_at, purpose, created_at, traceparent, tracestate)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (timer_id) DO NOTHING`,
          [decision.timerId, caseId, decision.fireAt, decision.purpose, now, trace['traceparent'] ?? null, trace['tracestate'] ?? null],
        );
      } else if (decision.type === 'TimerCancelled') {
        await tx.query(`UPDATE ${this.s}.timers SET status = 'cancelled' WHERE timer_id = $1 AND status = 'pending'`, [decision.timerId]);
      } else if (decision.type === 'CaseClosed') {
        await tx.query(`UPDATE ${this.s}.timers SET status = 'cancelled' WHERE case_id = $1 AND status = 'pending'`, [caseId]);
      }
    }
  }

  private async project(tx: SqlClient, caseId: string, customerId: string, state: DunningCase, version: number, now: Date): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.s}.cases (case_id, customer_id, invoice_id, status, stream_version, state, segment_id, experiment_id, arm_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (case_id) DO UPDATE SET customer_id = EXCLUDED.customer_id, invoice_id = EXCLUDED.invoice_id, status = EXCLUDED.status,
         stream_version = EXCLUDED.stream_version, state = EXCLUDED.state, segment_id = EXCLUDED.segment_id,
         experiment_id = EXCLUDED.experiment_id, arm_id = EXCLUDED.arm_id, updated_at = EXCLUDED.updated_at`,
      [
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
      ],
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
