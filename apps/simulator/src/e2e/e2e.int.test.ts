import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { freePort, kafkaBrokers, uniqueName, waitFor } from '@dunning/testing';
import { DEFAULT_CONFIG, mergeConfig } from '../domain/config';
import { readPlatformWiring, REPO, SERVICES, type PlatformWiring } from './platform-wiring';
import { runEndToEnd, type E2eOutcome } from './run-e2e';

// The end-to-end mode at small scale against a platform of its own: `scripts/platform.sh run` for a
// fresh instance (its own topics, consumer groups, databases, ports, secrets, letter and agency
// folders) with the five services on the simulated clock and the main job's policy, then 60
// customers over two months (+ 30 days). What the simulator saw is checked against what the
// services themselves recorded in their databases: the invoices, every message by invoice and
// channel, the collection hand-offs and the experiment arms.

jest.setTimeout(20 * 60_000);

/** Variables the services read: set here or by platform.sh, never inherited from the test runner. */
const OURS = /^(OTEL_|KAFKA_BROKERS$|DATABASE_URL$|HTTP_|INVOICING_|SCORING_|ORCHESTRATOR_|NOTIFIER_|COLLECTION_|SMTP_|KANNEL_|AGENCY_|DUNNING_|PLATFORM_|KEEP_INFRA$)/;

const RUN_START = '2026-01-01';

