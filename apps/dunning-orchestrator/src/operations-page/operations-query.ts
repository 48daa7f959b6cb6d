import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { SqlClient } from '@dunning/messaging';
import type { Policy } from '../domain';
import type { ExperimentResults } from '../domain/experiments/results';
import { queryExperimentResults } from '../experiments/experiment-results.query';
import type { OperationsSnapshot } from './operations-view';

export interface PartitionOffsets {
  readonly partition: number;
  readonly low: number;
  readonly high: number;
}

/** Reads partition offsets; a topic the broker does not have maps to undefined. */
export interface TopicOffsetsReader {
  offsets(topics: readonly string[]): Promise<Map<string, readonly PartitionOffsets[] | undefined>>;
  close(): Promise<void>;
}

/** kafkajs admin, connected on first use and kept; dropped after a failure so the next read reconnects. */
export class KafkaTopicOffsetsReader implements TopicOffsetsReader {
  private admin: Promise<Admin> | undefined;
  private readonly kafka: Kafka;

  constructor(brokers: readonly string[]) {
    this.kafka = new Kafka({ clientId: 'dunning-orchestrator-ops', brokers: [...brokers], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  }

  async offsets(topics: readonly string[]): Promise<Map<string, readonly PartitionOffsets[] | undefined>> {
    try {
      const admin = await this.connected();
      const existing = new Set(await admin.listTopics());
      const result = new Map<string, readonly PartitionOffsets[] | undefined>();
      for (const topic of topics) {
        if (!existing.has(topic)) {
          result.set(topic, undefined);
          continue;
        }
        const partitions = await admin.fetchTopicOffsets(topic);
        result.set(
          topic,
          partitions.map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) })).sort((a, b) => a.partition - b.partition),
        );
      }
      return result;
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await admin.then((connected) => connected.disconnect()).catch(() => undefined);
  }

  private connected(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      this.admin = admin.connect().then(() => admin);
    }
    return this.admin;
  }
}

export interface OperationsQueryDeps {
  readonly db: SqlClient;
  readonly schema: string;
  readonly messagingSchema: string;
  readonly consumerGroup: string;
  /** The topics the orchestrator consumes (lag is measured on these). */
  readonly inputTopics: readonly string[];
  /** Every topic whose `<topic>.dlq` is reported (inputs and the actions topic). */
  readonly platformTopics: readonly string[];
  readonly policy: Policy;
  readonly now: () => Date;
  readonly kafka: TopicOffsetsReader;
}

const dlqOf = (topic: string): string => `${topic}.dlq`;

/** Gathers the page's figures from the orchestrator's database and the broker's offsets. */
export class OperationsQuery {
  constructor(private readonly deps: OperationsQueryDeps) {}

  async snapshot(): Promise<OperationsSnapshot> {
    const { deps } = this;
    const now = deps.now();
    const problems: string[] = [];
    const s = `"${deps.schema}"`;

    const cases = await deps.db.query<{ state: string; cases: string }>(`SELECT status AS state, count(*) AS cases FROM ${s}.cases GROUP BY status ORDER BY status`);
    // The day is the decision's own time (requestedAt, from the orchestrator's clock): with a
    // simulated clock that is the simulated day, not when the row happened to be written.
    const actions = await deps.db.query<{ day: string; kind: string; channel: string | null; actions: string }>(
      `SELECT to_char((data->'action'->>'requestedAt')::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
              data->'action'->>'kind' AS kind, data->'action'->>'channel' AS channel, count(*) AS actions
         FROM ${s}.events WHERE event_type = 'ActionRequested'
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    const stored = await deps.db.query<{ topic: string; partition: number; last_offset: string }>(
      `SELECT topic, partition, last_offset FROM "${deps.messagingSchema}".consumer_offsets WHERE consumer_group = $1 AND topic = ANY($2::text[])`,
      [deps.consumerGroup, [...deps.inputTopics]],
    );
    const experiments: ExperimentResults[] = [];
    for (const experiment of deps.policy.experiments) {
      const results = await queryExperimentResults(deps.db, deps.schema, deps.policy, experiment.id, now);
      if (results) experiments.push(results);
    }

    const deadLetters: { topic: string; sourceTopic: string; records: number | null }[] = [];
    const consumerLag: { topic: string; partition: number; lastOffset: number | null; highWatermark: number; lag: number }[] = [];
    try {
      const offsets = await deps.kafka.offsets([...deps.inputTopics, ...deps.platformTopics.map(dlqOf)]);
      for (const sourceTopic of deps.platformTopics) {
        const partitions = offsets.get(dlqOf(sourceTopic));
        deadLetters.push({ topic: dlqOf(sourceTopic), sourceTopic, records: partitions ? partitions.reduce((sum, p) => sum + (p.high - p.low), 0) : null });
      }
      const lastOffsets = new Map(stored.rows.map((row) => [`${row.topic}\u0000${row.partition}`, Number(row.last_offset)]));
      for (const topic of deps.inputTopics) {
        const partitions = offsets.get(topic);
        if (!partitions) {
          problems.push(`input topic ${topic} does not exist on the broker`);
          continue;
        }
        for (const p of partitions) {
          const lastOffset = lastOffsets.get(`${topic}\u0000${p.partition}`) ?? null;
          // Nothing handled yet: everything still retained is behind (the consumer starts from the beginning).
          const next = lastOffset === null ? p.low : lastOffset + 1;
          consumerLag.push({ topic, partition: p.partition, lastOffset, highWatermark: p.high, lag: Math.max(0, p.high - next) });
        }
      }
    } catch (error) {
      problems.push(`Kafka offsets could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }

    return {
      generatedAt: now.toISOString(),
      policy: { id: deps.policy.id, version: deps.policy.version },
      consumerGroup: deps.consumerGroup,
      casesByState: cases.rows.map((row) => ({ state: row.state, cases: Number(row.cases) })),
      actionsPerDay: actions.rows.map((row) => ({ day: row.day, kind: row.kind, channel: row.channel, actions: Number(row.actions) })),
      deadLetters,
      consumerLag,
      experiments,
      problems,
    };
  }
}
