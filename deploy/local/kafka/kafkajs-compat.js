// Exercises the kafkajs features the platform relies on against one broker and prints a
// line per step (PASS / FAIL with the error). Used to choose the pinned Kafka version:
//   node deploy/local/kafka/kafkajs-compat.js 127.0.0.1:9092
// Exit code 0 when every step passed, 1 otherwise.
'use strict';
const { Kafka, logLevel, CompressionTypes } = require('kafkajs');

const brokers = (process.argv[2] || process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const suffix = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const topic = `compat-${suffix}`;
const groupId = `compat-group-${suffix}`;
const kafka = new Kafka({ clientId: 'kafkajs-compat', brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 } });
const results = [];

async function step(name, fn) {
  const started = Date.now();
  try {
    const detail = await fn();
    results.push({ name, ok: true });
    console.log(`PASS ${name} (${Date.now() - started} ms)${detail ? ` — ${detail}` : ''}`);
  } catch (e) {
    results.push({ name, ok: false });
    const cause = e && e.originalError ? ` [cause: ${e.originalError.message}]` : '';
    console.log(`FAIL ${name}: ${e && e.name}: ${e && e.message}${cause}`);
  }
}

function within(ms, what, promise) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)),
  ]);
}

async function consumeAll(consumer, expected, mode) {
  const seen = [];
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  await consumer.subscribe({ topic, fromBeginning: true });
  const onMessages = async (messages, partition, commit) => {
    for (const m of messages) seen.push({ partition, offset: m.offset, key: m.key && m.key.toString() });
    await commit();
    if (seen.length >= expected) resolveDone();
  };
  if (mode === 'eachBatch') {
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) =>
        onMessages(batch.messages, batch.partition, () =>
          consumer.commitOffsets([
            { topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() },
          ]),
        ),
    });
  } else {
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) =>
        onMessages([message], partition, () =>
          consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]),
        ),
    });
  }
  await within(30000, `${expected} messages`, done);
  return seen;
}

(async () => {
  const admin = kafka.admin();
  await step('admin.connect', () => admin.connect());
  await step('admin.describeCluster', async () => {
    const c = await admin.describeCluster();
    return `clusterId=${c.clusterId} brokers=${c.brokers.length} controller=${c.controller}`;
  });
  await step('admin.createTopics (3 partitions)', async () => {
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
    if (!created) throw new Error('createTopics returned false');
  });
  await step('admin.fetchTopicMetadata', async () => {
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    return `partitions=${md.topics[0].partitions.length}`;
  });

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await step('producer.connect (idempotent)', () => producer.connect());
  await step('producer.send acks=-1 with headers (6 records)', async () => {
    const messages = Array.from({ length: 6 }, (_, i) => ({
      key: `customer-${i % 3}`,
      value: JSON.stringify({ i }),
      headers: { ce_id: `id-${i}`, ce_type: 'billing.invoice.issued' },
    }));
    const r = await producer.send({ topic, acks: -1, messages });
    return `acks from ${r.length} partitions`;
  });
  await step('producer.send gzip', async () => {
    await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: [{ key: 'customer-0', value: 'gz' }] });
  });
  await step('admin.fetchTopicOffsets', async () => {
    const o = await admin.fetchTopicOffsets(topic);
    const total = o.reduce((n, p) => n + Number(p.high), 0);
    if (total !== 7) throw new Error(`expected 7 records, high watermarks add to ${total}`);
    return `high watermarks sum=${total}`;
  });

  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
  await step('consumer.connect', () => consumer.connect());
  await step('consumer group join + eachMessage + commitOffsets', async () => {
    const seen = await consumeAll(consumer, 7, 'eachMessage');
    return `consumed ${seen.length}`;
  });
  await step('admin.describeGroups', async () => {
    const d = await admin.describeGroups([groupId]);
    return `state=${d.groups[0].state} protocolType=${d.groups[0].protocolType} members=${d.groups[0].members.length}`;
  });
  await step('consumer.disconnect (LeaveGroup)', () => consumer.disconnect());
  await step('admin.fetchOffsets (committed)', async () => {
    const r = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = r[0].partitions.reduce((n, p) => n + Number(p.offset), 0);
    if (committed !== 7) throw new Error(`expected committed offsets to add to 7, got ${committed}: ${JSON.stringify(r)}`);
    return `committed sum=${committed}`;
  });
  await step('admin.listGroups', async () => {
    const g = await admin.listGroups();
    if (!g.groups.some((x) => x.groupId === groupId)) throw new Error('group not listed');
    return `${g.groups.length} groups`;
  });
  await step('admin.resetOffsets + re-consume with eachBatch', async () => {
    await admin.resetOffsets({ groupId, topic, earliest: true });
    const c2 = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
    await c2.connect();
    try {
      const seen = await consumeAll(c2, 7, 'eachBatch');
      return `consumed ${seen.length}`;
    } finally {
      await c2.disconnect();
    }
  });

  const txProducer = kafka.producer({ transactionalId: `compat-tx-${suffix}`, idempotent: true, maxInFlightRequests: 1 });
  await step('transactional producer: send + sendOffsets + commit', async () => {
    await txProducer.connect();
    const tx = await txProducer.transaction();
    try {
      await tx.send({ topic, messages: [{ key: 'customer-1', value: 'in-tx' }] });
      await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '0' }] }] });
      await tx.commit();
    } catch (e) {
      await tx.abort().catch(() => undefined);
      throw e;
    }
  });
  await step('two members in one group: rebalance splits the 3 partitions', async () => {
    const rebalanceGroup = `${groupId}-rebalance`;
    const members = [0, 1].map(() => kafka.consumer({ groupId: rebalanceGroup, sessionTimeout: 10000, heartbeatInterval: 500 }));
    const assigned = new Map();
    try {
      for (const [i, m] of members.entries()) {
        m.on(m.events.GROUP_JOIN, (e) => assigned.set(i, (e.payload.memberAssignment[topic] || []).length));
        await m.connect();
        await m.subscribe({ topic, fromBeginning: true });
        await m.run({ eachMessage: async () => undefined });
      }
      const deadline = Date.now() + 30000;
      while (!(assigned.size === 2 && assigned.get(0) + assigned.get(1) === 3 && assigned.get(0) > 0 && assigned.get(1) > 0)) {
        if (Date.now() > deadline) throw new Error(`assignments never split: ${JSON.stringify([...assigned])}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return `member partitions ${assigned.get(0)} + ${assigned.get(1)}`;
    } finally {
      await Promise.allSettled(members.map((m) => m.disconnect()));
    }
  });
  await step('admin.createPartitions (3 -> 4)', () => admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] }));
  await step('admin.describeConfigs (topic)', async () => {
    const r = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic }] });
    return `${r.resources[0].configEntries.length} entries`;
  });
  await step('admin.alterConfigs (retention.ms)', async () => {
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
  });
  await step('admin.fetchTopicOffsetsByTimestamp', async () => {
    const r = await admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - 60000);
    return `${r.length} partitions`;
  });
  await step('admin.deleteGroups', async () => {
    await admin.deleteGroups([groupId, `${groupId}-rebalance`]);
  });
  await step('admin.deleteTopics', () => admin.deleteTopics({ topics: [topic] }));

  await Promise.allSettled([producer.disconnect(), txProducer.disconnect(), admin.disconnect()]);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed (brokers ${brokers.join(',')})`);
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