describe('the simulator end to end (60 customers, two months, the five services on a simulated clock)', () => {
  const instance = uniqueName('sim').replace(/-/g, '_').toLowerCase();
  const scratch = mkdtempSync(join(tmpdir(), `${instance}-`));
  let platform: ChildProcess | undefined;
  let knobs: NodeJS.ProcessEnv;
  let wiring: PlatformWiring;
  let e2e: E2eOutcome;
  const logFile = join(scratch, 'platform.log');
  const query = async <T extends Record<string, unknown>>(service: (typeof SERVICES)[number], sql: string): Promise<T[]> => {
    const client = new Client({ connectionString: wiring.services[service].databaseUrl });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    const ports = await Promise.all(SERVICES.map(() => freePort()));
    const agencies = JSON.parse(readFileSync(join(REPO, 'apps/collection-handoff/agencies.local.json'), 'utf8')) as { agencies: Array<{ agencyId: string; batch?: { dropDir: string; inboundDir?: string } }> };
    for (const agency of agencies.agencies) {
      if (!agency.batch) continue;
      agency.batch.dropDir = join(scratch, agency.agencyId, 'outbound');
      if (agency.batch.inboundDir) agency.batch.inboundDir = join(scratch, agency.agencyId, 'inbound');
    }
    writeFileSync(join(scratch, 'agencies.json'), JSON.stringify(agencies));
    mkdirSync(join(scratch, 'letters'));
    knobs = {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !OURS.test(name))),
      PLATFORM_INSTANCE: instance,
      PLATFORM_HTTP_PORTS: ports.join(' '),
      PLATFORM_METRICS: 'off',
      PLATFORM_TRACES: 'none',
      PLATFORM_SECRETS_DIR: join(scratch, 'secrets'),
      KEEP_INFRA: '1',
      KAFKA_BROKERS: kafkaBrokers().join(','),
      DUNNING_CLOCK: 'simulated',
      ORCHESTRATOR_CLOCK: 'simulated',
      DUNNING_CLOCK_START: '2025-12-31T00:00:00Z',
      DUNNING_POLICY_FILE: join(REPO, 'apps/dunning-orchestrator/policies/main-job.yaml'),
      NOTIFIER_LETTER_DROP_DIR: join(scratch, 'letters'),
      COLLECTION_AGENCIES_FILE: join(scratch, 'agencies.json'),
      NOTIFIER_POLL_MS: '50',
      COLLECTION_WORKER_POLL_MS: '50',
      ORCHESTRATOR_TIMER_POLL_MS: '50',
      SCORING_SIMULATED_OVERDUE_SCAN_MS: '100',
      SCORING_RETRAIN_ENABLED: 'false',
    };
    const log = createWriteStream(logFile);
    platform = spawn('bash', [join(REPO, 'scripts/platform.sh'), 'run'], { cwd: REPO, env: knobs, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    platform.stdout?.pipe(log);
    platform.stderr?.pipe(log);
    for (const [index, name] of SERVICES.entries()) {
      await waitFor(
        async () => {
          if (platform?.exitCode !== null) throw new Error(`platform.sh exited (${String(platform?.exitCode)}):\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
          const response = await fetch(`http://127.0.0.1:${ports[index]}/health/ready`).catch(() => undefined);
          return response?.status === 200 ? true : undefined;
        },
        { timeoutMs: 300_000, intervalMs: 500, description: `${name} of ${instance} to be ready` },
      );
    }
    // Only now: `platform.sh run` generates this run's secrets (the operator key among them) as it starts.
    wiring = await readPlatformWiring(knobs);
    // Kannel, the SMTP capture server and WireMock are shared with whatever else runs on the machine
    // (another simulator run among them): a run tag in ids and e-mail addresses, and phone numbers of
    // this run's own (a fictional prefix with three random digits), keep its customers apart.
    const runTag = instance.replace(/[^a-z0-9]/g, '').slice(-12);
    const digits = String(100 + Math.floor(Math.random() * 900));
    e2e = await runEndToEnd({
      wiring,
      config: mergeConfig(DEFAULT_CONFIG, {
        customers: 60,
        months: 2,
        followUpDays: 30,
        seed: 5,
        runTag,
        startDate: RUN_START,
        countries: { SE: { phonePrefix: `+4670199${digits}` }, DE: { phonePrefix: `+4930999${digits}` } },
      }),
      mlSwitchAt: '2026-02-16T00:00:00Z',
    });
  });

  afterAll(async () => {
    if (platform && platform.exitCode === null && platform.pid) {
      const exited = new Promise<void>((done) => platform?.once('exit', () => done()));
      process.kill(-platform.pid, 'SIGTERM');
      const timer = setTimeout(() => platform?.pid && process.kill(-platform.pid, 'SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    }
    const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${instance}\\_%`]);
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    const kafka = new Kafka({ clientId: instance, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await kafka.connect();
    try {
      const ours = (await kafka.listTopics()).filter((topic) => topic.startsWith(`${instance}.`));
      if (ours.length > 0) await kafka.deleteTopics({ topics: ours });
    } finally {
      await kafka.disconnect();
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('every invoice the customers were billed is an invoice in invoicing’s database, with its amount and due date', async () => {
    const rows = await query<{ invoice_id: string; amount_minor: string; due_date: string }>('invoicing', `SELECT invoice_id, amount_minor::text, to_char(due_date, 'YYYY-MM-DD') AS due_date FROM invoicing.invoices`);
    const stored = new Map(rows.map((row) => [row.invoice_id, `${row.amount_minor} ${row.due_date}`]));
    const billed = new Map(e2e.outcome.results.invoices.map((invoice) => [invoice.invoiceId, `${invoice.amountMinor} ${invoice.dueDate}`]));
    expect(billed.size).toBeGreaterThan(60);
    expect(stored).toEqual(billed);
  });

  it('every message the notifier sent reached the customer it was for and was read as about its invoice, by channel', async () => {
    const rows = await query<{ invoice_id: string; channel: string; n: string }>(
      'notifier',
      `SELECT invoice_id, channel, count(*)::text AS n FROM notifier.deliveries WHERE state IN ('sent', 'delivered') GROUP BY invoice_id, channel`,
    );
    const sent = new Map(rows.map((row) => [`${row.invoice_id} ${row.channel}`, Number(row.n)]));
    const seen = new Map<string, number>();
    for (const invoice of e2e.outcome.results.invoices) {
      for (const contact of invoice.contacts) {
        if (contact.channel === 'collection-demand') continue;
        const key = `${invoice.invoiceId} ${contact.channel}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    expect([...sent.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(30);
    expect(seen).toEqual(sent);
  });

  it('a customer got a collection demand exactly for the invoices collection-handoff delivered to an agency', async () => {
    const rows = await query<{ invoice_id: string }>(
      'collection-handoff',
      `SELECT DISTINCT invoice_id FROM collection.cases WHERE status IN ('handed-off', 'recalled', 'paid-at-agency', 'closed', 'returned')`,
    );
    const delivered = rows.map((row) => row.invoice_id).sort();
    const demanded = e2e.outcome.results.invoices.filter((invoice) => invoice.handoffDaysSinceDue !== null).map((invoice) => invoice.invoiceId).sort();
    expect(demanded).toEqual(delivered);
  });

  it('the report’s arms are the orchestrator’s: every late consumer case of the experiment, with its arm', async () => {
    const rows = await query<{ invoice_id: string; experiment_id: string; arm_id: string }>(
      'dunning-orchestrator',
      `SELECT invoice_id, experiment_id, arm_id FROM orchestrator.cases WHERE experiment_id IS NOT NULL`,
    );
    const stored = new Map(rows.map((row) => [row.invoice_id, `${row.experiment_id}/${row.arm_id}`]));
    expect(stored.size).toBeGreaterThan(5);
    expect(new Map(e2e.outcome.assignments)).toEqual(stored);
    // Arms hash the run's own customer ids, so a handful of cases need not meet all three; each must be one of them.
    const experimentArms = new Set(['collection-vs-friendly/collection-as-before', 'collection-vs-friendly/friendly-sms', 'collection-vs-friendly/no-action']);
    expect([...stored.values()].filter((arm) => !experimentArms.has(arm))).toEqual([]);
  });

  it('the clocks of all five services stand at the last simulated midday; scoring was asked to retrain at the switch', async () => {
    const last = e2e.outcome.results.lastDay;
    for (const name of SERVICES) {
      const response = await fetch(`${wiring.services[name].url}/admin/clock`, { headers: { ...wiring.services[name].headers } });
      const clock = (await response.json()) as { mode: string; now: string };
      expect({ name, mode: clock.mode, day: clock.now.slice(0, 10) }).toEqual({ name, mode: 'simulated', day: last });
    }
    const runs = await query<{ trigger: string; result: string; version: string | null }>('scoring', `SELECT trigger, result, version FROM scoring.training_runs ORDER BY run_id`);
    expect(runs.map((run) => run.trigger)).toEqual(['on-demand']);
    expect(e2e.mlSwitch?.version).toBe(runs[0]?.result === 'insufficient' ? undefined : runs[0]?.version);
  });
});
