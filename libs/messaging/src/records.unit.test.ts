import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeBillingRecord, type BillingEvent } from '@dunning/contracts';
import type { KafkaMessage } from 'kafkajs';
import { classifyFailure, NonRetriableError, RetriableError } from './errors';
import { decodedValue, headersToStrings, toKafkaRecord, type RecordDecoder } from './records';

describe('records', () => {
  it('turns kafkajs headers into strings, keeping the last of a repeated header', () => {
    expect(headersToStrings({ a: Buffer.from('x'), b: 'y', c: [Buffer.from('1'), '2'], d: undefined })).toEqual({ a: 'x', b: 'y', c: '2' });
    expect(headersToStrings(undefined)).toEqual({});
  });

  it('keeps the offset as a string and the value as bytes', () => {
    const record = toKafkaRecord('t', 1, {
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      offset: '9007199254740993',
      timestamp: '1',
      attributes: 0,
      headers: {},
    } as KafkaMessage);
    expect(record).toMatchObject({ topic: 't', partition: 1, offset: '9007199254740993', key: 'k', value: Buffer.from('v') });
  });

  it("accepts libs/contracts' CloudEvents decoders as they are", () => {
    const decode: RecordDecoder<BillingEvent> = decodeBillingRecord;
    const fixture = JSON.parse(
      readFileSync(resolve(__dirname, '../../contracts/test-fixtures/billing.events.v1/billing.customer.terminated.binary.json'), 'utf8'),
    ) as { record: { key: string; headers: Record<string, string>; value: unknown } };
    const base = { topic: 'billing.events.v1', partition: 0, offset: '0', timestamp: '0', key: fixture.record.key };
    const decoded = decode({ ...base, value: Buffer.from(JSON.stringify(fixture.record.value)), headers: fixture.record.headers });
    expect(decoded.ok && decodedValue(decoded)).toMatchObject({ type: 'billing.customer.terminated' });
    const broken = decode({ ...base, value: Buffer.from('{oops'), headers: fixture.record.headers });
    expect(broken.ok ? undefined : broken.error.code).toBe('invalid_json');
    expect(decodedValue({ ok: true, value: 'v' })).toBe('v');
  });

  it('classifies NonRetriableError (and subclasses) as non-retriable, everything else as retriable', () => {
    class UnknownInvoice extends NonRetriableError {}
    const refusal = new UnknownInvoice('unknown_invoice', 'no such invoice', { offset: 12n });
    expect(refusal.name).toBe('UnknownInvoice');
    expect(refusal.offset).toBe('12');
    expect(classifyFailure(refusal)).toBe('non-retriable');
    expect(classifyFailure(new RetriableError('lock', 'locked'))).toBe('retriable');
    expect(classifyFailure(new Error('ECONNRESET'))).toBe('retriable');
  });
});
