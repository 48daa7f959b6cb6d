import { loadServiceConfig, readClockConfig, type ClockConfig, type ServiceConfig } from '@dunning/platform';
import { TOPICS } from '@dunning/contracts';
import { DEFAULT_ACCOUNT_POLICY, type AccountPolicy } from './domain/policy';
import { parseApiKeys, type ApiKey } from './auth/api-keys';

/**
 * Everything invoicing reads from its environment, read once at start. Topic names and the
 * consumer group are configurable so that tests (and a second deployment on the same cluster)
 * use their own.
 */
export interface InvoicingConfig {
  readonly service: ServiceConfig;
  readonly topics: {
    readonly billingEvents: string;
    readonly invoices: string;
    readonly collectionCases: string;
  };
  /** Consumer group ids; also the names under which offsets are stored in PostgreSQL. */
  readonly consumerGroups: { readonly billing: string; readonly collection: string };
  /** PostgreSQL schema of the event store, outbox, inbox, offsets and read models. */
  readonly schema: string;
  readonly apiKeys: readonly ApiKey[];
  readonly policy: AccountPolicy;
  /** How often the deadline sweeper looks for expired holds and missed installments. */
  readonly deadlineSweepIntervalMs: number;
  /**
   * How often the outbox relay looks for unpublished rows on its own. Every writer in the process
   * wakes it after committing, so the poll only catches what nobody announced (another instance's
   * rows, a pass that failed).
   */
  readonly outboxPollIntervalMs: number;
  /** Key-encryption key for the per-customer keys (32 bytes); without it keys are stored unwrapped. */
  readonly personalDataKek?: Buffer;
  /** Start the Kafka consumers, the outbox relay and the sweeper (off for HTTP-only tests). */
  readonly runBackgroundWork: boolean;
  /** Create missing topics at start (the broker's default partition count). */
  readonly createTopics: boolean;
  /** DUNNING_CLOCK / DUNNING_CLOCK_START (docs/simulated-time.md). */
  readonly clock: ClockConfig;
}

function durationMs(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const match = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new Error(`${name} must be a duration like 72h, 30m, 15s or 500ms, got '${raw}'`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function positiveInteger(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return value;
}

function kek(raw: string | undefined): Buffer | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const key = Buffer.from(raw.trim(), 'base64');
  if (key.length !== 32) throw new Error('INVOICING_PERSONAL_DATA_KEK must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)');
  return key;
}

export function loadInvoicingConfig(env: NodeJS.ProcessEnv = process.env): InvoicingConfig {
  const service = loadServiceConfig('invoicing', env);
  const group = env['INVOICING_CONSUMER_GROUP']?.trim() || 'invoicing';
  const personalDataKek = kek(env['INVOICING_PERSONAL_DATA_KEK']);
  const schema = env['INVOICING_DB_SCHEMA']?.trim() || 'invoicing';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`INVOICING_DB_SCHEMA must be a lower-case SQL identifier, got '${schema}'`);
  return {
    service,
    topics: {
      billingEvents: env['INVOICING_BILLING_TOPIC']?.trim() || TOPICS.billingEvents,
      invoices: env['INVOICING_INVOICES_TOPIC']?.trim() || TOPICS.invoicingInvoices,
      collectionCases: env['INVOICING_COLLECTION_TOPIC']?.trim() || TOPICS.collectionCases,
    },
    consumerGroups: { billing: `${group}.billing-events`, collection: `${group}.collection-cases` },
    schema,
    apiKeys: parseApiKeys(env['INVOICING_API_KEYS']),
    policy: {
      holdWindowMs: durationMs(env['INVOICING_HOLD_WINDOW'], DEFAULT_ACCOUNT_POLICY.holdWindowMs, 'INVOICING_HOLD_WINDOW'),
      planBreakGraceDays: positiveInteger(env['INVOICING_PLAN_BREAK_GRACE_DAYS'], DEFAULT_ACCOUNT_POLICY.planBreakGraceDays, 'INVOICING_PLAN_BREAK_GRACE_DAYS'),
    },
    deadlineSweepIntervalMs: durationMs(env['INVOICING_DEADLINE_SWEEP_INTERVAL'], 60_000, 'INVOICING_DEADLINE_SWEEP_INTERVAL'),
    outboxPollIntervalMs: durationMs(env['INVOICING_OUTBOX_POLL_INTERVAL'], 100, 'INVOICING_OUTBOX_POLL_INTERVAL'),
    ...(personalDataKek ? { personalDataKek } : {}),
    runBackgroundWork: env['INVOICING_BACKGROUND_WORK'] !== 'off',
    createTopics: env['INVOICING_CREATE_TOPICS'] !== 'off',
    clock: readClockConfig(env),
  };
}
