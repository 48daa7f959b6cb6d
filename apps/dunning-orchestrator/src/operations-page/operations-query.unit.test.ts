import type { SqlClient } from '@dunning/messaging';
import type { Policy } from '../domain';
import { OperationsQuery, type PartitionOffsets, type TopicOffsetsReader } from './operations-query';

/** Answers the query's three SQL reads by what they select; no experiments in the policy. */
const fakeDb = (offsets: { topic: string; partition: number; last_offset: string }[]): SqlClient => ({
  query: async <Row>(text: string) => {
    if (text.includes('FROM "orchestrator".cases')) return { rows: [{ state: 'open', cases: '4' }] as Row[], rowCount: 1 };
    if (text.includes("event_type = 'ActionRequested'")) return { rows: [{ day: '2026-03-17', kind: 'reminder', channel: 'sms', actions: '3' }] as Row[], rowCount: 1 };
    if (text.includes('consumer_offsets')) return { rows: offsets as Row[], rowCount: offsets.length };
    throw new Error(`unexpected query: ${text}`);
  },
});

const reader = (topics: Record<string, PartitionOffsets[] | undefined> | Error): TopicOffsetsReader => ({
  offsets: async (names) => {
    if (topics instanceof Error) throw topics;
    return new Map(names.map((name) => [name, topics[name]]));
  },
  close: async () => undefined,
});

const query = (db: SqlClient, kafka: TopicOffsetsReader) =>
  new OperationsQuery({
    db,
    schema: 'orchestrator',
    messagingSchema: 'messaging',
    consumerGroup: 'g',
    inputTopics: ['in'],
    platformTopics: ['in', 'out'],
    policy: { id: 'p', version: '1', experiments: [] } as unknown as Policy,
    now: () => new Date('2026-04-01T00:00:00Z'),
    kafka,
  });

describe('the operations query', () => {
  it('measures lag from the offset stored in PostgreSQL, or from the earliest retained offset when none is stored', async () => {
    const snapshot = await query(
      fakeDb([{ topic: 'in', partition: 0, last_offset: '9' }]),
      reader({
        in: [
          { partition: 0, low: 0, high: 12 },
          { partition: 1, low: 5, high: 8 },
        ],
        'in.dlq': [
          { partition: 0, low: 1, high: 4 },
          { partition: 1, low: 0, high: 2 },
        ],
      }),
    ).snapshot();
    expect(snapshot.consumerLag).toEqual([
      { topic: 'in', partition: 0, lastOffset: 9, highWatermark: 12, lag: 2 },
      { topic: 'in', partition: 1, lastOffset: null, highWatermark: 8, lag: 3 },
    ]);
    expect(snapshot.deadLetters).toEqual([
      { topic: 'in.dlq', sourceTopic: 'in', records: 5 },
      { topic: 'out.dlq', sourceTopic: 'out', records: null },
    ]);
    expect(snapshot.casesByState).toEqual([{ state: 'open', cases: 4 }]);
    expect(snapshot.actionsPerDay).toEqual([{ day: '2026-03-17', kind: 'reminder', channel: 'sms', actions: 3 }]);
    expect(snapshot.problems).toEqual([]);
    expect(snapshot.generatedAt).toBe('2026-04-01T00:00:00.000Z');
  });

  it('still shows the database figures when the broker cannot be read, and says why', async () => {
    const snapshot = await query(fakeDb([]), reader(new Error('Connection timeout'))).snapshot();
    expect(snapshot.casesByState).toEqual([{ state: 'open', cases: 4 }]);
    expect(snapshot.consumerLag).toEqual([]);
    expect(snapshot.problems).toEqual(['Kafka offsets could not be read: Connection timeout']);
  });
});
