import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, mergeConfig, validateConfig, type ConfigOverrides, type SimulatorConfig } from './domain/config';
import type { RunProgress } from './run/run-simulation';
import { groupsOfArms, writeReport } from './report/write-report';
import { writeE2eReport } from './e2e/e2e-report';
import { readPlatformWiring } from './e2e/platform-wiring';
import { formatTimings, runEndToEnd } from './e2e/run-e2e';
import { groundTruthWouldHavePaidAnyway } from './standalone/ground-truth';
import { controlArmMarkers, runStandalone } from './standalone/run-standalone';

// The billing simulator's command line.
//
//   node -r @swc-node/register apps/simulator/src/main.ts [options]
//     --customers <n>      size of the customer base            (default 5000)
//     --months <n>         months of invoices                   (default 6)
//     --seed <n>           makes the run repeatable             (default 1)
//     --config <file>      JSON overrides of any parameter (docs/simulator.md)
//     --out <dir>          where the report goes                (default tmp/reports/)
//     --mode standalone    the reference dunning in memory (default)
//     --mode e2e           against the running platform (scripts/platform.sh with DUNNING_CLOCK=simulated;
//                          the same PLATFORM_INSTANCE / PLATFORM_HTTP_PORTS / … knobs in the environment)
//     --ml-switch <ISO>    e2e: retrain scoring at this instant and make the new model champion
//                          (the main job's policy switches to its second experiment then); default none
//     --quiet-checks <n>   e2e: quiet polls in a row that count as settled (default 2)
//     --quiet-interval-ms <n> e2e: between those polls (default 50)
//     --timings            e2e: with each progress line, where the wall-clock time went
//     --follow-up-days <n> days simulated after the last month  (default 90)
//     --check-contract     round-trip every event through the contract codec
//     --ground-truth       also count who would have paid anyway, per customer (two more runs)
//     --quiet              no progress lines
//
// Exit codes: 0 done, 2 bad arguments or configuration, 1 the run failed.

const USAGE = `usage: simulator [--customers N] [--months N] [--seed N] [--config FILE] [--out DIR] [--mode standalone|e2e] [--follow-up-days N] [--check-contract] [--ground-truth] [--quiet] [--ml-switch ISO] [--quiet-checks N] [--quiet-interval-ms N] [--timings]`;

export interface CliOptions {
  readonly config: SimulatorConfig;
  readonly out: string;
  readonly mode: 'standalone' | 'e2e';
  readonly checkContract: boolean;
  readonly groundTruth: boolean;
  readonly quiet: boolean;
  readonly mlSwitchAt: string | undefined;
  readonly quietChecks: number;
  readonly quietIntervalMs: number;
  readonly timings: boolean;
}

