import { Kafka, logLevel } from 'kafkajs';
import { TOPICS, decodeIntegrationRecord, type BillingEvent } from '@dunning/contracts';
import { localDayOf } from '../domain/calendar';
import type { SeenMessage } from '../domain/seen-message';
import type { CustomerInbox } from '../adapters/inbox/customer-inbox';
import type { KafkaBillingProducer } from '../adapters/kafka-billing-producer';
import type { Platform } from './platform';

// The end-to-end platform: the five services, reached only through their public surfaces — billing
// events into Kafka, each service's simulated clock and quiescence probe (`ServiceAdmin`, the admin
// routes of docs/simulated-time.md), and what reached the customers through the real peers.

/** Moves one service's simulated clock. */
export interface ClockDriver {
  readonly name: string;
  advanceTo(instant: Date): Promise<void>;
}

/** Tells whether one part of the platform has finished what it was asked to do. */
export interface QuiescenceProbe {
  readonly name: string;
  check(): Promise<{ readonly quiet: boolean; readonly detail: string }>;
}

/** One case's arm, as `dunning.experiment.arm-assigned.v1` told it. */
export interface ArmAssignment {
  readonly experimentId: string;
  readonly arm: string;
}

/** `<experimentId>/<arm>`: arms of two experiments may share a name (e.g. `collection-as-before`). */
export const armKey = (assignment: ArmAssignment): string => `${assignment.experimentId}/${assignment.arm}`;

