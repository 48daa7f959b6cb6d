import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { platformEnvironment, REPO, SERVICE_NAMES, type ServiceName } from './support/platform-processes';

// The wiring has three copies that must agree: scripts/platform.sh (this machine, and the e2e tests),
// docker-compose.yml (+ deploy/docker/generate-secrets.sh for its secrets), and what each service
// actually reads. A misspelt variable is not an error anywhere at run time — the service silently
// takes its default — so this test compares them name by name.

const SECRETS = new Set([
  'INVOICING_API_KEYS',
  'INVOICING_PERSONAL_DATA_KEK',
  'NOTIFIER_INVOICING_API_KEY',
  'NOTIFIER_DLR_SECRET',
  'INVOICING_API_KEY',
  'AGENCY_INKASSO_SE_TOKEN',
  'AGENCY_INKASSO_SE_CALLBACK_TOKEN',
  'AGENCY_INKASSO_DE_CALLBACK_TOKEN',
]);
/** Values that name this machine or a container (hosts, paths): the same variable, another value. */
const PLACE_DEPENDENT = /^(HTTP_HOST|KAFKA_BROKERS|DATABASE_URL|OTEL_EXPORTER_.*|NOTIFIER_PUBLIC_URL|INVOICING_URL|SMTP_HOST|SMTP_LOOKUP_URL|KANNEL_SENDSMS_URL|NOTIFIER_LETTER_DROP_DIR|COLLECTION_AGENCIES_FILE)$/;

function sourcesOf(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) text += sourcesOf(path);
    else if (/\.(ts|json)$/.test(entry) && !/\.test\.ts$/.test(entry)) text += readFileSync(path, 'utf8');
  }
  return text;
}

const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { environment?: Record<string, string> }> };
const generateSecrets = readFileSync(join(REPO, 'deploy/docker/generate-secrets.sh'), 'utf8');
const shared = sourcesOf(join(REPO, 'libs/platform/src')) + sourcesOf(join(REPO, 'libs/telemetry/src'));

describe.each(SERVICE_NAMES.map((name) => [name]))('the wiring of %s', (name: ServiceName) => {
  let local: Record<string, string>;
  const secretsDir = mkdtempSync(join(tmpdir(), 'wiring-secrets-'));

  beforeAll(async () => {
    local = await platformEnvironment(name, { PLATFORM_SECRETS_DIR: secretsDir });
  });
  afterAll(() => rmSync(secretsDir, { recursive: true, force: true }));

  it('names only variables the service reads (no typo falls back to a default unnoticed)', () => {
    const reads = sourcesOf(join(REPO, 'apps', name)) + shared;
    const unread = Object.keys(local).filter((variable) => !reads.includes(`'${variable}'`) && !reads.includes(`"${variable}"`));
    expect(unread).toEqual([]);
  });

  it('gives every secret from generated files, never from docker-compose.yml itself', () => {
    const secrets = Object.keys(local).filter((variable) => SECRETS.has(variable));
    const composeEnv = compose.services[name]?.environment ?? {};
    const serviceFile = new RegExp(`cat >"\\$dir/${name}\\.env" <<ENV\\n([\\s\\S]*?)\\nENV`).exec(generateSecrets)?.[1] ?? '';
    for (const secret of secrets) {
      expect(composeEnv[secret]).toBeUndefined();
      expect(serviceFile).toMatch(new RegExp(`^${secret}='`, 'm'));
    }
  });

  it('is mirrored in docker-compose.yml: same variables, same topics, groups and settings', () => {
    const composeEnv = compose.services[name]?.environment ?? {};
    for (const [variable, value] of Object.entries(local)) {
      if (SECRETS.has(variable)) continue;
      if (variable === 'OTEL_EXPORTER_PROMETHEUS_PORT') {
        expect(composeEnv[variable]).toBe('9464'); // one container per service: the same port each
        continue;
      }
      expect({ variable, present: variable in composeEnv }).toEqual({ variable, present: true });
      if (!PLACE_DEPENDENT.test(variable)) expect({ variable, value: composeEnv[variable] }).toEqual({ variable, value });
    }
  });
});

describe('topics across the services (platform.sh)', () => {
  const secretsDir = mkdtempSync(join(tmpdir(), 'wiring-secrets-'));
  afterAll(() => rmSync(secretsDir, { recursive: true, force: true }));

  it('names each contract topic the same for its producer and every consumer', async () => {
    const env = Object.fromEntries(
      await Promise.all(SERVICE_NAMES.map(async (name) => [name, await platformEnvironment(name, { PLATFORM_SECRETS_DIR: secretsDir, PLATFORM_INSTANCE: 'wired' })] as const)),
    ) as Record<ServiceName, Record<string, string>>;
    const invoices = [env.invoicing['INVOICING_INVOICES_TOPIC'], env.scoring['SCORING_INVOICES_TOPIC'], env['dunning-orchestrator']['ORCHESTRATOR_TOPIC_INVOICES'], env.notifier['NOTIFIER_INVOICES_TOPIC'], env['collection-handoff']['COLLECTION_TOPIC_INVOICES']];
    const actions = [env['dunning-orchestrator']['ORCHESTRATOR_TOPIC_ACTIONS'], env.scoring['SCORING_ACTIONS_TOPIC'], env.notifier['NOTIFIER_ACTIONS_TOPIC'], env['collection-handoff']['COLLECTION_TOPIC_ACTIONS']];
    const scores = [env.scoring['SCORING_SCORES_TOPIC'], env['dunning-orchestrator']['ORCHESTRATOR_TOPIC_SCORES']];
    const deliveries = [env.notifier['NOTIFIER_DELIVERIES_TOPIC'], env['dunning-orchestrator']['ORCHESTRATOR_TOPIC_DELIVERIES']];
    const cases = [env['collection-handoff']['COLLECTION_TOPIC_CASES'], env['dunning-orchestrator']['ORCHESTRATOR_TOPIC_COLLECTION'], env.invoicing['INVOICING_COLLECTION_TOPIC']];
    expect(new Set(invoices)).toEqual(new Set(['wired.invoicing.invoices.v1']));
    expect(new Set(actions)).toEqual(new Set(['wired.dunning.actions.v1']));
    expect(new Set(scores)).toEqual(new Set(['wired.scoring.scores.v1']));
    expect(new Set(deliveries)).toEqual(new Set(['wired.notifier.deliveries.v1']));
    expect(new Set(cases)).toEqual(new Set(['wired.collection.cases.v1']));
    expect(env.invoicing['INVOICING_BILLING_TOPIC']).toBe('wired.billing.events.v1');
    // The notifier and collection-handoff hold the keys invoicing accepts for the `contacts` scope.
    expect(env.invoicing['INVOICING_API_KEYS']).toContain(`notifier=${env.notifier['NOTIFIER_INVOICING_API_KEY']}:contacts`);
    expect(env.invoicing['INVOICING_API_KEYS']).toContain(`collection-handoff=${env['collection-handoff']['INVOICING_API_KEY']}:contacts`);
    expect(env.notifier['INVOICING_URL']).toBe(`http://127.0.0.1:${env.invoicing['HTTP_PORT']}`);
    expect(env.notifier['NOTIFIER_PUBLIC_URL']).toBe(`http://127.0.0.1:${env.notifier['HTTP_PORT']}`);
  });
});
