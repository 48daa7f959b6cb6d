import type { SqlClient } from '@dunning/messaging';

/**
 * The only way the orchestrator learns the time. Decisions get `now` from here and never read a
 * clock themselves, so a simulator can run months of a customer base through the same code.
 */
export interface Clock {
  now(): Date;
}

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * A clock that stands still until told to move. Its time is kept in PostgreSQL so it survives a
 * restart (a `kill -9` must not send the simulation back in time). It only moves forward.
 */
export class SimulatedClock implements Clock {
  private current: Date;

  private constructor(
    start: Date,
    private readonly schema: string,
  ) {
    this.current = start;
  }

  static async load(db: SqlClient, schema: string, fallbackStart: Date): Promise<SimulatedClock> {
    const { rows } = await db.query<{ now: Date }>(`SELECT now FROM "${schema}".simulated_clock WHERE id = 1`);
    return new SimulatedClock(rows[0]?.now ?? fallbackStart, schema);
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  /** Moves the clock to `to` (never backwards) and persists it before answering. */
  async set(db: SqlClient, to: Date): Promise<Date> {
    if (Number.isNaN(to.getTime())) throw new Error('not a valid instant');
    if (to.getTime() < this.current.getTime()) throw new Error(`the simulated clock only moves forward (now ${this.current.toISOString()})`);
    await db.query(
      `INSERT INTO "${this.schema}".simulated_clock (id, now) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET now = GREATEST("${this.schema}".simulated_clock.now, EXCLUDED.now)`,
      [to],
    );
    this.current = to;
    return this.now();
  }
}
