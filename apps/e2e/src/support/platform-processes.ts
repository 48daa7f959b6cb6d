import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { TOPICS } from '@dunning/contracts';
import { createTopic, kafkaBrokers, uniqueName, waitFor, freePort } from '@dunning/testing';

// The five services as real processes (`node -r @swc-node/register apps/<svc>/src/main.ts`), wired
// by the same script that starts the platform for people: each service's environment is what
// `scripts/platform.sh env <service>` prints, for a platform instance of its own (topics and
// consumer groups under a per-run prefix, fresh databases, free ports, its own secrets). On top of
// that a test may only add tunables (poll intervals, the simulated clock, a policy file), never
// wiring: a wiring mistake in platform.sh fails these tests.

const execFileAsync = promisify(execFile);
export const REPO = resolve(__dirname, '../../../..');

export const SERVICE_NAMES = ['invoicing', 'scoring', 'dunning-orchestrator', 'notifier', 'collection-handoff'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The suffix platform.sh gives each service's database (`<instance>_<suffix>`). */
const DATABASE_SUFFIX: Record<ServiceName, string> = {
  invoicing: 'invoicing',
  scoring: 'scoring',
  'dunning-orchestrator': 'orchestrator',
  notifier: 'notifier',
  'collection-handoff': 'collection',
};

export type Environment = Readonly<Record<string, string>>;

export interface PlatformOptions {
  /** `zipkin`: spans go to the local Zipkin server (deploy/local/peers/zipkin.sh). */
  readonly traces: 'zipkin' | 'none';
  /** Knobs platform.sh reads from its caller (ORCHESTRATOR_CLOCK, DUNNING_POLICY_FILE, …). */
  readonly platformKnobs?: Environment;
  /** Tunables added to one service's environment after platform.sh's (never wiring). */
  readonly tunables?: Partial<Record<ServiceName, Environment>>;
}

export interface RunningService {
  readonly name: ServiceName;
  readonly url: string;
  readonly env: Environment;
  readonly database: string;
  readonly logFile: string;
  readonly process: ChildProcess;
}

export interface RunningPlatform {
  /** The platform instance: the prefix of its topics and consumer groups, and of its databases. */
  readonly instance: string;
  readonly topics: { readonly [K in keyof typeof TOPICS]: string };
  readonly services: Readonly<Record<ServiceName, RunningService>>;
  readonly secretsDir: string;
  readonly logDir: string;
  /** A generated secret of this run (e.g. `api-key-billing`). */
  secret(name: string): string;
  /** The last lines each service logged, for a failure message. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}


/** KEY=VALUE lines into an object; a value may contain '='. */
export function parseEnvironment(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const equals = line.indexOf('=');
    if (equals <= 0) throw new Error(`not a KEY=VALUE line: ${line}`);
    env[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return env;
}

/** What `scripts/platform.sh env <service>` prints for the given knobs. */
export async function platformEnvironment(service: ServiceName, knobs: Environment): Promise<Record<string, string>> {
  const { stdout } = await execFileAsync('bash', [join(REPO, 'scripts/platform.sh'), 'env', service], {
    cwd: REPO,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', ...knobs },
  });
  return parseEnvironment(stdout);
}

async function dropDatabase(admin: Client, database: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
}

/** Variables the services read: set by platform.sh or a test's tunables, never inherited from the test runner. */
const INHERITED_BUT_OURS = /^(OTEL_|KAFKA_BROKERS$|DATABASE_URL$|HTTP_|INVOICING_|SCORING_|ORCHESTRATOR_|NOTIFIER_|COLLECTION_|SMTP_|KANNEL_|AGENCY_|DUNNING_POLICY_FILE$)/;

function inheritedEnvironment(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !INHERITED_BUT_OURS.test(entry[0])));
}

/**
 * Starts the five services of a fresh platform instance and waits until each answers
 * /health/ready. The instance's topics are created first (3 partitions), its databases are new.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const instance = uniqueName('e2e').replace(/-/g, '_').toLowerCase();
  const ports = await Promise.all(SERVICE_NAMES.map(() => freePort()));
  const secretsDir = mkdtempSync(join(tmpdir(), `${instance}-secrets-`));
  const logDir = join(REPO, 'tmp', 'e2e', instance);
  mkdirSync(logDir, { recursive: true });
  const knobs: Environment = {
    ...options.platformKnobs,
    PLATFORM_INSTANCE: instance,
    PLATFORM_HTTP_PORTS: ports.join(' '),
    // Several runs share the machine with a running platform: no fixed metrics ports here.
    PLATFORM_METRICS: 'off',
    PLATFORM_TRACES: options.traces,
    PLATFORM_SECRETS_DIR: secretsDir,
    KAFKA_BROKERS: kafkaBrokers().join(','),
  };
  const topics = Object.fromEntries(Object.entries(TOPICS).map(([key, name]) => [key, `${instance}.${name}`])) as RunningPlatform['topics'];
  for (const topic of Object.values(topics)) await createTopic(kafkaBrokers(), topic);

  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  const running: Partial<Record<ServiceName, RunningService>> = {};
  const logs: WriteStream[] = [];
  const tails = new Map<ServiceName, string[]>();
  try {
    // Secrets first, once: the five `env` calls must not race to create them.
    await platformEnvironment('invoicing', knobs);
    for (const [index, name] of SERVICE_NAMES.entries()) {
      const env = { ...(await platformEnvironment(name, knobs)), ...options.tunables?.[name] };
      const database = `${instance}_${DATABASE_SUFFIX[name]}`;
      if (!env['DATABASE_URL']?.endsWith(`/${database}`)) throw new Error(`platform.sh gave ${name} DATABASE_URL=${env['DATABASE_URL']}, expected a database named ${database}`);
      await admin.query(`CREATE DATABASE "${database}"`);
      const logFile = join(logDir, `${name}.log`);
      const log = createWriteStream(logFile);
      logs.push(log);
      const tail: string[] = [];
      tails.set(name, tail);
      const child = spawn(process.execPath, ['-r', '@swc-node/register', `apps/${name}/src/main.ts`], {
        cwd: REPO,
        env: { ...inheritedEnvironment(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const keep = (chunk: Buffer): void => {
        log.write(chunk);
        tail.push(chunk.toString());
        if (tail.length > 200) tail.splice(0, tail.length - 200);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      running[name] = { name, url: `http://127.0.0.1:${ports[index]}`, env, database, logFile, process: child };
    }
  } catch (error) {
    for (const service of Object.values(running)) service.process.kill('SIGKILL');
    await admin.end();
    throw error;
  }
  const services = running as Record<ServiceName, RunningService>;

  const logTail = (lines = 15): string =>
    SERVICE_NAMES.map((name) => `--- ${name} (${services[name].logFile})\n${(tails.get(name) ?? []).join('').split('\n').slice(-lines).join('\n')}`).join('\n');

  const stop = async (): Promise<void> => {
    await Promise.all(
      SERVICE_NAMES.map(async (name) => {
        const child = services[name].process;
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    for (const log of logs) log.end();
    for (const name of SERVICE_NAMES) await dropDatabase(admin, services[name].database);
    await admin.end();
    const kafkaAdmin = new Kafka({ clientId: instance, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await kafkaAdmin.connect();
    try {
      const ours = (await kafkaAdmin.listTopics()).filter((topic) => topic.startsWith(`${instance}.`));
      if (ours.length > 0) await kafkaAdmin.deleteTopics({ topics: ours });
    } finally {
      await kafkaAdmin.disconnect();
    }
    rmSync(secretsDir, { recursive: true, force: true });
  };

  try {
    for (const name of SERVICE_NAMES) {
      const service = services[name];
      await waitFor(
        async () => {
          if (service.process.exitCode !== null || service.process.signalCode !== null) {
            throw new Error(`${name} exited (${service.process.exitCode ?? service.process.signalCode}):\n${logTail(40)}`);
          }
          const response = await fetch(`${service.url}/health/ready`).catch(() => undefined);
          return response?.status === 200 ? true : undefined;
        },
        { timeoutMs: 150_000, description: `${name} to answer /health/ready` },
      );
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  return {
    instance,
    topics,
    services,
    secretsDir,
    logDir,
    secret: (name) => readFileSync(join(secretsDir, name), 'utf8'),
    logTail,
    stop,
  };
}

