import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { createTopic, kafkaBrokers, readTopicWithKcat, uniqueName } from './kafka-helpers';

// The local broker (deploy/local/kafka.sh) carries records written by kafkajs unchanged, as seen
// by an independent client (kcat / librdkafka): keys, values, and every header, in order per key.
describe('local Kafka broker, written with kafkajs and read back with kcat', () => {
  const kafka = new Kafka({ clientId: uniqueName('kafka-broker-int'), brokers: kafkaBrokers(), logLevel: logLevel.ERROR });
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    admin = kafka.admin();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await Promise.all([admin.connect(), producer.connect()]);
  });

  afterAll(async () => {
    await Promise.allSettled([producer?.disconnect(), admin?.disconnect()]);
  });

  it('keeps keys, values and CloudEvents / trace-context headers intact, ordered per key', async () => {
    const topic = await createTopic(admin, uniqueName('testing.kafka-broker'), 3);
    const sent = ['customer-a', 'customer-b', 'customer-a', 'customer-c', 'customer-a'].map((customerId, i) => ({
      key: customerId,
      value: JSON.stringify({ seq: i, amount: { minor: 1000 + i, currency: 'SEK' } }),
      headers: {
        ce_specversion: '1.0',
        ce_id: randomUUID(),
        ce_source: 'urn:test:billing',
        ce_type: i % 2 === 0 ? 'billing.invoice.issued' : 'billing.payment.received',
        'content-type': 'application/json',
        traceparent: `00-${randomUUID().replace(/-/g, '')}-${randomUUID().replace(/-/g, '').slice(0, 16)}-01`,
      },
    }));

    await producer.send({ topic, acks: -1, messages: sent });
    const read = await readTopicWithKcat(topic, { minRecords: sent.length });

    expect(read).toHaveLength(sent.length);
    const byCeId = new Map(read.map((record) => [Object.fromEntries(record.headers)['ce_id'], record]));
    for (const message of sent) {
      const record = byCeId.get(message.headers.ce_id);
      expect(record).toMatchObject({ topic, key: message.key, value: message.value });
      expect(record?.headers).toEqual(Object.entries(message.headers));
    }

    // Same key, same partition, in send order: the ordering promise the ingress contract relies on.
    const customerA = read.filter((record) => record.key === 'customer-a');
    expect(new Set(customerA.map((record) => record.partition)).size).toBe(1);
    expect(customerA.map((record) => JSON.parse(record.value ?? '{}').seq)).toEqual([0, 2, 4]);
  });

  it('reads an empty, freshly created topic as no records', async () => {
    const topic = await createTopic(kafkaBrokers(), uniqueName('testing.kafka-broker-empty'), 1);
    await expect(readTopicWithKcat(topic)).resolves.toEqual([]);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(1);
  });
});
