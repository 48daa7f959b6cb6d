import { inTransaction, type SqlPool } from '@dunning/messaging';
import { DunningAttributes, extractTraceContext, withSpan } from '@dunning/telemetry';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Clock } from '../clock/clock';
import type { CaseProcessor } from '../cases/case-processor';

const MAX_CONFLICT_RETRIES = 5;

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
 * Durable timers. Each due timer is claimed with `FOR UPDATE SKIP LOCKED` (several instances share
 * the work, none waits on another) and fired in one transaction that marks it fired, appends the
 * case's `TimerFired` and decisions, and writes their outbox rows. A crash before COMMIT leaves the
 * timer pending and nothing written; after COMMIT it is fired and never claimed again: once.
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
   * PostgreSQL aborted as a deadlock or serialization failure (the consumer locks a case, then its
   * timers; a firing locks a timer, then its case) committed nothing and is tried again, a few times.
   */
  async fireDue(): Promise<number> {
    let fired = 0;
    let conflicts = 0;
    while (!this.stopping) {
      try {
        if (!(await this.fireOne())) break;
        fired++;
        conflicts = 0;
      } catch (error) {
        if (!isTransactionConflict(error) || ++conflicts > MAX_CONFLICT_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * conflicts));
      }
    }
    return fired;
  }

  private async fireOne(): Promise<boolean> {
    const timerId = await inTransaction(this.options.pool, async (tx) => {
      const now = this.options.clock.now();
      const { rows } = await tx.query<{ timer_id: string; case_id: string; customer_id: string; traceparent: string | null; tracestate: string | null }>(
        `SELECT t.timer_id, t.case_id, c.customer_id, t.traceparent, t.tracestate
           FROM ${this.s}.timers t JOIN ${this.s}.cases c ON c.case_id = t.case_id
          WHERE t.status = 'pending' AND t.fire_at <= $1
          ORDER BY t.fire_at, t.timer_id
          LIMIT 1
          FOR UPDATE OF t SKIP LOCKED`,
        [now],
      );
      const due = rows[0];
      if (!due) return undefined;
      // The poller's loop has no context of its own worth keeping: the stored one replaces it.
      const scheduledIn = extractTraceContext({ traceparent: due.traceparent ?? undefined, tracestate: due.tracestate ?? undefined }, ROOT_CONTEXT);
      await context.with(scheduledIn, () =>
        withSpan('fire timer', { [DunningAttributes.timer.id]: due.timer_id, [DunningAttributes.case.id]: due.case_id }, async () => {
          await tx.query(`UPDATE ${this.s}.timers SET status = 'fired', fired_at = $2, fire_count = fire_count + 1 WHERE timer_id = $1`, [due.timer_id, now]);
          await this.options.processor.handle(tx, due.case_id, due.customer_id, [{ type: 'TimerFired', timerId: due.timer_id, at: now.toISOString() }], 'live', now);
        }),
      );
      return due.timer_id;
    });
    if (timerId) this.options.onFired?.(timerId);
    return timerId !== undefined;
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
