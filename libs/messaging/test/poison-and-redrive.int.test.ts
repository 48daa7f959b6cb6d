import { createTopic, kafkaBrokers, readTopicWithKcat, uniqueName, waitFor, type KcatRecord } from '@dunning/testing';
import { deadLetterTopicFor, DlqHeaders, RedriveHeaders } from '../src/dead-letter';
import { redrive } from '../src/redrive';
import {
  countAppliedTransfers,
  effectCounts,
  makeTransfers,
  readAccountSums,
  referenceFold,
  transferHandler,
  transferRecord,
  type Transfer,
} from '../test-support/transfers';
import { useTransferEnvironment } from '../test-support/transfer-environment';

const FAILED_AT = new Date('2025-03-14T09:26:53.000Z');

describe('poison records', () => {
  const env = useTransferEnvironment({ clientId: 'poison-test', schemaPrefix: 'poison' });

  it('dead-letters every invalid record with its origin and reason, applies valid ones once, keeps the partition moving, and redrives', async () => {
    const { kafka, pool, schema, publisher } = env;
    const topic = await createTopic(kafkaBrokers(), uniqueName('poison'), 3);
    const groupId = uniqueName('poison-group');
    const blockedAccount = 'acct-blocked';
    await pool.query(`INSERT INTO "${schema}".blocked_accounts (account) VALUES ($1)`, [blockedAccount]);

    const head = makeTransfers(300, 20, 'head');
    const tail = makeTransfers(300, 20, 'tail');
    const blocked: Transfer[] = Array.from({ length: 4 }, (_, i) => ({ id: `blocked-${i}`, account: blockedAccount, amountMinor: 100 + i }));
    const refusedAmount = 4242;
    const refused: Transfer = { id: 'refused-0', account: 'acct-3', amountMinor: refusedAmount };
    // Poison keyed like valid traffic, so it sits in the same partitions as records before and after it.
    const badJson = ['acct-1', 'acct-5', 'acct-9'].map((key) => ({
      topic,
      key,
      value: Buffer.from('{"id": "x", "account": '),
      headers: { 'content-type': 'application/json', ce_id: `bad-json-${key}` },
    }));
    const invalid = ['acct-2', 'acct-6'].map((key, i) => ({
      topic,
      key,
      value: Buffer.from(JSON.stringify({ id: `invalid-${i}`, account: key, amount: { minor: -5, currency: 'SEK' } })),
      headers: { 'content-type': 'application/json', ce_id: `invalid-${i}` },
    }));
    await publisher.publish(head.slice(0, 150).map((t) => transferRecord(topic, t)));
    await publisher.publish([...badJson, ...invalid, ...blocked.map((t) => transferRecord(topic, t)), transferRecord(topic, refused)]);
    await publisher.publish([...head.slice(150), ...tail].map((t) => transferRecord(topic, t)));
    const valid = [...head, ...tail];

    await env.startConsumer({
      groupId,
      topics: [topic],
      handle: transferHandler(schema, { refuse: (t) => t.amountMinor === refusedAmount }),
      maxChunkSize: 64,
      clock: () => FAILED_AT,
    });

    const dlqTopic = deadLetterTopicFor(topic);
    const expectedDeadLetters = badJson.length + invalid.length + blocked.length + 1;
    await waitFor(async () => (await countAppliedTransfers(pool, schema)) === valid.length, {
      timeoutMs: 60_000,
      description: `${valid.length} valid transfers applied`,
    });
    const deadLetters = await readTopicWithKcat(dlqTopic, { minRecords: expectedDeadLetters, timeoutMs: 30_000 });
    const originals = await readTopicWithKcat(topic, { minRecords: valid.length + expectedDeadLetters });

    // Exactly the poison, each once.
    expect(deadLetters).toHaveLength(expectedDeadLetters);
    const header = (record: KcatRecord, name: string): string | null | undefined => record.headers.find(([n]) => n === name)?.[1];
    const byCeId = new Map(deadLetters.map((d) => [header(d, 'ce_id'), d]));
    expect([...byCeId.keys()].sort()).toEqual(
      [...badJson.map((b) => b.headers.ce_id), ...invalid.map((b) => b.headers.ce_id), ...blocked.map((b) => b.id), refused.id].sort(),
    );
    const expectedCause = (ceId: string): [string, string, string] => {
      if (ceId.startsWith('bad-json')) return ['DecodeError', 'invalid_json', 'the value is not JSON'];
      if (ceId.startsWith('invalid')) return ['DecodeError', 'invalid_data', 'amount.minor must be a positive integer'];
      if (ceId.startsWith('blocked')) return ['BusinessRejection', 'account_blocked', 'transfers to this account are blocked'];
      return ['NonRetriableError', 'amount_refused', 'the ledger refuses this amount'];
    };
    for (const [ceId, dead] of byCeId) {
      const originalPartition = Number(header(dead, DlqHeaders.originalPartition));
      const originalOffset = Number(header(dead, DlqHeaders.originalOffset));
      const original = originals.find((o) => o.partition === originalPartition && o.offset === originalOffset);
      expect(header(dead, DlqHeaders.originalTopic)).toBe(topic);
      expect(original).toMatchObject({ key: dead.key, value: dead.value });
      expect(header(original!, 'ce_id')).toBe(ceId);
      expect(header(dead, DlqHeaders.consumerGroup)).toBe(groupId);
      const [errorClass, code, reason] = expectedCause(ceId!);
      expect([header(dead, DlqHeaders.errorClass), header(dead, DlqHeaders.errorCode), header(dead, DlqHeaders.errorReason)]).toEqual([errorClass, code, reason]);
      expect(header(dead, DlqHeaders.failedAt)).toBe(FAILED_AT.toISOString());
      expect(header(dead, 'content-type')).toBe('application/json');
      // The partition kept moving: later records of the same partition were applied.
      expect(originals.some((o) => o.partition === originalPartition && o.offset > originalOffset && header(o, 'ce_id')?.startsWith('tail-'))).toBe(true);
    }

    // Valid records applied exactly once, and nothing else.
    expect(await readAccountSums(pool, schema)).toEqual(referenceFold(valid));
    expect(await effectCounts(pool, schema)).toEqual({ attempts: valid.length, distinctAttempted: valid.length, effects: valid.length });

    // The cause of the business rejections is fixed: redrive those, and only those.
    await pool.query(`DELETE FROM "${schema}".blocked_accounts`);
    const summary = await redrive(dlqTopic, { kafka, filter: (d) => d.errorClass === 'BusinessRejection' });
    expect(summary).toEqual({ redriven: blocked.length, skipped: expectedDeadLetters - blocked.length });
    await waitFor(async () => (await countAppliedTransfers(pool, schema)) === valid.length + blocked.length, {
      timeoutMs: 30_000,
      description: 'redriven transfers applied',
    });
    expect(await readAccountSums(pool, schema)).toEqual(referenceFold([...valid, ...blocked]));
    const republished = (await readTopicWithKcat(topic, { minRecords: originals.length + blocked.length })).filter((r) => header(r, RedriveHeaders.fromTopic));
    expect(republished.map((r) => header(r, 'ce_id')).sort()).toEqual(blocked.map((b) => b.id).sort());
    for (const record of republished) {
      expect(header(record, RedriveHeaders.fromTopic)).toBe(dlqTopic);
      expect(header(record, RedriveHeaders.count)).toBe('1');
      expect(record.headers.some(([name]) => name.startsWith('dlq.'))).toBe(false);
    }
    expect(await readTopicWithKcat(dlqTopic)).toHaveLength(expectedDeadLetters);
  });
});
