import type { BillingEvent } from '@dunning/contracts';
import { isoDateOf, startOfLocalDayMs, type EpochDay } from '../domain/calendar';
import type { SeenMessage } from '../domain/seen-message';
import type { Simulation, SimulationResults } from '../domain/simulation';
import type { Platform } from '../platform/platform';

export interface RunProgress {
  readonly date: string;
  readonly dayNumber: number;
  readonly totalDays: number;
  readonly eventsPublished: number;
  readonly messagesSeen: number;
  readonly demandsSeen: number;
  readonly elapsedMs: number;
}

export interface RunOutcome {
  readonly results: SimulationResults;
  /** invoiceId → experiment arm (or flow), from the platform; for the report only. */
  readonly assignments: ReadonlyMap<string, string>;
  readonly eventsPublished: number;
  readonly messagesSeen: number;
  readonly eventCounts: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
}

export interface RunOptions {
  readonly onProgress?: (progress: RunProgress) => void;
  /** Report progress every this many simulated days (and on the last). */
  readonly progressEveryDays?: number;
  /** Wall-clock time, injected so a test can fix it. */
  readonly now?: () => number;
  /**
   * The instant the platform's clock moves to after a day's events (default: the next midnight in
   * every customer's zone). The end-to-end mode moves to midday, inside every contact window, so
   * that what the services schedule for business hours is done at a business hour.
   */
  readonly clockInstant?: (day: EpochDay, zones: readonly string[]) => Date;
  /** Called before a day is stepped (e.g. the switch to the ML-driven policy); may move the platform's clock. */
  readonly beforeDay?: (day: EpochDay) => Promise<void>;
}

/** The next midnight in every zone: the whole day has passed everywhere. */
export function nextMidnight(day: EpochDay, zones: readonly string[]): Date {
  return new Date(Math.max(...zones.map((zone) => startOfLocalDayMs(day + 1, zone))));
}

/**
 * The day loop shared by both modes: step the customers, publish their events, move the platform's
 * clock past the day (past midnight in every customer's zone), wait until the platform is quiet,
 * and hand what reached customers to the next day.
 */
export async function runSimulation(simulation: Simulation, platform: Platform, options: RunOptions = {}): Promise<RunOutcome> {
  const now = options.now ?? (() => Date.now());
  const started = now();
  const zones = simulation.timeZones();
  const totalDays = simulation.lastDay - simulation.firstDay + 1;
  const every = options.progressEveryDays ?? 7;
  const eventCounts: Record<string, number> = {};
  let inbox: readonly SeenMessage[] = [];
  let eventsPublished = 0;
  let messagesSeen = 0;
  let demandsSeen = 0;
  const clockInstant = options.clockInstant ?? nextMidnight;
  for (let day: EpochDay = simulation.firstDay; day <= simulation.lastDay; day += 1) {
    if (options.beforeDay) await options.beforeDay(day);
    const events: BillingEvent[] = simulation.step(day, inbox);
    for (const event of events) eventCounts[event.type] = (eventCounts[event.type] ?? 0) + 1;
    await platform.publish(events);
    eventsPublished += events.length;
    await platform.advanceClockTo(clockInstant(day, zones));
    await platform.waitUntilQuiet();
    inbox = await platform.collectCustomerInbox();
    messagesSeen += inbox.length;
    demandsSeen += inbox.filter((message) => message.kind === 'collection-demand').length;
    const dayNumber = day - simulation.firstDay + 1;
    if (options.onProgress && (dayNumber % every === 0 || day === simulation.lastDay)) {
      options.onProgress({ date: isoDateOf(day), dayNumber, totalDays, eventsPublished, messagesSeen, demandsSeen, elapsedMs: now() - started });
    }
  }
  // What arrived on the last day still counts as contacts, and so does what the platform was still
  // delivering when that day's inbox was read (e.g. an SMS on its way through the gateway).
  await platform.waitUntilQuiet();
  const late = await platform.collectCustomerInbox();
  messagesSeen += late.length;
  simulation.finish([...inbox, ...late]);
  return {
    results: simulation.results(),
    assignments: await platform.collectAssignments(),
    eventsPublished,
    messagesSeen,
    eventCounts,
    elapsedMs: now() - started,
  };
}
