import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { waitFor } from './wait-for';

const execFileAsync = promisify(execFile);

/** Brokers from KAFKA_BROKERS (comma-separated), default the local broker of deploy/local/kafka.sh. */
export function kafkaBrokers(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env['KAFKA_BROKERS']?.trim() || '127.0.0.1:9092';
  return raw
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}

/**
 * A name no other test (or earlier run) uses: for topics, consumer groups, transactional ids,
 * databases. Only [a-z0-9-] are added, so a valid Kafka topic prefix stays valid.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * Creates a topic and returns once every partition has a leader, so a producer sending right
 * after never meets LEADER_NOT_AVAILABLE. Accepts a connected kafkajs Admin, or brokers (then a
 * short-lived admin client is used).
 */
export async function createTopic(adminOrBrokers: Admin | string[], topic: string, partitions = 3): Promise<string> {
  if (Array.isArray(adminOrBrokers)) {
    const admin = new Kafka({ clientId: 'testing-create-topic', brokers: adminOrBrokers, logLevel: logLevel.ERROR }).admin();
    await admin.connect();
    try {
      return await createTopic(admin, topic, partitions);
    } finally {
      await admin.disconnect();
    }
  }
  const admin = adminOrBrokers;
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  if (!created) throw new Error(`topic ${topic} already exists; tests must use fresh topic names (uniqueName)`);
  await waitFor(
    async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const found = metadata.topics.find((t) => t.name === topic);
      return found?.partitions.length === partitions && found.partitions.every((p) => p.leader >= 0);
    },
    { timeoutMs: 15_000, description: `leaders for all ${partitions} partitions of ${topic}` },
  );
  return topic;
}

/** One record as read by kcat, an independent client (librdkafka), from its `-J` output. */
export interface KcatRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  /** In record order; a header name may repeat. */
  headers: Array<[name: string, value: string | null]>;
}

export interface ReadTopicWithKcatOptions {
  brokers?: string[];
  /** Keep re-reading until at least this many records are there (default: read once). */
  minRecords?: number;
  timeoutMs?: number;
}

interface KcatJsonLine {
  topic: string;
  partition: number;
  offset: number;
  ts: number;
  key: string | null;
  payload: string | null;
  headers?: Array<string | null>;
}

/**
 * Reads a whole topic from the beginning with kcat (`-C -e -J`), i.e. with a client that shares
 * no code with kafkajs, so a test can check what really is on the wire. Records come sorted by
 * partition, then offset. Needs `kcat` (scripts/ensure-tools.sh installs it).
 */
export async function readTopicWithKcat(topic: string, options: ReadTopicWithKcatOptions = {}): Promise<KcatRecord[]> {
  const brokers = (options.brokers ?? kafkaBrokers()).join(',');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const readOnce = async (): Promise<KcatRecord[]> => {
    const { stdout } = await execFileAsync(
      'kcat',
      ['-C', '-b', brokers, '-t', topic, '-o', 'beginning', '-e', '-J', '-q', '-m', '10', '-X', 'broker.address.family=v4'],
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
    );
    return parseKcatJson(stdout);
  };
  if (options.minRecords === undefined) return readOnce();
  const minRecords = options.minRecords;
  return waitFor(
    async () => {
      const records = await readOnce();
      return records.length >= minRecords ? records : undefined;
    },
    { timeoutMs, intervalMs: 250, description: `${minRecords} records on ${topic} (read with kcat)` },
  );
}

/** Parses kcat `-J` output (one JSON object per line). Exported for its unit test. */
export function parseKcatJson(stdout: string): KcatRecord[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => {
      const raw = JSON.parse(line) as KcatJsonLine;
      const flat = raw.headers ?? [];
      const headers: Array<[string, string | null]> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) headers.push([String(flat[i]), flat[i + 1] ?? null]);
      return {
        topic: raw.topic,
        partition: raw.partition,
        offset: raw.offset,
        timestamp: raw.ts,
        key: raw.key,
        value: raw.payload,
        headers,
      };
    })
    .sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