/** Arms from `dunning.experiment.arm-assigned.v1` on `dunning.actions.v1` (invoiceId → `<experimentId>/<arm>`): for the report only. */
export async function readArmAssignments(brokers: readonly string[], topic: string = TOPICS.dunningActions, timeoutMs = 60_000): Promise<Map<string, string>> {
  const kafka = new Kafka({ clientId: 'simulator-report', brokers: [...brokers], logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  const arms = new Map<string, string>();
  if (remaining.size === 0) return arms;
  const consumer = kafka.consumer({ groupId: `simulator-report-${Date.now().toString(36)}-${Math.random().toString(16).slice(2, 8)}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const decoded = decodeIntegrationRecord(TOPICS.dunningActions, message);
          if (decoded.ok && decoded.event.type === 'dunning.experiment.arm-assigned.v1') arms.set(decoded.event.data.invoiceId, armKey(decoded.event.data));
          if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return arms;
}

export interface ServicesPlatformOptions {
  readonly producer: KafkaBillingProducer;
  readonly inbox: CustomerInbox;
  readonly clocks: readonly ClockDriver[];
  readonly probes: readonly QuiescenceProbe[];
  /** The zone whose calendar day an inbox collection is attributed to. */
  readonly timeZone: string;
  readonly brokers: readonly string[];
  /** `dunning.actions.v1` of this platform (an instance's topics carry its prefix). */
  readonly actionsTopic?: string;
  readonly quiet?: QuietOptions;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch, for the settle deadline (tests pass a fake one with `sleep`). */
  readonly now?: () => number;
}

/**
 * When the platform counts as settled after a clock move: `consecutiveChecks` quiet probe rounds in a
 * row (a probe that cannot tell counts as busy), within `timeoutMs`. The first round goes out at once;
 * after a busy round the pause starts at `intervalMs` and grows by `backoff` per busy round up to
 * `maxIntervalMs`, so a long busy spell is probed a few times a second instead of twenty (each round
 * costs every service a few statements and a Kafka offsets request, CPU the busy services need);
 * after a quiet round the confirming round follows `confirmIntervalMs` later, never backed off.
 * `backoff: 1` gives the fixed schedule of old (a round every `intervalMs`).
 */
export interface QuietOptions {
  readonly consecutiveChecks?: number;
  /** The first pause after a busy round (--quiet-interval-ms; the e2e run passes 50). Default 250. */
  readonly intervalMs?: number;
  /** Growth of the pause per busy round. Default 1.5. */
  readonly backoff?: number;
  /** Default 250 (at least `intervalMs`). */
  readonly maxIntervalMs?: number;
  /** The pause between quiet rounds. Default `intervalMs`. */
  readonly confirmIntervalMs?: number;
  readonly timeoutMs?: number;
}

export interface QuietSchedule {
  readonly consecutiveChecks: number;
  readonly intervalMs: number;
  readonly backoff: number;
  readonly maxIntervalMs: number;
  readonly confirmIntervalMs: number;
  readonly timeoutMs: number;
}

export function quietSchedule(options: QuietOptions = {}): QuietSchedule {
  const intervalMs = options.intervalMs ?? 250;
  return {
    consecutiveChecks: options.consecutiveChecks ?? 3,
    intervalMs,
    backoff: Math.max(1, options.backoff ?? 1.5),
    maxIntervalMs: Math.max(intervalMs, options.maxIntervalMs ?? 250),
    confirmIntervalMs: options.confirmIntervalMs ?? intervalMs,
    timeoutMs: options.timeoutMs ?? 120_000,
  };
}

/** The pause before the next round, after `busyRounds` busy rounds so far in this wait and a round that was quiet or not. */
export function pauseBeforeNextRound(schedule: QuietSchedule, busyRounds: number, lastRoundQuiet: boolean): number {
  if (lastRoundQuiet) return schedule.confirmIntervalMs;
  return Math.min(schedule.maxIntervalMs, Math.round(schedule.intervalMs * schedule.backoff ** Math.max(0, busyRounds - 1)));
}

/**
 * The platform as five running services: Kafka in, the real peers out.
 *
 * A billing system sends an event when it happens, never ahead of the platform's time: `publish`
 * holds the day's events back and `advanceClockTo` sends those whose time has come (at or before
 * the new instant); the rest wait for a later move.
 *
 * One move compresses a day into one instant, so the day's timers and the day's events would race
 * through Kafka (a due-day reminder against a payment made that morning), and which one won
 * depended on wall-clock timing: runs with the same seed differed. The day's events (all stamped
 * before the move's instant) are sent and the platform settles before the clocks move: a payment
 * made that morning is known before the midday reminder would go out. Same seed, same order, same
 * run. (The services apply those events while their clocks still read the previous move's instant;
 * each event carries its own time.)
 */
export class ServicesPlatform implements Platform {
  private clock: Date | undefined;
  private held: BillingEvent[] = [];
  private moves = 0;
  private probeRounds = 0;
  /** Wall-clock milliseconds spent, by step: where a simulated day's time goes. */
  readonly timings: Record<string, number> = {};

  constructor(private readonly options: ServicesPlatformOptions) {}

  async publish(events: readonly BillingEvent[]): Promise<void> {
    this.held.push(...events);
  }

  /** The instant the platform's clocks last moved to (undefined before the first move). */
  get now(): Date | undefined {
    return this.clock;
  }

  /** How often the clocks moved. */
  get clockMoves(): number {
    return this.moves;
  }

  /** Quiescence probe rounds so far (each asks every probe once). */
  get quiescenceRounds(): number {
    return this.probeRounds;
  }

  /** Events handed to `publish` and not yet sent because their time has not come. */
  get heldBack(): number {
    return this.held.length;
  }

  async advanceClockTo(instant: Date): Promise<void> {
    const due: BillingEvent[] = [];
    const later: BillingEvent[] = [];
    // Per customer the events are in time order, so a split by time keeps each customer's order.
    for (const event of this.held) (event.time === undefined || Date.parse(event.time) <= instant.getTime() ? due : later).push(event);
    this.held = later;
    await this.timed('publish', () => this.options.producer.publish(due));
    if (this.clock && instant <= this.clock) return;
    // The day's events are applied everywhere before the day's timers can fire.
    if (due.length > 0) await this.waitUntilQuiet();
    // All at once: each service runs its own due work before it answers; what one service's work
    // sets off in another travels through Kafka and is awaited by waitUntilQuiet, as in production.
    await this.timed('clocks', () => Promise.all(this.options.clocks.map((clock) => this.timed(`(clock ${clock.name})`, () => clock.advanceTo(instant)))));
    this.clock = instant;
    this.moves += 1;
  }

  async waitUntilQuiet(): Promise<void> {
    await this.timed('quiet', () => this.settle());
  }

  private async timed<T>(step: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.timings[step] = (this.timings[step] ?? 0) + (performance.now() - started);
    }
  }

  private async settle(): Promise<void> {
    const schedule = quietSchedule(this.options.quiet);
    const consecutive = schedule.consecutiveChecks;
    const now = this.options.now ?? Date.now;
    const deadline = now() + schedule.timeoutMs;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    let inARow = 0;
    let busyRounds = 0;
    let details: string[] = [];
    while (inARow < consecutive) {
      this.probeRounds += 1;
      // A probe that cannot tell (the service answered 5xx, e.g. PostgreSQL out of connections) counts as busy.
      const results = await Promise.all(
        this.options.probes.map(async (probe) => ({ probe: probe.name, ...(await probe.check().catch((error: unknown) => ({ quiet: false, detail: `cannot tell: ${error instanceof Error ? error.message : String(error)}` }))) })),
      );
      details = results.filter((r) => !r.quiet).map((r) => `${r.probe}: ${r.detail}`);
      const quiet = details.length === 0;
      inARow = quiet ? inARow + 1 : 0;
      if (!quiet) busyRounds += 1;
      if (inARow >= consecutive) break;
      if (now() > deadline) throw new Error(`the platform did not settle: ${details.join('; ')}`);
      await sleep(pauseBeforeNextRound(schedule, busyRounds, quiet));
    }
  }

  async collectCustomerInbox(): Promise<readonly SeenMessage[]> {
    // Attributed to the last full day the clock has passed.
    const day = localDayOf(new Date((this.clock ?? new Date()).getTime() - 1), this.options.timeZone);
    return this.timed('inbox', () => this.options.inbox.collect(day));
  }

  async collectAssignments(): Promise<ReadonlyMap<string, string>> {
    return readArmAssignments(this.options.brokers, this.options.actionsTopic ?? TOPICS.dunningActions);
  }

  async close(): Promise<void> {
    await this.options.producer.disconnect();
  }
}
