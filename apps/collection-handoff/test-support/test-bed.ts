import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { encodeBinary, type CloudEventLike } from '@dunning/contracts';
import { createTopic, kafkaBrokers, uniqueName } from '@dunning/testing';
import { TEST_DATABASE_URL } from './postgres';
import { AgencyMock } from './wiremock';

/**
 * What an end-to-end test of collection-handoff stands on: fresh topics and a fresh database of its
 * own, a drop folder for the file agency, an idempotent producer, and the WireMock agency's stubs
 * (cleaned up afterwards). `setUp` creates them; `tearDown` closes the app and removes them all.
 */
export interface CollectionTestBed {
  readonly run: string;
  readonly topics: { readonly invoices: string; readonly actions: string; readonly cases: string };
  readonly databaseUrl: string;
  readonly mock: AgencyMock;
  setUp(): Promise<{ dropDir: string; producer: Producer }>;
  send(topic: string, events: CloudEventLike[]): Promise<unknown>;
  tearDown(app: INestApplication | undefined): Promise<void>;
}

export function collectionTestBed(runPrefix: string, databasePrefix: string): CollectionTestBed {
  const run = uniqueName(runPrefix);
  const topics = { invoices: `${run}.invoices`, actions: `${run}.actions`, cases: `${run}.cases` };
  const database = `${databasePrefix}_${run.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
  const admin = new Client({ connectionString: Object.assign(new URL(TEST_DATABASE_URL), { pathname: '/postgres' }).toString() });
  const mock = new AgencyMock();
  let dropDir: string | undefined;
  let producer: Producer | undefined;
  return {
    run,
    topics,
    databaseUrl: Object.assign(new URL(TEST_DATABASE_URL), { pathname: `/${database}` }).toString(),
    mock,
    async setUp() {
      dropDir = await fs.mkdtemp(path.join(os.tmpdir(), `${runPrefix}-`));
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      for (const topic of Object.values(topics)) await createTopic(kafkaBrokers(), topic);
      producer = new Kafka({ clientId: run, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      return { dropDir, producer };
    },
    send(topic, events) {
      if (!producer) throw new Error('collectionTestBed: send before setUp');
      return producer.send({ topic, acks: -1, messages: events.map((event) => encodeBinary(event)) });
    },
    async tearDown(app) {
      await producer?.disconnect();
      await app?.close();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
      await mock.cleanUp();
      if (dropDir) await fs.rm(dropDir, { recursive: true, force: true });
    },
  };
}
