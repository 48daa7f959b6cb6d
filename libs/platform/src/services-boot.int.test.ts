import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { waitFor, freePort } from '@dunning/testing';
import { SERVICES, type ServiceName } from './service-config';

/**
 * Boots each of the five services as its own process, against a broker of its own (so that
 * stopping it does not disturb other tests) and a fresh database per service, and checks that
 * migrations ran, that both health endpoints answer, and that readiness turns false when the
 * broker is stopped.
 */
const repo = path.resolve(__dirname, '../../..');
const kafkaScript = path.join(repo, 'deploy/local/kafka.sh');
const runId = `${process.pid}_${Date.now().toString(36)}`;
const brokerEnv = {
  ...process.env,
  KAFKA_PORT: '19192',
  KAFKA_CONTROLLER_PORT: '19193',
  KAFKA_STATE_DIR: path.join(repo, 'tmp', `boot-test-kafka-${runId}`),
};
const services = Object.keys(SERVICES) as ServiceName[];
const adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

interface RunningService {
  name: ServiceName;
  process: ChildProcess;
  baseUrl: string;
  database: string;
  output: string[];
}


function kafka(command: 'start' | 'stop'): void {
  const result = spawnSync('bash', [kafkaScript, command], { env: brokerEnv, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kafka.sh ${command} failed: ${result.stderr}`);
}

async function readiness(service: RunningService): Promise<number> {
  const response = await fetch(`${service.baseUrl}/health/ready`);
  return response.status;
}

describe('the five services boot against the real broker and database', () => {
  const running: RunningService[] = [];
  const admin = new Client({ connectionString: adminUrl });

  beforeAll(async () => {
    kafka('start');
    await admin.connect();
    for (const name of services) {
      const database = `dunning_boot_${name.replace(/-/g, '_')}_${runId}`;
      await admin.query(`CREATE DATABASE ${database}`);
      const port = await freePort();
      const output: string[] = [];
      const child = spawn(process.execPath, ['-r', '@swc-node/register', `apps/${name}/src/main.ts`], {
        cwd: repo,
        env: {
          ...process.env,
          HTTP_PORT: String(port),
          KAFKA_BROKERS: '127.0.0.1:19192',
          DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      running.push({ name, process: child, baseUrl: `http://127.0.0.1:${port}`, database, output });
    }
  });

  afterAll(async () => {
    for (const service of running) service.process.kill('SIGTERM');
    await Promise.all(
      running.map((service) =>
        service.process.exitCode !== null ? undefined : new Promise((resolve) => service.process.once('exit', resolve)),
      ),
    );
    for (const service of running) await admin.query(`DROP DATABASE IF EXISTS ${service.database}`);
    await admin.end();
    try {
      kafka('stop');
    } catch {
      // already stopped by the test
    }
  });

  it('answers /health/live, is ready, and ran its migrations', async () => {
    for (const service of running) {
      const status = await waitFor(
        async () => {
          if (service.process.exitCode !== null) throw new Error(`${service.name} exited: ${service.output.join('')}`);
          return (await readiness(service)) === 200 ? 200 : undefined;
        },
        { timeoutMs: 60_000, description: `${service.name} to become ready` },
      );
      expect(status).toBe(200);

      const live = await fetch(`${service.baseUrl}/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'ok', service: service.name });

      const db = new Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${service.database}` });
      await db.connect();
      try {
        const migrations = await db.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
        expect(migrations.rows.map((row) => row.name)).toContain('Baseline1763800000000');
        const owner = await db.query<{ service: string }>('SELECT service FROM service_owner');
        expect(owner.rows).toEqual([{ service: service.name }]);
      } finally {
        await db.end();
      }
    }
  });

  it('turns readiness false when the broker stops, while staying live', async () => {
    kafka('stop');
    for (const service of running) {
      const body = await waitFor(
        async () => {
          const response = await fetch(`${service.baseUrl}/health/ready`);
          return response.status === 503 ? ((await response.json()) as { details: Record<string, { status: string }> }) : undefined;
        },
        { timeoutMs: 30_000, description: `${service.name} readiness to turn false` },
      );
      expect(body.details['kafka']?.status).toBe('down');
      expect(body.details['database']?.status).toBe('up');
      expect((await fetch(`${service.baseUrl}/health/live`)).status).toBe(200);
    }
  });
});
