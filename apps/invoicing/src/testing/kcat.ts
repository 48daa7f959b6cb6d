import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaBrokers } from '@dunning/testing';
import type { CloudEventJson } from './fixtures';

const execFileAsync = promisify(execFile);

/**
 * Produces one record with kcat (librdkafka), a client independent of the service's kafkajs:
 * what billing systems will do with "any Kafka client".
 */
export async function produceWithKcat(topic: string, key: string | null, value: string, headers: Record<string, string> = {}): Promise<void> {
  const args = ['-P', '-b', kafkaBrokers().join(','), '-t', topic, '-X', 'broker.address.family=v4', '-D', '\u0001'];
  if (key !== null) args.push('-k', key);
  for (const [name, headerValue] of Object.entries(headers)) args.push('-H', `${name}=${headerValue}`);
  await new Promise<void>((resolve, reject) => {
    const child = execFile('kcat', args, { timeout: 30_000 }, (error) => (error ? reject(error) : resolve()));
    child.stdin?.end(value);
  });
}

/** Binary content mode: attributes as ce_* headers, data as the value. */
export function produceBinary(topic: string, event: CloudEventJson, key: string | null = event.data.customerId, extraHeaders: Record<string, string> = {}): Promise<void> {
  return produceWithKcat(topic, key, JSON.stringify(event.data), {
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    ...(event.time ? { ce_time: event.time } : {}),
    'content-type': 'application/json',
    ...extraHeaders,
  });
}

/** Structured content mode: the whole CloudEvent as the value. */
export function produceStructured(topic: string, event: CloudEventJson, key: string | null = event.data.customerId): Promise<void> {
  return produceWithKcat(topic, key, JSON.stringify(event), { 'content-type': 'application/cloudevents+json' });
}

export { execFileAsync };

/** A record kcat cannot write (a null value, i.e. a tombstone), written with kafkajs. */
export async function produceTombstone(topic: string, key: string | null, headers: Record<string, string>): Promise<void> {
  const producer = new Kafka({ clientId: 'invoicing-test-tombstone', brokers: kafkaBrokers(), logLevel: logLevel.ERROR }).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key, value: null, headers }] });
  } finally {
    await producer.disconnect();
  }
}
