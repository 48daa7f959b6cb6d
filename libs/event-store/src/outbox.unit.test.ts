import { encodeOutboxMessages } from './outbox';

describe('encodeOutboxMessages', () => {
  it('keeps the order, base64-encodes the bytes and counts distinct (topic, key) pairs', () => {
    const { json, distinctKeys } = encodeOutboxMessages([
      { topic: 't1', key: 'k', messageId: 'a', value: Buffer.from([0, 255]) },
      { topic: 't1', key: 'k', messageId: 'b', value: 'é', headers: { ce_type: 'x' } },
      { topic: 't2', key: 'k', messageId: 'c', value: new Uint8Array([1]) },
      { topic: 't1', key: null, messageId: 'd', value: '' },
    ]);
    expect(distinctKeys).toBe(2);
    expect(JSON.parse(json)).toEqual([
      { ord: 1, topic: 't1', message_key: 'k', message_id: 'a', payload: 'AP8=', headers: {} },
      { ord: 2, topic: 't1', message_key: 'k', message_id: 'b', payload: Buffer.from('é').toString('base64'), headers: { ce_type: 'x' } },
      { ord: 3, topic: 't2', message_key: 'k', message_id: 'c', payload: 'AQ==', headers: {} },
      { ord: 4, topic: 't1', message_key: null, message_id: 'd', payload: '', headers: {} },
    ]);
  });

  it('refuses a message without topic or id, or with a non-string header', () => {
    expect(() => encodeOutboxMessages([{ topic: '', key: null, messageId: 'a', value: '' }])).toThrow(/no topic/);
    expect(() => encodeOutboxMessages([{ topic: 't', key: null, messageId: '', value: '' }])).toThrow(/no messageId/);
    expect(() => encodeOutboxMessages([{ topic: 't', key: null, messageId: 'a', value: '', headers: { n: 1 as unknown as string } }])).toThrow(/header "n"/);
  });
});
