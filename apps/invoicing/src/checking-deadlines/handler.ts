import type { Pool } from 'pg';
import type { AccountStore } from '../accounts/account-store';
import { withAccountTransaction } from '../accounts/transactions';
import type { Clock } from '../clock';

/**
 * Time passing: accounts whose next deadline has come (a hold expiring, an installment due, a
 * plan's grace over) get a `CheckDeadlines`. `account_deadlines` says which ones, so a sweep
 * reads only those; the decision itself is the domain's, with the injected clock.
 */
export class CheckDeadlines {
  constructor(
    private readonly pool: Pool,
    private readonly accounts: AccountStore,
    private readonly clock: Clock,
    private readonly schema: string,
  ) {}

  /** One sweep; returns how many accounts changed. */
  async sweep(limit = 200): Promise<number> {
    return (await this.sweepBatch(limit)).changed;
  }

  /**
   * Sweeps until no account is due any more (a simulated clock may jump over many deadlines at
   * once); stops early when a full batch changed nothing, so an account that stays due cannot
   * loop it. Returns how many accounts changed.
   */
  async sweepAll(limit = 200): Promise<number> {
    let total = 0;
    for (;;) {
      const { seen, changed } = await this.sweepBatch(limit);
      total += changed;
      if (seen < limit || changed === 0) return total;
    }
  }

  /**
   * What is left to do now (the quiescence probes `deadlinesDue` and `outboxPending`), in one
   * statement: accounts whose deadline is due, and unpublished outbox rows (as libs/event-store's
   * outboxPending counts them, through its partial index).
   */
  async quiescenceCounts(): Promise<{ readonly deadlinesDue: number; readonly outboxPending: number }> {
    const { rows } = await this.pool.query<{ due: number; pending: number }>(
      `SELECT (SELECT count(*)::int FROM "${this.schema}".account_deadlines WHERE due_at <= $1) AS due,
              (SELECT count(*)::int FROM "${this.schema}".outbox WHERE published_at IS NULL) AS pending`,
      [this.clock.now()],
    );
    return { deadlinesDue: rows[0]?.due ?? 0, outboxPending: rows[0]?.pending ?? 0 };
  }

  private async sweepBatch(limit: number): Promise<{ seen: number; changed: number }> {
    const now = this.clock.now();
    const { rows } = await this.pool.query<{ customer_id: string }>(
      `SELECT customer_id FROM "${this.schema}".account_deadlines WHERE due_at <= $1 ORDER BY due_at LIMIT $2`,
      [now, limit],
    );
    let changed = 0;
    for (const { customer_id: customerId } of rows) {
      const outcome = await withAccountTransaction(this.pool, (tx) =>
        this.accounts.execute(tx, { type: 'CheckDeadlines', data: { customerId }, metadata: { now: this.clock.now().toISOString() } }),
      );
      if (outcome.kind === 'applied') changed++;
    }
    return { seen: rows.length, changed };
  }
}