/** Parses the arguments into a validated configuration; throws an Error whose message is for the user. */
export async function parseCli(argv: readonly string[]): Promise<CliOptions> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      customers: { type: 'string' },
      months: { type: 'string' },
      seed: { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
      mode: { type: 'string' },
      'follow-up-days': { type: 'string' },
      'check-contract': { type: 'boolean' },
      'ground-truth': { type: 'boolean' },
      quiet: { type: 'boolean' },
      'ml-switch': { type: 'string' },
      'quiet-checks': { type: 'string' },
      'quiet-interval-ms': { type: 'string' },
      timings: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) throw new UsageError(USAGE);
  const integer = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text)) throw new UsageError(`--${name}: expected an integer, got '${text}'`);
    return Number(text);
  };
  let fileOverrides: ConfigOverrides = {};
  if (values.config) {
    const path = resolve(values.config);
    try {
      fileOverrides = JSON.parse(await readFile(path, 'utf8')) as ConfigOverrides;
    } catch (error) {
      throw new UsageError(`--config ${values.config}: ${(error as Error).message}`);
    }
  }
  const flags: Record<string, number> = {};
  for (const [flag, key] of [
    ['customers', 'customers'],
    ['months', 'months'],
    ['seed', 'seed'],
    ['follow-up-days', 'followUpDays'],
  ] as const) {
    const value = integer(flag, values[flag]);
    if (value !== undefined) flags[key] = value;
  }
  const config = mergeConfig(DEFAULT_CONFIG, fileOverrides, flags as ConfigOverrides);
  const problems = validateConfig(config);
  if (problems.length > 0) throw new UsageError(`the configuration is not valid:\n  ${problems.join('\n  ')}`);
  const mode = values.mode ?? 'standalone';
  if (mode !== 'standalone' && mode !== 'e2e') throw new UsageError(`--mode: standalone or e2e, got '${mode}'`);
  const mlSwitch = values['ml-switch'];
  if (mlSwitch !== undefined && mlSwitch !== 'none' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/.test(mlSwitch)) throw new UsageError(`--ml-switch: an instant like 2026-05-01T00:00:00Z, or none; got '${mlSwitch}'`);
  if (mlSwitch !== undefined && mlSwitch !== 'none' && mode !== 'e2e') throw new UsageError('--ml-switch needs --mode e2e');
  const quietChecks = integer('quiet-checks', values['quiet-checks']) ?? 2;
  const quietIntervalMs = integer('quiet-interval-ms', values['quiet-interval-ms']) ?? 50;
  if (quietChecks < 1 || quietIntervalMs < 0) throw new UsageError('--quiet-checks must be at least 1 and --quiet-interval-ms not negative');
  return {
    config,
    out: values.out ?? 'tmp/reports/',
    mode,
    checkContract: values['check-contract'] ?? false,
    groundTruth: values['ground-truth'] ?? false,
    quiet: values.quiet ?? false,
    mlSwitchAt: mlSwitch === undefined || mlSwitch === 'none' ? undefined : new Date(mlSwitch).toISOString(),
    quietChecks,
    quietIntervalMs,
    timings: values.timings ?? false,
  };
}

export class UsageError extends Error {}

export function progressLine(p: RunProgress): string {
  const share = Math.round((p.dayNumber / p.totalDays) * 100);
  const seconds = p.elapsedMs / 1000;
  const rates = seconds > 0 ? ` (${(p.dayNumber / seconds).toFixed(2)} days/s, ${Math.round(p.eventsPublished / seconds).toLocaleString('en-US')} events/s)` : '';
  return `simulator: day ${p.dayNumber}/${p.totalDays} (${share} %) ${p.date} · ${p.eventsPublished.toLocaleString('en-US')} events · ${p.messagesSeen.toLocaleString('en-US')} messages seen · ${p.demandsSeen.toLocaleString('en-US')} collection demands · ${seconds.toFixed(1)} s${rates}`;
}

