import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { TOPICS } from '@dunning/contracts';
import { loadServiceConfig, readClockConfig, type ClockConfig, type ServiceConfig } from '@dunning/platform';
import type { AgencyRoute } from './domain';

const cutoff = z.union([z.object({ dailyAtUtc: z.string().regex(/^\d{2}:\d{2}$/) }).strict(), z.object({ everyMinutes: z.int().min(1) }).strict()]);

export const agencyConfig = z
  .object({
    agencyId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
    /** ISO country codes this agency takes; "*" takes every country no other agency names. */
    countries: z.array(z.string()).min(1),
    channel: z.enum(['api', 'batch']),
    daysToPay: z.int().min(0),
    creditor: z.object({ name: z.string().min(1), address: z.string().min(1), registrationId: z.string().min(1) }).strict().optional(),
    api: z
      .object({ baseUrl: z.url(), bearerTokenEnv: z.string().optional(), timeoutMs: z.int().min(100).optional(), maxAttempts: z.int().min(1).optional() })
      .strict()
      .optional(),
    batch: z.object({ dropDir: z.string().min(1), inboundDir: z.string().optional(), cutoff }).strict().optional(),
    /** The environment variable holding the token the agency presents on callbacks. */
    callbackTokenEnv: z.string().optional(),
  })
  .strict()
  .refine((a) => (a.channel === 'api' ? a.api !== undefined : a.batch !== undefined), { error: 'an api agency needs "api", a batch agency needs "batch"' });
export type AgencyConfig = z.infer<typeof agencyConfig>;

export interface CollectionConfig {
  readonly service: ServiceConfig;
  readonly schema: string;
  readonly topics: { readonly invoices: string; readonly actions: string; readonly cases: string };
  readonly consumerGroups: { readonly invoices: string; readonly actions: string };
  readonly agencies: readonly AgencyConfig[];
  readonly runBackgroundWork: boolean;
  readonly workerPollMs: number;
  readonly maxWaitForInvoiceMs: number;
  readonly recheckAfterMs: number;
  readonly reconciliationDailyAtUtc: string;
  /** DUNNING_CLOCK / DUNNING_CLOCK_START (docs/simulated-time.md); absent: the system clock. */
  readonly clock?: ClockConfig;
  /** Where debtor contact details come from at delivery time (invoicing's contact endpoint). */
  readonly invoicing?: { readonly baseUrl: string; readonly apiKey: string } | undefined;
  readonly secrets: Readonly<Record<string, string | undefined>>;
}

const repoRoot = path.resolve(__dirname, '../../..');

/** Reads the environment (and the agencies file) once, at start-up. */
export function loadCollectionConfig(env: NodeJS.ProcessEnv = process.env): CollectionConfig {
  const service = loadServiceConfig('collection-handoff', env);
  const agenciesFile = env['COLLECTION_AGENCIES_FILE'] ?? path.join(repoRoot, 'apps/collection-handoff/agencies.local.json');
  const parsed = z.object({ agencies: z.array(agencyConfig) }).parse(JSON.parse(readFileSync(agenciesFile, 'utf8')));
  const agencies = parsed.agencies.map((a) =>
    a.batch ? { ...a, batch: { ...a.batch, dropDir: path.resolve(repoRoot, a.batch.dropDir), inboundDir: a.batch.inboundDir && path.resolve(repoRoot, a.batch.inboundDir) } } : a,
  );
  const number = (name: string, fallback: number): number => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
    return value;
  };
  return {
    service,
    schema: env['COLLECTION_SCHEMA'] ?? 'collection',
    topics: {
      invoices: env['COLLECTION_TOPIC_INVOICES'] ?? TOPICS.invoicingInvoices,
      actions: env['COLLECTION_TOPIC_ACTIONS'] ?? TOPICS.dunningActions,
      cases: env['COLLECTION_TOPIC_CASES'] ?? TOPICS.collectionCases,
    },
    consumerGroups: {
      invoices: env['COLLECTION_GROUP_INVOICES'] ?? 'collection-handoff.invoices',
      actions: env['COLLECTION_GROUP_ACTIONS'] ?? 'collection-handoff.handoff-requests',
    },
    agencies,
    runBackgroundWork: env['COLLECTION_BACKGROUND_WORK'] !== 'off',
    workerPollMs: number('COLLECTION_WORKER_POLL_MS', 1_000),
    maxWaitForInvoiceMs: number('COLLECTION_MAX_WAIT_FOR_INVOICE_MS', 24 * 3_600_000),
    recheckAfterMs: number('COLLECTION_RECHECK_AFTER_MS', 30_000),
    reconciliationDailyAtUtc: env['COLLECTION_RECONCILIATION_AT_UTC'] ?? '03:00',
    clock: readClockConfig(env),
    invoicing: env['INVOICING_URL'] && env['INVOICING_API_KEY'] ? { baseUrl: env['INVOICING_URL'], apiKey: env['INVOICING_API_KEY'] } : undefined,
    secrets: Object.fromEntries(
      agencies.flatMap((a) => [a.api?.bearerTokenEnv, a.callbackTokenEnv]).filter((name): name is string => name !== undefined).map((name) => [name, env[name]]),
    ),
  };
}

/** Country → agency, from the configuration: an exact country first, then the "*" agency. */
export function agencyRouter(agencies: readonly AgencyConfig[]): (country: string | undefined) => AgencyRoute | undefined {
  return (country) => {
    const agency = agencies.find((a) => country !== undefined && a.countries.includes(country)) ?? agencies.find((a) => a.countries.includes('*'));
    return agency && { agencyId: agency.agencyId, channel: agency.channel, daysToPay: agency.daysToPay, creditor: agency.creditor };
  };
}
