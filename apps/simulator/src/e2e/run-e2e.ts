import { BatchAgencyInbox, RestAgencyInbox } from '../adapters/inbox/agency-inbox';
import { CustomerInbox, type InboxSource } from '../adapters/inbox/customer-inbox';
import { FakesmscInbox } from '../adapters/inbox/fakesmsc-inbox';
import { LetterDropInbox } from '../adapters/inbox/letter-drop-inbox';
import { SmtpCaptureInbox } from '../adapters/inbox/smtp-capture-inbox';
import { KafkaBillingProducer } from '../adapters/kafka-billing-producer';
import { KannelProbe } from '../adapters/kannel-probe';
import { epochDayOf, instantAt, isoDateOf, type EpochDay } from '../domain/calendar';
import type { SimulatorConfig } from '../domain/config';
import { Simulation } from '../domain/simulation';
import { ServiceAdmin } from '../platform/service-admin';
import { ServicesPlatform } from '../platform/services-platform';
import { runSimulation, type RunOutcome, type RunProgress } from '../run/run-simulation';
import { SERVICES, type PlatformWiring } from './platform-wiring';
import { switchToMlPolicy, type MlSwitchRecord } from './ml-switch';

// The end-to-end mode: the customer base against the five running services on one simulated clock.
// Per simulated day: the customers live the day (their events are held until their time comes),
// the clocks of all five services move to midday — inside every contact window, so that what the
// services scheduled for business hours happens at a business hour — the platform is waited on
// until every service reports itself quiet several polls in a row, and what reached the customers
// (mail at the SMTP capture server, SMS at fakesmsc, letters in the drop folder, the agencies'
// claims) is read back for the next day.

export interface E2eSettings {
  readonly wiring: PlatformWiring;
  readonly config: SimulatorConfig;
  /** Local minute of the day the clocks move to each day (default 12:00). */
  readonly clockMinuteOfDay?: number;
  /** Quiet polls in a row that count as settled, their interval, and how long to wait at most per day. */
  readonly quiet?: { readonly consecutiveChecks?: number; readonly intervalMs?: number; readonly timeoutMs?: number };
  /** The switch to the ML-driven policy (an instant, e.g. 2026-05-01T00:00:00Z); none: one phase only. */
  readonly mlSwitchAt?: string;
  readonly onProgress?: (progress: RunProgress) => void;
  readonly log?: (line: string) => void;
  readonly progressEveryDays?: number;
  /** Also log where the wall-clock time went (publish, each clock move, quiet waits, inbox) with each progress line. */
  readonly timings?: boolean;
}

export interface E2eOutcome {
  readonly simulation: Simulation;
  readonly outcome: RunOutcome;
  readonly mlSwitch: MlSwitchRecord | undefined;
  /** Due work the services reported on their clock moves, per service and kind. */
  readonly workDone: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly clockMoves: number;
  /** Wall-clock milliseconds by step (publish, clock <service>, quiet, inbox). */
  readonly timings: Readonly<Record<string, number>>;
}

/** The instant the clocks move to after `day`: the given local time in the latest of the zones. */
export function middayInstant(minuteOfDay: number): (day: EpochDay, zones: readonly string[]) => Date {
  return (day, zones) => new Date(Math.max(...zones.map((zone) => Date.parse(instantAt(day, minuteOfDay, zone)))));
}

/** Refuses a platform that is not on a simulated clock or whose clock is already past the run's start. */
export async function checkClocks(admins: readonly ServiceAdmin[], start: Date): Promise<void> {
  const problems: string[] = [];
  for (const admin of admins) {
    let state;
    try {
      state = await admin.clock();
    } catch (error) {
      problems.push((error as Error).message);
      continue;
    }
    if (state.mode !== 'simulated') problems.push(`${admin.name} runs on the ${state.mode} clock (start the platform with DUNNING_CLOCK=simulated)`);
    else if (Date.parse(state.now) > start.getTime()) problems.push(`${admin.name}'s clock is at ${state.now}, after the run's first instant ${start.toISOString()} (start a fresh platform, or DUNNING_CLOCK_START before the first day)`);
  }
  if (problems.length > 0) throw new Error(`the platform is not ready for a simulated run:\n  ${problems.join('\n  ')}`);
}

