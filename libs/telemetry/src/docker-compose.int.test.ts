import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

// docker-compose.yml must run the same platform as deploy/local/ and scripts/platform.sh: the same
// services, ports, databases, Kafka version and environment variable names. Docker itself is not
// needed: deploy/docker/check-compose.sh validates the file with a real Compose implementation.

const execFileAsync = promisify(execFile);
const repo = join(__dirname, '..', '..', '..');
const read = (path: string): string => readFileSync(join(repo, path), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;

/** The services and ports scripts/platform.sh starts locally. */
function localServicePorts(): Map<string, string> {
  const script = read('scripts/platform.sh');
  const names = /^services=\(([^)]*)\)/m.exec(script)?.[1]?.trim().split(/\s+/) ?? [];
  const ports = /^ports=\(([^)]*)\)/m.exec(script)?.[1]?.trim().split(/\s+/) ?? [];
  return new Map(names.map((name, i) => [name, ports[i] ?? '']));
}

/** The databases deploy/local/postgres.sh creates. */
function localDatabases(): string[] {
  const list = /^databases=\(([^)]*)\)/m.exec(read('deploy/local/postgres.sh'))?.[1] ?? '';
  return list.split(/\s+/).filter((name) => name.startsWith('dunning_'));
}

/** Variable names a service is given or reads: the local scripts and libs/platform's config loader. */
function serviceVariableNames(): Set<string> {
  const sources = [read('scripts/platform.sh'), read('deploy/local/up.sh'), read('libs/platform/src/service-config.ts')];
  const names = sources.flatMap((text) => text.match(/\b(?:KAFKA_BROKERS|DATABASE_URL|HTTP_(?:PORT|HOST)|OTEL_[A-Z_]+)\b/g) ?? []);
  return new Set(names);
}

function service(name: string): ComposeService {
  const found = services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service '${name}'`);
  return found;
}

describe('docker-compose.yml', () => {
  const apps = localServicePorts();

  it('runs the five services that scripts/platform.sh runs', () => {
    expect([...apps.keys()].sort()).toEqual(['collection-handoff', 'dunning-orchestrator', 'invoicing', 'notifier', 'scoring']);
    for (const name of apps.keys()) expect(Object.keys(services)).toContain(name);
  });

  it('pins the Kafka image to the version deploy/local pins', () => {
    const pinned = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(read('deploy/local/kafka/pom.xml'))?.[1];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(service('kafka').image).toBe(`apache/kafka:${pinned}`);
    expect(service('kafka').environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
  });

  it('creates every service database in PostgreSQL 15', () => {
    expect(service('postgres').image).toBe('postgres:15');
    const initMount = service('postgres').volumes?.find((volume) => volume.includes('/docker-entrypoint-initdb.d/'));
    const initScript = read(initMount?.split(':')[0] ?? 'missing');
    const created = [...initScript.matchAll(/CREATE DATABASE (\w+);/g)].map((match) => match[1]);
    const neededByServices = localDatabases().filter((name) => name !== 'dunning_test');
    expect(created.sort()).toEqual(neededByServices.sort());
    expect(neededByServices).toHaveLength(5);
  });

  it('has the tracing backend deploy/local runs: Zipkin, at the version its POM pins', () => {
    const pinned = /<zipkin\.version>([^<]+)<\/zipkin\.version>/.exec(read('deploy/local/peers/zipkin/pom.xml'))?.[1];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(service('zipkin').image).toBe(`openzipkin/zipkin:${pinned}`);
  });

  describe.each([...localServicePorts()])('service %s', (name, port) => {
    const app = service(name);
    const env = app.environment ?? {};

    it('is built from the one Dockerfile and runs its main.ts', () => {
      expect(app.build).toEqual({ context: '.', dockerfile: 'deploy/docker/Dockerfile' });
      expect(app.command).toEqual(['node', '-r', '@swc-node/register', `apps/${name}/src/main.ts`]);
      expect(existsSync(join(repo, 'apps', name, 'src', 'main.ts'))).toBe(true);
    });

    it('gets every variable the local scripts give it, with the local port and its own database', () => {
      for (const variable of serviceVariableNames()) expect(Object.keys(env)).toContain(variable);
      expect(env['HTTP_PORT']).toBe(port);
      expect(env['OTEL_SERVICE_NAME']).toBe(name);
      expect(env['KAFKA_BROKERS']).toBe('kafka:19092');
      expect(localDatabases()).toContain(new URL(env['DATABASE_URL'] ?? '').pathname.slice(1));
      expect(new URL(env['DATABASE_URL'] ?? '').hostname).toBe('postgres');
    });

    it('exports traces to the tracing backend', () => {
      expect(env['OTEL_TRACES_EXPORTER']).toBe('zipkin');
      expect(env['OTEL_EXPORTER_ZIPKIN_ENDPOINT']).toBe('http://zipkin:9411/api/v2/spans');
      expect(env['OTEL_METRICS_EXPORTER']).toBe('prometheus');
    });

    it('waits for healthy Kafka and PostgreSQL and reports readiness from /health/ready', () => {
      expect(app.depends_on).toMatchObject({ kafka: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' }, zipkin: { condition: 'service_started' } });
      expect(app.healthcheck?.test).toEqual(['CMD', 'node', 'deploy/docker/healthcheck.js', port]);
      expect(read('deploy/docker/healthcheck.js')).toContain('/health/ready');
    });
  });

  it('names only files that exist', () => {
    for (const path of ['deploy/docker/Dockerfile', 'deploy/docker/healthcheck.js', 'deploy/docker/prometheus.yml', 'deploy/docker/postgres/init-databases.sql']) {
      expect(existsSync(join(repo, path))).toBe(true);
    }
    const dockerfile = read('deploy/docker/Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toContain('RUN npm ci');
  });
});

describe('deploy/docker/check-compose.sh', () => {
  // The first run may install Debian's docker-compose.
  const timeout = 300_000;
  const check = (file?: string) => execFileAsync('bash', ['deploy/docker/check-compose.sh', ...(file === undefined ? [] : [file])], { cwd: repo, timeout });

  it('accepts docker-compose.yml', async () => {
    const { stderr } = await check();
    expect(stderr).toContain('check-compose: valid:');
  }, timeout);

  it('rejects a Compose file with a broken dependency', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-check-'));
    try {
      const broken = join(dir, 'docker-compose.yml');
      writeFileSync(broken, read('docker-compose.yml').replace(/condition: service_healthy/g, 'condition: service_sometimes'));
      await expect(check(broken)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('service_sometimes') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, timeout);
});