async function mainEndToEnd(options: CliOptions): Promise<number> {
  const { config } = options;
  console.error(`simulator: end-to-end run against the platform, ${config.customers.toLocaleString('en-US')} customers, ${config.months} months + ${config.followUpDays} days, seed ${config.seed}${options.mlSwitchAt ? `, ML switch at ${options.mlSwitchAt}` : ''}`);
  const wiring = await readPlatformWiring(process.env);
  const e2e = await runEndToEnd({
    wiring,
    config,
    ...(options.mlSwitchAt ? { mlSwitchAt: options.mlSwitchAt } : {}),
    quiet: { consecutiveChecks: options.quietChecks, intervalMs: options.quietIntervalMs },
    log: (line) => console.error(line),
    timings: options.timings,
    ...(options.quiet ? {} : { onProgress: (p: RunProgress) => console.error(progressLine(p)) }),
  });
  const { outcome } = e2e;
  const days = e2e.simulation.lastDay - e2e.simulation.firstDay + 1;
  const seconds = outcome.elapsedMs / 1000;
  const work = Object.entries(e2e.workDone)
    .map(([service, kinds]) => `${service}: ${Object.entries(kinds).map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`).join(', ') || 'none'}`)
    .join('; ');
  const report = await writeE2eReport(options.out, e2e, config, {
    title: 'Billing simulator — the main job: the seeds’ experiment and the ML-driven policy, end to end',
    facts: [
      ['mode', 'end-to-end: the five services on one simulated clock, Kafka, PostgreSQL, SMTP capture, Kannel, letter drop, agencies'],
      ['customers', `${config.customers.toLocaleString('en-US')} across ${config.brands.map((b) => `${b.name} (${b.country})`).join(', ')}`],
      ['period', `${outcome.results.firstDay} … ${outcome.results.lastDay} (${config.months} months of invoices + ${config.followUpDays} days; ${days} simulated days)`],
      ['seed', String(config.seed)],
      ['ML switch', e2e.mlSwitch ? `${e2e.mlSwitch.at}: model ${e2e.mlSwitch.version ?? 'none'} (${e2e.mlSwitch.how})` : 'none'],
      ['events produced', outcome.eventsPublished.toLocaleString('en-US')],
      ['messages seen by customers', outcome.messagesSeen.toLocaleString('en-US')],
      ['run time', `${seconds.toFixed(1)} s (${(days / seconds).toFixed(2)} simulated days/s, ${Math.round(outcome.eventsPublished / seconds).toLocaleString('en-US')} events/s; ${e2e.clockMoves} clock moves)`],
      ['due work done on clock moves', work],
      ['where the time went', formatTimings(e2e.timings)],
    ],
    notes: [`Time zones: ${e2e.simulation.timeZones().join(', ')}.`, 'Each simulated day the clocks of all five services move to 12:00 local time; a customer sees what reached them that day on the next.'],
  });
  console.log(report.text);
  console.error(`simulator: report ${report.files.html}`);
  return 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = await parseCli(argv);
  } catch (error) {
    console.error(error instanceof UsageError ? error.message : String(error));
    if (!(error instanceof UsageError) || !error.message.startsWith('usage')) console.error(USAGE);
    return 2;
  }
  const { config } = options;
  if (options.mode === 'e2e') return mainEndToEnd(options);
  console.error(`simulator: standalone run, ${config.customers.toLocaleString('en-US')} customers, ${config.months} months + ${config.followUpDays} days, seed ${config.seed}`);
  const { simulation, outcome } = await runStandalone(config, {
    checkContract: options.checkContract,
    ...(options.quiet ? {} : { onProgress: (p: RunProgress) => console.error(progressLine(p)) }),
  });
  let truthNote: string | undefined;
  if (options.groundTruth) {
    console.error('simulator: ground truth — the same customers once all in the collection arm, once all in the no-action arm');
    const truth = await groundTruthWouldHavePaidAnyway(config);
    truthNote = `Ground truth (the same customers and dice in two worlds, collection for all vs no action for all): of ${truth.paidAfterDemand.toLocaleString('en-US')} late cases paid after a collection demand within 60 days, ${truth.wouldHavePaidAnyway.toLocaleString('en-US')} (${(truth.share * 100).toFixed(1)} %) were paid within 60 days without any action; paid within 60 days: ${(truth.paidWithCollection * 100).toFixed(1)} % with collection, ${(truth.paidWithoutAction * 100).toFixed(1)} % without.`;
  }
  const report = await writeReport(options.out, outcome, groupsOfArms(config.referenceDunning.arms), {
    title: 'Billing simulator — the seeds’ experiment against the reference dunning (standalone)',
    facts: [
      ['mode', 'standalone: reference dunning in memory (no services)'],
      ['customers', `${config.customers.toLocaleString('en-US')} across ${config.brands.map((b) => `${b.name} (${b.country})`).join(', ')}`],
      ['period', `${outcome.results.firstDay} … ${outcome.results.lastDay} (${config.months} months of invoices + ${config.followUpDays} days)`],
      ['seed', String(config.seed)],
      ['experiment', `${config.referenceDunning.experimentId}: ${config.referenceDunning.arms.map((a) => `${a.label} (${a.role})`).join(' / ')}`],
      ['events produced', outcome.eventsPublished.toLocaleString('en-US')],
      ['run time', `${(outcome.elapsedMs / 1000).toFixed(1)} s`],
    ],
    markers: controlArmMarkers(config),
    notes: [
      ...(truthNote ? [truthNote] : []),
      `Time zones: ${simulation.timeZones().join(', ')}.`,
      'The reference dunning is the seeds-experiment policy reduced to days, channels, the contact cap and Sundays; no holidays, quiet hours or scores.',
    ],
  });
  console.log(report.text);
  if (truthNote) console.log(truthNote);
  console.error(`simulator: report ${report.files.html}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error('simulator: the run failed:', error instanceof Error ? (error.stack ?? error.message) : error);
      process.exitCode = 1;
    },
  );
}
