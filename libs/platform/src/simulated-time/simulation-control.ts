import type { SqlClient } from '@dunning/event-store';
import { InvalidInstantError, SimulatedClock, systemClock, type ServiceClock } from './clock';
import type { ClockConfig, ClockMode } from './clock-config';

/** Work that is due at `now` (timers, scans, ...): does it and returns how many items it handled. */
export type DueWork = (now: Date) => Promise<number>;

/** A count of work not done yet: in-flight records, unpublished outbox rows, items due at the clock's now. */
export type QuiescenceProbe = () => Promise<number>;

export interface AdvanceResult {
  readonly now: string;
  readonly work: Record<string, number>;
}

export interface Quiescence {
  readonly quiet: boolean;
  readonly pending: Record<string, number>;
}

/** PUT /admin/clock on a service whose clock is the system's (HTTP 409). */
export class ClockNotSimulatedError extends Error {
  constructor() {
    super('the clock is the system clock (start the service with DUNNING_CLOCK=simulated to move it)');
    this.name = 'ClockNotSimulatedError';
  }
}

export interface SimulationControlOptions {
  readonly mode: ClockMode;
  /** Required in simulated mode. */
  readonly simulated?: SimulatedClock;
  /** Where the simulated clock persists (the service's own database). Required in simulated mode. */
  readonly db?: SqlClient;
  /** In system mode, the clock to read instead of the system's (e.g. a test's adjustable clock). */
  readonly clock?: ServiceClock;
}

/**
 * One service's control over simulated time (docs/simulated-time.md). The service registers its
 * due work (what must happen when time moves: fire timers, run scans) and its quiescence probes
 * (how much work is still in flight); `advanceTo` moves the clock and runs the due work before
 * it returns, `quiescence` says whether the service has nothing left to do.
 *
 * Works in both clock modes: with the system clock, `advanceTo` is refused and `quiescence` still
 * answers. `clock` is the one the service's code must read.
 */
export class SimulationControl {
  readonly mode: ClockMode;
  readonly clock: ServiceClock;
  private readonly simulated: SimulatedClock | undefined;
  private readonly db: SqlClient | undefined;
  private readonly dueWork: { name: string; run: DueWork }[] = [];
  private readonly probes: { name: string; count: QuiescenceProbe }[] = [];
  /** Advances run one at a time, in arrival order. */
  private advancing: Promise<unknown> = Promise.resolve();

  constructor(options: SimulationControlOptions) {
    this.mode = options.mode;
    if (options.mode === 'simulated') {
      if (!options.simulated || !options.db) throw new Error('a simulated SimulationControl needs its SimulatedClock and database');
      this.simulated = options.simulated;
      this.db = options.db;
      this.clock = options.simulated;
    } else {
      this.simulated = undefined;
      this.db = undefined;
      this.clock = options.clock ?? systemClock;
    }
  }

  /**
   * The control for `config`: in simulated mode it loads the persisted instant from
   * `<schema>.simulated_clock` (the migration must have run), else starts at `config.start`.
   */
  static async create(db: SqlClient, schema: string, config: ClockConfig): Promise<SimulationControl> {
    if (config.mode === 'system') return new SimulationControl({ mode: 'system' });
    const simulated = await SimulatedClock.load(db, schema, config.start);
    return new SimulationControl({ mode: 'simulated', simulated, db });
  }

  now(): Date {
    return this.clock.now();
  }

  /** Registers work run, in registration order, on every advance. Names must be unique. */
  addDueWork(name: string, run: DueWork): this {
    if (this.dueWork.some((w) => w.name === name)) throw new Error(`due work ${JSON.stringify(name)} is registered twice`);
    this.dueWork.push({ name, run });
    return this;
  }

  /** Registers a quiescence count. Names must be unique. */
  addProbe(name: string, count: QuiescenceProbe): this {
    if (this.probes.some((p) => p.name === name)) throw new Error(`probe ${JSON.stringify(name)} is registered twice`);
    this.probes.push({ name, count });
    return this;
  }

  /**
   * Moves the simulated clock to `to` (persisted first), then runs every due work for the new
   * instant and answers what each did. Throws ClockNotSimulatedError with the system clock,
   * InvalidInstantError for a bad instant and ClockBackwardsError for a move backwards. Moving
   * to the current instant is allowed and re-runs the due work.
   */
  advanceTo(to: Date): Promise<AdvanceResult> {
    const run = this.advancing.then(() => this.advanceNow(to));
    this.advancing = run.catch(() => undefined);
    return run;
  }

  /** Runs every due work at the current instant, in either mode (e.g. on start). */
  async runDueWork(): Promise<Record<string, number>> {
    const now = this.clock.now();
    const work: Record<string, number> = {};
    for (const { name, run } of this.dueWork) work[name] = await run(now);
    return work;
  }

  /** Every probe's count (probes run concurrently); quiet iff all are 0. A failing probe rejects. */
  async quiescence(): Promise<Quiescence> {
    const counts = await Promise.all(this.probes.map(async ({ name, count }) => [name, await count()] as const));
    const pending = Object.fromEntries(counts);
    return { quiet: counts.every(([, n]) => n === 0), pending };
  }

  private async advanceNow(to: Date): Promise<AdvanceResult> {
    if (!this.simulated || !this.db) throw new ClockNotSimulatedError();
    if (!(to instanceof Date) || Number.isNaN(to.getTime())) throw new InvalidInstantError(String(to));
    await this.simulated.set(this.db, to);
    const work = await this.runDueWork();
    return { now: this.simulated.now().toISOString(), work };
  }
}
