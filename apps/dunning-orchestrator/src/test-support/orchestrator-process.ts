import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createDatabase, createTopic, dropDatabase, freePort, kafkaBrokers, postgresDatabaseUrl, uniqueName, waitFor } from '@dunning/testing';

/**
 * What the orchestrator's integration tests share: a fresh database and fresh topics per test
 * file, and the real service process (`node -r @swc-node/register apps/dunning-orchestrator/src/main.ts`)
 * started against them on a simulated clock. Test support only: imported by `*.int.test.ts`.
 */
export const repoRoot = path.resolve(__dirname, '../../../..');

export interface OrchestratorTopics {
  invoices: string;
  scores: string;
  deliveries: string;
  collectionCases: string;
  actions: string;
}

/** A fresh database, consumer group and five topics, named after `name` (unique per call). */
export interface OrchestratorInfrastructure {
  readonly database: string;
  readonly databaseUrl: string;
  readonly group: string;
  readonly topics: OrchestratorTopics;
  /** Creates the database and the topics (each with `partitions` partitions). */
  create(partitions?: number): Promise<void>;
  /** Drops the database (topics are left: their names are never used again). */
  drop(): Promise<void>;
}

export function orchestratorInfrastructure(name: string): OrchestratorInfrastructure {
  const database = `dunning_${uniqueName(name).replace(/-/g, '_')}`;
  const topics: OrchestratorTopics = {
    invoices: uniqueName(`${name}-invoices`),
    scores: uniqueName(`${name}-scores`),
    deliveries: uniqueName(`${name}-deliveries`),
    collectionCases: uniqueName(`${name}-collection`),
    actions: uniqueName(`${name}-actions`),
  };
  return {
    database,
    databaseUrl: postgresDatabaseUrl(database),
    group: uniqueName(`it-${name}`),
    topics,
    async create(partitions = 3) {
      await createDatabase(database);
      for (const topic of Object.values(topics)) await createTopic(kafkaBrokers(), topic, partitions);
    },
    drop: () => dropDatabase(database),
  };
}

/** One running service process. */
export interface OrchestratorProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly baseUrl: string;
  /** Everything the process wrote to stdout and stderr. */
  readonly output: string[];
  /** Throws (with the tail of the output) when the process has exited. */
  alive(): void;
  /** Waits until GET /health/ready answers 200; fails at once if the process exits. */
  ready(timeoutMs?: number): Promise<void>;
  /** PUT /admin/clock: moves the simulated clock (due timers fire before it answers); fails unless 200. */
  setClock(now: string): Promise<{ now: string; work: { timersFired: number } }>;
  /** SIGKILL, and waits for the exit (no-op when it has exited). */
  kill9(): Promise<void>;
  /** SIGTERM, waits up to `graceMs` for the exit, then SIGKILL. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  /** The HTTP port (a free one when not given; pass the same one to restart on it). */
  port?: number;
  /** Extra or overriding environment, e.g. DUNNING_POLICY_FILE, ORCHESTRATOR_TIMER_POLL_MS, OTEL_*. */
  env?: Record<string, string>;
}

/** Spawns the orchestrator on `infrastructure`, simulated clock at 2026-03-01T10:00:00Z, telemetry off unless `env` says otherwise. */
export async function startOrchestrator(infrastructure: OrchestratorInfrastructure, options: StartOptions = {}): Promise<OrchestratorProcess> {
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const { topics } = infrastructure;
  const output: string[] = [];
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/dunning-orchestrator/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      HTTP_PORT: String(port),
      DATABASE_URL: infrastructure.databaseUrl,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      DUNNING_CLOCK: 'simulated',
      DUNNING_CLOCK_START: '2026-03-01T10:00:00Z',
      ORCHESTRATOR_CONSUMER_GROUP: infrastructure.group,
      ORCHESTRATOR_TOPIC_INVOICES: topics.invoices,
      ORCHESTRATOR_TOPIC_SCORES: topics.scores,
      ORCHESTRATOR_TOPIC_DELIVERIES: topics.deliveries,
      ORCHESTRATOR_TOPIC_COLLECTION: topics.collectionCases,
      ORCHESTRATOR_TOPIC_ACTIONS: topics.actions,
      OTEL_SDK_DISABLED: 'true',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));

  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const waitForExit = () => new Promise<void>((resolve) => (exited() ? resolve() : child.once('exit', () => resolve())));
  const alive = () => {
    if (exited()) throw new Error(`service exited: ${output.join('').slice(-2000)}`);
  };
  return {
    child,
    port,
    baseUrl,
    output,
    alive,
    async ready(timeoutMs = 60_000) {
      await waitFor(
        async () => {
          alive();
          return (await fetch(`${baseUrl}/health/ready`).catch(() => undefined))?.status === 200;
        },
        { timeoutMs, description: 'the orchestrator to be ready' },
      );
    },
    async setClock(now: string) {
      const response = await fetch(`${baseUrl}/admin/clock`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ now }) });
      if (response.status !== 200) throw new Error(`PUT /admin/clock ${now} answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
      return (await response.json()) as { now: string; work: { timersFired: number } };
    },
    async kill9() {
      if (exited()) return;
      const done = waitForExit();
      child.kill('SIGKILL');
      await done;
    },
    async stop(graceMs = 10_000) {
      if (exited()) return;
      const done = waitForExit();
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      if (!exited()) {
        child.kill('SIGKILL');
        await done;
      }
    },
  };
}
