import { decodeRecord, scoringEventRegistry, type ScoringEvent } from '@dunning/contracts';
import { kafkaBrokers, uniqueName } from '@dunning/testing';
import { Kafka, logLevel, type KafkaMessage, type Producer } from 'kafkajs';
import type { RunningScoring } from './scoring-app';

/** A producer towards scoring's input topics and a reader of every score it publishes, for one test file. */
export interface ScoreTraffic {
  readonly producer: Producer;
  close(): Promise<void>;
}

/**
 * Connects an idempotent producer and a fresh consumer group on `scoring.scores.v1` (from the beginning)
 * that hands every published score, decoded by the contract, to `onScore`. An undecodable score fails
 * the consumer loudly: scoring must never publish one.
 */
export async function connectScoreTraffic(
  scoring: RunningScoring,
  clientId: string,
  onScore: (event: ScoringEvent, message: KafkaMessage) => void,
): Promise<ScoreTraffic> {
  const kafka = new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.ERROR });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: uniqueName(`${clientId}-scores`) });
  await consumer.connect();
  await consumer.subscribe({ topics: [scoring.settings.topics.scores], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const decoded = decodeRecord(message, scoringEventRegistry);
      if (!decoded.ok) throw new Error(`an invalid score was published: ${decoded.error.reason}`);
      onScore(decoded.event, message);
    },
  });
  return {
    producer,
    async close() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
