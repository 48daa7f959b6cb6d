import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { ServiceEndpoint } from '../platform/service-admin';

// Where the running platform is, learnt the way the platform itself is wired: from what
// `scripts/platform.sh env <service>` prints for the same knobs (PLATFORM_INSTANCE,
// PLATFORM_HTTP_PORTS, PLATFORM_SECRETS_DIR, NOTIFIER_LETTER_DROP_DIR, COLLECTION_AGENCIES_FILE, …).
// So the simulator and the services can never disagree on a topic, a port, a folder or a key.

const execFileAsync = promisify(execFile);

export const REPO = resolve(__dirname, '../../../..');

/** The five services in platform.sh's order (ports 3001–3005 by default). */
export const SERVICES = ['invoicing', 'scoring', 'dunning-orchestrator', 'notifier', 'collection-handoff'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface AgencyWiring {
  readonly rest: ReadonlyArray<{ readonly agencyId: string; readonly wiremockUrl: string; readonly claimsPath: string }>;
  readonly batch: ReadonlyArray<{ readonly agencyId: string; readonly dropDir: string }>;
}

export interface PlatformWiring {
  readonly brokers: readonly string[];
  readonly topics: { readonly billingEvents: string; readonly dunningActions: string };
  readonly services: Readonly<Record<ServiceName, ServiceEndpoint & { readonly databaseUrl: string }>>;
  readonly smtpCaptureUrl: string;
  readonly fakesmscLog: string;
  /** Kannel's admin status page (deploy/local/peers/kannel.sh: KANNEL_ADMIN_PORT, KANNEL_ADMIN_PASSWORD). */
  readonly kannelAdmin: { readonly adminUrl: string; readonly password: string };
  readonly letterDropDir: string;
  readonly agencies: AgencyWiring;
  readonly env: Readonly<Record<ServiceName, Readonly<Record<string, string>>>>;
}

/** KEY=VALUE lines into an object; a value may contain '='. */
export function parseEnvironmentLines(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const equals = line.indexOf('=');
    if (equals <= 0) throw new Error(`not a KEY=VALUE line from platform.sh: ${line.slice(0, 40)}`);
    env[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return env;
}

/** The key of one client in `INVOICING_API_KEYS` (`name=<key>:scopes,…`). */
export function apiKeyOf(apiKeys: string, client: string): string | undefined {
  for (const entry of apiKeys.split(',')) {
    const match = /^([^=]+)=(.*):([^:]*)$/.exec(entry.trim());
    if (match && match[1] === client) return match[2];
  }
  return undefined;
}

function required(env: Readonly<Record<string, string>>, service: string, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`platform.sh gives ${service} no ${name}`);
  return value;
}

/** The agencies the collection-handoff service delivers to, as the simulator reads them back. */
export async function agencyWiring(agenciesFile: string): Promise<AgencyWiring> {
  const file = JSON.parse(await readFile(resolve(REPO, agenciesFile), 'utf8')) as {
    agencies?: Array<{ agencyId: string; channel: string; api?: { baseUrl: string }; batch?: { dropDir: string } }>;
  };
  const rest: Array<AgencyWiring['rest'][number]> = [];
  const batch: Array<AgencyWiring['batch'][number]> = [];
  for (const agency of file.agencies ?? []) {
    if (agency.channel === 'api' && agency.api) {
      const url = new URL(agency.api.baseUrl);
      rest.push({ agencyId: agency.agencyId, wiremockUrl: url.origin, claimsPath: `${url.pathname.replace(/\/$/, '')}/claims` });
    } else if (agency.channel === 'batch' && agency.batch) {
      batch.push({ agencyId: agency.agencyId, dropDir: resolve(REPO, agency.batch.dropDir) });
    }
  }
  return { rest, batch };
}

/**
 * Reads the wiring of the platform platform.sh starts for `knobs` (by default the caller's own
 * environment, which is what platform.sh saw if the caller started it).
 */
export async function readPlatformWiring(knobs: NodeJS.ProcessEnv = process.env): Promise<PlatformWiring> {
  const env = {} as Record<ServiceName, Record<string, string>>;
  // One after the other: the first call may generate the secrets.
  for (const name of SERVICES) {
    const { stdout } = await execFileAsync('bash', [join(REPO, 'scripts/platform.sh'), 'env', name], { cwd: REPO, env: knobs, maxBuffer: 1 << 20 });
    env[name] = parseEnvironmentLines(stdout);
  }
  const invoicing = env.invoicing;
  const operatorKey = apiKeyOf(required(invoicing, 'invoicing', 'INVOICING_API_KEYS'), 'operator');
  if (!operatorKey) throw new Error('platform.sh gives invoicing no operator API key');
  const services = Object.fromEntries(
    SERVICES.map((name) => [
      name,
      {
        name,
        url: `http://${required(env[name], name, 'HTTP_HOST')}:${required(env[name], name, 'HTTP_PORT')}`,
        databaseUrl: required(env[name], name, 'DATABASE_URL'),
        ...(name === 'invoicing' ? { headers: { 'x-api-key': operatorKey } } : {}),
      },
    ]),
  ) as unknown as PlatformWiring['services'];
  const state = knobs['DUNNING_STATE_DIR'] ?? join(REPO, 'tmp/local');
  const lookup = required(env.notifier, 'notifier', 'SMTP_LOOKUP_URL');
  return {
    brokers: required(invoicing, 'invoicing', 'KAFKA_BROKERS').split(','),
    topics: {
      billingEvents: required(invoicing, 'invoicing', 'INVOICING_BILLING_TOPIC'),
      dunningActions: required(env['dunning-orchestrator'], 'dunning-orchestrator', 'ORCHESTRATOR_TOPIC_ACTIONS'),
    },
    services,
    smtpCaptureUrl: lookup.replace(/\/messages\/?$/, ''),
    fakesmscLog: resolve(knobs['KANNEL_STATE_DIR'] ?? join(state, 'kannel'), 'fakesmsc.log'),
    kannelAdmin: { adminUrl: `http://127.0.0.1:${knobs['KANNEL_ADMIN_PORT'] ?? '13000'}`, password: knobs['KANNEL_ADMIN_PASSWORD'] ?? 'kannel-admin-local' },
    letterDropDir: resolve(REPO, required(env.notifier, 'notifier', 'NOTIFIER_LETTER_DROP_DIR')),
    agencies: await agencyWiring(required(env['collection-handoff'], 'collection-handoff', 'COLLECTION_AGENCIES_FILE')),
    env,
  };
}
