import type { SqlClient } from '@dunning/event-store';

/**
 * The only way a service learns the time. Decisions get `now` from here and never read a clock
 * themselves, so a simulator can run months of a customer base through the same code.
 */
export interface ServiceClock {
  now(): Date;
}

export class SystemClock implements ServiceClock {
  now(): Date {
    return new Date();
  }
}

export const systemClock: ServiceClock = new SystemClock();

/**
 * A clock handed to a service's providers before its real clock exists: the simulated one can
 * only be loaded once migrations ran, but the providers are built (synchronously) before that.
 * `now()` throws until `use(clock)` was called, so nothing reads a wrong time by accident.
 */
export class DeferredClock implements ServiceClock {
  private target: ServiceClock | undefined;

  use(clock: ServiceClock): void {
    this.target = clock;
  }

  get ready(): boolean {
    return this.target !== undefined;
  }

  now(): Date {
    if (!this.target) throw new Error('the service clock is not loaded yet (it is loaded after the migrations ran)');
    return this.target.now();
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function quotedSchema(schema: string): string {
  if (!IDENTIFIER.test(schema)) throw new Error(`Not a plain SQL identifier: ${JSON.stringify(schema)}`);
  return `"${schema}"`;
}

/** The instant is not a valid date (HTTP 400). */
export class InvalidInstantError extends Error {
  constructor(raw: unknown) {
    super(`not a valid ISO 8601 instant: ${JSON.stringify(raw)}`);
    this.name = 'InvalidInstantError';
  }
}

/** The simulated clock was asked to move backwards (HTTP 409). */
export class ClockBackwardsError extends Error {
  constructor(
    readonly current: Date,
    readonly requested: Date,
  ) {
    super(`the simulated clock only moves forward (now ${current.toISOString()}, asked for ${requested.toISOString()})`);
    this.name = 'ClockBackwardsError';
  }
}

/**
 * A clock that stands still until told to move. Its time is kept in PostgreSQL
 * (`<schema>.simulated_clock`, see simulatedClockDdl) so it survives a restart: a `kill -9` must
 * not send the simulation back in time. It only moves forward.
 */
export class SimulatedClock implements ServiceClock {
  private current: Date;
  private readonly table: string;

  private constructor(start: Date, schema: string) {
    this.current = start;
    this.table = `${quotedSchema(schema)}.simulated_clock`;
  }

  /** The persisted instant, or `fallbackStart` when none was persisted yet (first start). */
  static async load(db: SqlClient, schema: string, fallbackStart: Date): Promise<SimulatedClock> {
    if (Number.isNaN(fallbackStart.getTime())) throw new InvalidInstantError(String(fallbackStart));
    const clock = new SimulatedClock(fallbackStart, schema);
    const { rows } = await db.query<{ now: Date }>(`SELECT now FROM ${clock.table} WHERE id = 1`);
    if (rows[0]?.now) clock.current = new Date(rows[0].now);
    return clock;
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  /** Moves the clock to `to` (never backwards; the same instant is allowed) and persists it before answering. */
  async set(db: SqlClient, to: Date): Promise<Date> {
    if (Number.isNaN(to.getTime())) throw new InvalidInstantError(String(to));
    if (to.getTime() < this.current.getTime()) throw new ClockBackwardsError(this.now(), to);
    await db.query(
      `INSERT INTO ${this.table} (id, now) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET now = GREATEST(${this.table}.now, EXCLUDED.now)`,
      [to],
    );
    this.current = new Date(to.getTime());
    return this.now();
  }
}
