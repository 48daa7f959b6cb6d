import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadServiceConfig } from '@dunning/platform';
import { createDatabase as createPostgresDatabase, createTopic, dropDatabase, kafkaBrokers, postgresDatabaseUrl, uniqueName } from '@dunning/testing';
import { ScoringModule } from '../src/scoring.module';
import { ScoringRuntime } from '../src/scoring-runtime';
import { DEFAULT_SCORING_SETTINGS, type ScoringSettings } from '../src/scoring-settings';

export async function createDatabase(prefix: string): Promise<string> {
  const name = uniqueName(prefix).replace(/-/g, '_');
  await createPostgresDatabase(name);
  return name;
}

export { dropDatabase };

/** A clock the test moves by hand. */
export class TestClock {
  constructor(private current: Date) {}
  readonly now = (): Date => new Date(this.current);
  set(instant: string): void {
    this.current = new Date(instant);
  }
}

export interface RunningScoring {
  readonly app: INestApplication;
  readonly runtime: ScoringRuntime;
  readonly baseUrl: string;
  readonly database: string;
  readonly settings: ScoringSettings;
  close(): Promise<void>;
}

/** Boots the whole scoring service (HTTP on a free port) against a fresh database and fresh topics. */
export async function startScoring(clock: TestClock, overrides: Partial<ScoringSettings> = {}): Promise<RunningScoring> {
  const database = await createDatabase('scoring_it');
  const brokers = kafkaBrokers();
  const topics = {
    invoices: await createTopic(brokers, uniqueName('it-invoices'), 3),
    actions: await createTopic(brokers, uniqueName('it-actions'), 3),
    scores: await createTopic(brokers, uniqueName('it-scores'), 3),
  };
  const settings: ScoringSettings = {
    ...DEFAULT_SCORING_SETTINGS,
    topics,
    consumerGroups: { invoices: uniqueName('it-scoring-features'), actions: uniqueName('it-scoring-arms') },
    overdueScanIntervalMs: 200,
    relayPollIntervalMs: 100,
    championRefreshIntervalMs: 1_000,
    retrain: { ...DEFAULT_SCORING_SETTINGS.retrain, enabled: false },
    ...overrides,
  };
  const config = loadServiceConfig('scoring', { KAFKA_BROKERS: brokers.join(','), DATABASE_URL: postgresDatabaseUrl(database), HTTP_PORT: '0' });
  const app = await NestFactory.create(ScoringModule.forRoot(config, { settings, clock: clock.now }), { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const runtime = app.get(ScoringRuntime);
  await runtime.consumersStarted();
  return {
    app,
    runtime,
    baseUrl: `http://127.0.0.1:${address.port}`,
    database,
    settings,
    async close() {
      await app.close();
      await dropDatabase(database);
    },
  };
}
