import { Kafka, logLevel } from 'kafkajs';
import { kafkaBrokers } from '@dunning/testing';

export function testKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
}

/** Settings that make group changes quick in tests: a dead member is noticed within seconds. */
export const fastGroupConfig = {
  sessionTimeout: 6_000,
  rebalanceTimeout: 10_000,
  heartbeatInterval: 500,
  maxWaitTimeInMs: 200,
} as const;