export async function runEndToEnd(settings: E2eSettings): Promise<E2eOutcome> {
  const { wiring, config } = settings;
  const log = settings.log ?? (() => undefined);
  const simulation = new Simulation(config);
  const admins = SERVICES.map((name) => new ServiceAdmin(wiring.services[name]));
  const firstInstant = new Date(Math.min(...simulation.timeZones().map((zone) => Date.parse(instantAt(simulation.firstDay, 0, zone)))));
  await checkClocks(admins, firstInstant);

  const sources: InboxSource[] = [
    new SmtpCaptureInbox(simulation.directory, { baseUrl: wiring.smtpCaptureUrl, emailDomain: config.emailDomain }),
    new FakesmscInbox(simulation.directory, wiring.fakesmscLog),
    new LetterDropInbox(simulation.directory, { directory: wiring.letterDropDir }),
    new BatchAgencyInbox(simulation.directory, wiring.agencies.batch),
    ...wiring.agencies.rest.map(
      (agency) => new RestAgencyInbox(simulation.directory, { wiremockUrl: agency.wiremockUrl, agencies: [{ agencyId: agency.agencyId, claimsPath: agency.claimsPath }] }),
    ),
  ];
  const inbox = new CustomerInbox(sources);
  await inbox.skipExisting();
  const producer = new KafkaBillingProducer({ brokers: wiring.brokers, topic: wiring.topics.billingEvents, clientId: 'billing-simulator' });
  await producer.connect();
  const platform = new ServicesPlatform({
    producer,
    inbox,
    clocks: admins,
    probes: [...admins, new KannelProbe(wiring.kannelAdmin)],
    timeZone: simulation.timeZones()[0] ?? 'Europe/Stockholm',
    brokers: wiring.brokers,
    actionsTopic: wiring.topics.dunningActions,
    quiet: { consecutiveChecks: settings.quiet?.consecutiveChecks ?? 2, intervalMs: settings.quiet?.intervalMs ?? 50, timeoutMs: settings.quiet?.timeoutMs ?? 300_000 },
  });
  let mlSwitch: MlSwitchRecord | undefined;
  const switchAt = settings.mlSwitchAt ? new Date(settings.mlSwitchAt) : undefined;
  const switchDay = switchAt ? epochDayOf(switchAt.toISOString().slice(0, 10)) : undefined;
  try {
    const outcome = await runSimulation(simulation, platform, {
      onProgress: (progress) => {
        settings.onProgress?.(progress);
        if (settings.timings) log(`simulator:   where the time went: ${formatTimings(platform.timings)}`);
      },
      progressEveryDays: settings.progressEveryDays ?? 7,
      clockInstant: middayInstant(settings.clockMinuteOfDay ?? 12 * 60),
      beforeDay: async (day) => {
        if (!switchAt || switchDay === undefined || day !== switchDay) return;
        // Everything up to the switch instant first, then the retraining on what the experiment taught.
        await platform.advanceClockTo(switchAt);
        await platform.waitUntilQuiet();
        log(`simulator: ${isoDateOf(day)} — the switch to the ML-driven policy: retraining scoring on the experiment's outcomes`);
        mlSwitch = await switchToMlPolicy({ scoringUrl: wiring.services.scoring.url, at: switchAt.toISOString(), log });
        log(
          mlSwitch.version
            ? `simulator: champion ${mlSwitch.version} (${mlSwitch.how}), uplift for ${mlSwitch.upliftTreatments.join(', ') || 'no treatment'}`
            : `simulator: scoring could not train (${mlSwitch.reason}); the ML phase runs on the prior`,
        );
      },
    });
    const workDone = Object.fromEntries(admins.map((admin) => [admin.name, { ...admin.workDone }]));
    return { simulation, outcome, mlSwitch, workDone, clockMoves: platform.clockMoves, timings: { ...platform.timings } };
  } finally {
    await platform.close();
  }
}

/** `quiet 41.2 s · clock invoicing 3.1 s · …`, largest first. */
export function formatTimings(timings: Readonly<Record<string, number>>): string {
  return Object.entries(timings)
    .sort(([, a], [, b]) => b - a)
    .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`)
    .join(' · ');
}
