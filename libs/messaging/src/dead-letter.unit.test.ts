import { DEAD_LETTER_HEADERS } from '@dunning/contracts';
import { deadLetterTopicFor, DlqHeaders, readDeadLetterInfo, RedriveHeaders, toDeadLetterRecord, toRedriveRecord } from './dead-letter';
import type { KafkaRecord } from './records';

const record: KafkaRecord = {
  topic: 'billing.events.v1',
  partition: 2,
  offset: '1234',
  key: 'cust-1',
  value: Buffer.from('{"broken":'),
  headers: { ce_id: 'evt-1', 'content-type': 'application/json', 'dlq.error.code': 'stale' },
  timestamp: '0',
};
const failedAt = new Date('2025-01-02T03:04:05.678Z');

describe('dead letters', () => {
  it('keeps key, value and original headers and adds exactly the dlq.* headers', () => {
    const dead = toDeadLetterRecord(record, 'invoicing.ingest', { errorClass: 'DecodeError', code: 'invalid_json', reason: 'the value is not JSON' }, failedAt);
    expect(dead.topic).toBe('billing.events.v1.dlq');
    expect(dead.key).toBe('cust-1');
    expect(dead.value).toBe(record.value);
    expect(dead.headers).toEqual({
      ce_id: 'evt-1',
      'content-type': 'application/json',
      [DlqHeaders.originalTopic]: 'billing.events.v1',
      [DlqHeaders.originalPartition]: '2',
      [DlqHeaders.originalOffset]: '1234',
      [DlqHeaders.consumerGroup]: 'invoicing.ingest',
      [DlqHeaders.errorClass]: 'DecodeError',
      [DlqHeaders.errorCode]: 'invalid_json',
      [DlqHeaders.errorReason]: 'the value is not JSON',
      [DlqHeaders.failedAt]: '2025-01-02T03:04:05.678Z',
    });
  });

  it('writes exactly the headers the contract documents (DEAD_LETTER_HEADERS), all under the dlq. prefix it strips', () => {
    const dead = toDeadLetterRecord(record, 'g', { errorClass: 'DecodeError', code: 'invalid_json', reason: 'r' }, failedAt);
    const added = Object.keys(dead.headers).filter((name) => !(name in record.headers) || name.startsWith('dlq.'));
    expect(added.sort()).toEqual(Object.values(DEAD_LETTER_HEADERS).sort());
    for (const name of Object.values(DEAD_LETTER_HEADERS)) expect(name.startsWith('dlq.')).toBe(true);
  });

  it('keeps a reason to one bounded line', () => {
    const dead = toDeadLetterRecord(record, 'g', { errorClass: 'X', code: 'c', reason: `first line\nsecond ${'x'.repeat(1_000)}` }, failedAt);
    const reason = dead.headers[DlqHeaders.errorReason]!;
    expect(reason).not.toContain('\n');
    expect(reason.length).toBe(500);
    expect(reason.startsWith('first line second')).toBe(true);
  });

  it('reads back what it wrote, and ignores records without dlq headers', () => {
    const dead = toDeadLetterRecord(record, 'g', { errorClass: 'BusinessRejection', code: 'unknown_invoice', reason: 'no such invoice' }, failedAt);
    const consumed: KafkaRecord = { ...record, topic: dead.topic, partition: 0, offset: '7', headers: dead.headers };
    expect(readDeadLetterInfo(consumed)).toMatchObject({
      dlqTopic: 'billing.events.v1.dlq',
      dlqOffset: '7',
      originalTopic: 'billing.events.v1',
      originalPartition: 2,
      originalOffset: '1234',
      consumerGroup: 'g',
      errorClass: 'BusinessRejection',
      errorCode: 'unknown_invoice',
      failedAt,
    });
    expect(readDeadLetterInfo(record)).toBeUndefined();
  });

  it('redrives to the original topic without dlq headers, marking where it came from and counting redrives', () => {
    const dead = toDeadLetterRecord(record, 'g', { errorClass: 'BusinessRejection', code: 'c', reason: 'r' }, failedAt);
    const consumed: KafkaRecord = { ...record, topic: deadLetterTopicFor(record.topic), partition: 1, offset: '9', headers: dead.headers };
    const at = new Date('2025-02-01T00:00:00.000Z');
    const first = toRedriveRecord(consumed, readDeadLetterInfo(consumed)!, at);
    expect(first).toEqual({
      topic: 'billing.events.v1',
      key: 'cust-1',
      value: record.value,
      headers: {
        ce_id: 'evt-1',
        'content-type': 'application/json',
        [RedriveHeaders.fromTopic]: 'billing.events.v1.dlq',
        [RedriveHeaders.fromPartition]: '1',
        [RedriveHeaders.fromOffset]: '9',
        [RedriveHeaders.at]: '2025-02-01T00:00:00.000Z',
        [RedriveHeaders.count]: '1',
      },
    });
    const again: KafkaRecord = { ...consumed, headers: { ...first.headers, ...dead.headers } };
    expect(toRedriveRecord(again, readDeadLetterInfo(again)!, at).headers[RedriveHeaders.count]).toBe('2');
  });
});
