import { inTransaction, type SqlPool } from '@dunning/messaging';
import { DunningAttributes, extractTraceContext, withSpan } from '@dunning/telemetry';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Clock } from '../clock/clock';
import { streamIdOf, type CaseProcessor, type LockedCaseRow } from '../cases/case-processor';

const MAX_CONFLICT_RETRIES = 5;
/** Claims in a row that found their timer gone (fired or cancelled by another transaction meanwhile). */
const MAX_LOST_CLAIMS = 100;

interface ClaimRow extends LockedCaseRow {
  /** Due timers seen (at most 2): more than the one fired means another is due. */
  readonly due: number;
  readonly timer_id: string | null;
  readonly traceparent: string | null;
  readonly tracestate: string | null;
  readonly case_id: string | null;
  readonly customer_id: string | null;
}

/** deadlock_detected (40P01) or serialization_failure (40001): the transaction was rolled back and may simply run again. */
export function isTransactionConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

export interface TimerPollerOptions {
  readonly pool: SqlPool;
  readonly processor: CaseProcessor;
  readonly clock: Clock;
  readonly schema: string;
  readonly intervalMs: number;
  /** Called after each committed firing (the outbox relay can be woken). */
  readonly onFired?: (timerId: string) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Durable timers. Each due timer is fired in one transaction that marks it fired, appends the
 * case's `TimerFired` and decisions, and writes their outbox rows. A crash before COMMIT leaves the
 * timer pending and nothing written; after COMMIT it is fired and never claimed again: once.
 *
 * The claim locks the timer's case row first and only then the timer, the order in which the
 * consumer takes them (case row, then the case's timers), so a firing and a consumer cannot
 * deadlock on the two; the claim waits for a consumer holding the case, as the load did before.
 * A timer fired or cancelled while the claim waited is found not pending any more, and the next
 * one is claimed. Firings of one process run one after the other (a clock move's due work waits
 * for the poll in progress); instances of several processes may wait for each other's case.
 *
 * A timer fires inside a `fire timer` span whose parent is the trace context stored when it was
 * scheduled, so the decisions and outbox rows it writes continue the invoice's trace.
 */
export class TimerPoller {
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private readonly s: string;

  constructor(private readonly options: TimerPollerOptions) {
    this.s = `"${options.schema}"`;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
    this.loop = undefined;
  }

  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Fires every timer due now, one transaction each; returns how many fired. A firing that
   * PostgreSQL aborted as a deadlock or serialization failure committed nothing and is tried again,
   * a few times. Calls wait for each other, so one process never claims against itself.
   */
  fireDue(): Promise<number> {
    const run = this.firing.then(() => this.fireDueNow());
    this.firing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private firing: Promise<void> = Promise.resolve();

  private async fireDueNow(): Promise<number> {
    let fired = 0;
    let conflicts = 0;
    let lost = 0;
    // Stopping (the pool may be ending): nothing is claimed, as before.
    if (this.stopping) return 0;
    // Outside a transaction: a poll that finds nothing due costs one statement.
    let more = await this.anyDue();
    while (more && !this.stopping) {
      try {
        const claim = await this.fireOne();
        conflicts = 0;
        if (claim.fired) {
          fired++;
          lost = 0;
          // The firing may itself have scheduled a timer that is due already: look again.
          more = claim.due > 1 || (await this.anyDue());
        } else {
          more = claim.due > 0 && ++lost <= MAX_LOST_CLAIMS;
        }
      } catch (error) {
        if (!isTransactionConflict(error) || ++conflicts > MAX_CONFLICT_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * conflicts));
      }
    }
    return fired;
  }

  private async anyDue(): Promise<boolean> {
    const { rows } = await this.options.pool.query<{ due: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${this.s}.timers t JOIN ${this.s}.cases c ON c.case_id = t.case_id WHERE t.status = 'pending' AND t.fire_at <= $1) AS due`,
      [this.options.clock.now()],
    );
    return rows[0]?.due === true;
  }

  private async fireOne(): Promise<{ fired: boolean; due: number }> {
    const { processor } = this.options;
    const claim = await inTransaction(this.options.pool, async (tx) => {
      const now = this.options.clock.now();
      // One statement: the first due timer's case row locked, then the timer marked fired (if it
      // is still pending once the lock is held), and the case and its customer read for handle.
      const { rows } = await tx.query<ClaimRow>(
        `WITH due AS (
           SELECT t.timer_id, t.case_id, t.fire_at
             FROM ${this.s}.timers t JOIN ${this.s}.cases c ON c.case_id = t.case_id
            WHERE t.status = 'pending' AND t.fire_at <= $1
            ORDER BY t.fire_at, t.timer_id
            LIMIT 2
         ),
         next_timer AS (SELECT timer_id, case_id FROM due ORDER BY fire_at, timer_id LIMIT 1),
         ${processor.lockedCaseSql('(SELECT case_id FROM next_timer)')},
         fired AS (
           -- Reads locked_case: the timer's row is locked (updated) only after the case row.
           UPDATE ${this.s}.timers t SET status = 'fired', fired_at = $1, fire_count = t.fire_count + 1
             FROM next_timer n, locked_case lc
            WHERE t.timer_id = n.timer_id AND t.case_id = lc.case_id AND t.status = 'pending' AND t.fire_at <= $1
           RETURNING t.timer_id, t.traceparent, t.tracestate
         )
         SELECT (SELECT count(*) FROM due)::int AS due, f.timer_id, f.traceparent, f.tracestate, l.case_id, l.customer_id,
                ${processor.customerColumnsSql('l.case_id', 'l.customer_id', '$2 || l.case_id')}
           FROM (SELECT 1) AS one LEFT JOIN fired f ON true LEFT JOIN locked_case l ON true`,
        [now, streamIdOf('')],
      );
      const row = rows[0];
      if (!row || row.timer_id === null || row.case_id === null || row.customer_id === null) return { fired: undefined, due: row?.due ?? 0 };
      const due = { timerId: row.timer_id, caseId: row.case_id, customerId: row.customer_id };
      // The poller's loop has no context of its own worth keeping: the stored one replaces it.
      const scheduledIn = extractTraceContext({ traceparent: row.traceparent ?? undefined, tracestate: row.tracestate ?? undefined }, ROOT_CONTEXT);
      await context.with(scheduledIn, () =>
        withSpan('fire timer', { [DunningAttributes.timer.id]: due.timerId, [DunningAttributes.case.id]: due.caseId }, async () => {
          const loaded = await processor.loadedFrom(tx, due.caseId, due.customerId, row);
          await processor.handle(tx, due.caseId, due.customerId, [{ type: 'TimerFired', timerId: due.timerId, at: now.toISOString() }], 'live', now, { loaded });
        }),
      );
      return { fired: due.timerId, due: row.due };
    });
    if (claim.fired) this.options.onFired?.(claim.fired);
    return { fired: claim.fired !== undefined, due: claim.due };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.fireDue();
      } catch (error) {
        this.options.onError?.(error);
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const timeout = setTimeout(resolve, this.options.intervalMs);
        this.wakeUp = () => {
          clearTimeout(timeout);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }
}
