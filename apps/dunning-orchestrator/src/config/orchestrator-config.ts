import path from 'node:path';
import { TOPICS } from '@dunning/contracts';
import { readClockConfig, type ClockMode } from '@dunning/platform';

/** How the orchestrator tells time: the system clock, or a clock a simulator sets (docs/simulated-time.md). */
export type { ClockMode } from '@dunning/platform';

export interface OrchestratorConfig {
  readonly topics: {
    readonly invoices: string;
    readonly scores: string;
    readonly deliveries: string;
    readonly collectionCases: string;
    readonly actions: string;
  };
  /** The consumer group of the projection; its offsets live in PostgreSQL. */
  readonly consumerGroup: string;
  readonly policyFile: string;
  readonly clock: ClockMode;
  /** Where a simulated clock starts when the database holds no time yet. */
  readonly clockStart: Date;
  readonly timerPollIntervalMs: number;
  /** Database schema of the case streams, outbox, projection and timers. */
  readonly schema: string;
  readonly messagingSchema: string;
}

const appRoot = path.resolve(__dirname, '..', '..');

/** Reads the orchestrator's own settings once, at start-up (next to loadServiceConfig). */
export function loadOrchestratorConfig(env: NodeJS.ProcessEnv = process.env): OrchestratorConfig {
  // DUNNING_CLOCK / DUNNING_CLOCK_START like every service; the orchestrator's older names still work.
  const clockConfig = readClockConfig(env, { modeAliases: ['ORCHESTRATOR_CLOCK'], startAliases: ['ORCHESTRATOR_SIMULATED_CLOCK_START'] });
  const clock: ClockMode = clockConfig.mode;
  const pollMs = Number(env['ORCHESTRATOR_TIMER_POLL_MS'] ?? 1_000);
  if (!Number.isInteger(pollMs) || pollMs < 10) throw new Error('ORCHESTRATOR_TIMER_POLL_MS must be an integer >= 10');
  return {
    topics: {
      invoices: env['ORCHESTRATOR_TOPIC_INVOICES'] ?? TOPICS.invoicingInvoices,
      scores: env['ORCHESTRATOR_TOPIC_SCORES'] ?? TOPICS.scoringScores,
      deliveries: env['ORCHESTRATOR_TOPIC_DELIVERIES'] ?? TOPICS.notifierDeliveries,
      collectionCases: env['ORCHESTRATOR_TOPIC_COLLECTION'] ?? TOPICS.collectionCases,
      actions: env['ORCHESTRATOR_TOPIC_ACTIONS'] ?? TOPICS.dunningActions,
    },
    consumerGroup: env['ORCHESTRATOR_CONSUMER_GROUP'] ?? 'dunning-orchestrator',
    policyFile: path.resolve(appRoot, env['DUNNING_POLICY_FILE'] ?? 'policies/default.yaml'),
    clock,
    clockStart: clockConfig.start,
    timerPollIntervalMs: pollMs,
    schema: 'orchestrator',
    messagingSchema: 'messaging',
  };
}
