import { kafkaBrokers, parseKcatJson, uniqueName } from './kafka-helpers';

describe('kafkaBrokers', () => {
  it('defaults to the local broker on 127.0.0.1 (never localhost)', () => {
    expect(kafkaBrokers({})).toEqual(['127.0.0.1:9092']);
  });

  it('splits and trims KAFKA_BROKERS', () => {
    expect(kafkaBrokers({ KAFKA_BROKERS: ' 10.0.0.1:9092, 10.0.0.2:9093 ,' })).toEqual(['10.0.0.1:9092', '10.0.0.2:9093']);
  });
});

describe('uniqueName', () => {
  it('keeps the prefix, stays a valid topic name and differs on every call', () => {
    const names = Array.from({ length: 50 }, () => uniqueName('billing.events.v1-test'));
    expect(new Set(names).size).toBe(50);
    for (const name of names) expect(name).toMatch(/^billing\.events\.v1-test-[a-z0-9]+-[0-9a-f]{8}$/);
  });
});

describe('parseKcatJson', () => {
  it('turns kcat -J lines into records with ordered header pairs, sorted by partition then offset', () => {
    const stdout = [
      '{"topic":"t","partition":2,"offset":0,"tstype":"create","ts":5,"broker":1,"headers":["a","","b","x=y","a","2"],"key":null,"payload":"nokey"}',
      '{"topic":"t","partition":0,"offset":1,"tstype":"create","ts":4,"broker":1,"key":"k2","payload":"v2"}',
      '{"topic":"t","partition":0,"offset":0,"tstype":"create","ts":3,"broker":1,"headers":["ce_id","1"],"key":"k1","payload":null}',
      '% Reached end of topic t [0] at offset 2',
      '',
    ].join('\n');

    expect(parseKcatJson(stdout)).toEqual([
      { topic: 't', partition: 0, offset: 0, timestamp: 3, key: 'k1', value: null, headers: [['ce_id', '1']] },
      { topic: 't', partition: 0, offset: 1, timestamp: 4, key: 'k2', value: 'v2', headers: [] },
      {
        topic: 't',
        partition: 2,
        offset: 0,
        timestamp: 5,
        key: null,
        value: 'nokey',
        headers: [
          ['a', ''],
          ['b', 'x=y'],
          ['a', '2'],
        ],
      },
    ]);
  });
});
