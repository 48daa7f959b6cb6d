import type { EventStore } from '@dunning/event-store';
import type { SqlClient } from '@dunning/messaging';
import { initialCase, type CaseDecision, type DunningCase, type HolidayCalendar, type Policy } from '../domain';
import { CaseProcessor, timerChangesOf, type LockedCaseRow } from './case-processor';
import type { DunningGateway } from './dunning-gateway';

const at = '2026-03-28T09:30:00.000Z';
const scheduled = (timerId: string): CaseDecision => ({ type: 'TimerScheduled', timerId, fireAt: '2026-04-01T07:00:00.000Z', purpose: 'step', at });
const cancelled = (timerId: string): CaseDecision => ({ type: 'TimerCancelled', timerId, reason: 'rescheduled', at });
const closed: CaseDecision = { type: 'CaseClosed', reason: 'settled', at };

describe('timerChangesOf', () => {
  it('nets the decisions out in their order: what the statements one by one would have left', () => {
    expect(timerChangesOf([])).toEqual({ scheduled: [], cancelled: [], cancelAllOfCase: false });
    // Rescheduled: the old timer cancelled, the new one pending.
    expect(timerChangesOf([cancelled('c#1'), scheduled('c#2')])).toEqual({
      scheduled: [{ ord: 1, timer_id: 'c#2', fire_at: '2026-04-01T07:00:00.000Z', purpose: 'step', status: 'pending' }],
      cancelled: ['c#1'],
      cancelAllOfCase: false,
    });
    // Scheduled and cancelled in the same decisions: written cancelled (the UPDATE cannot see the INSERT's row).
    expect(timerChangesOf([scheduled('c#2'), cancelled('c#2'), scheduled('c#3')]).scheduled.map((t) => [t.timer_id, t.status])).toEqual([
      ['c#2', 'cancelled'],
      ['c#3', 'pending'],
    ]);
    // The close cancels every timer scheduled before it, and every pending one of the case.
    expect(timerChangesOf([scheduled('c#2'), cancelled('c#1'), closed])).toMatchObject({ scheduled: [{ timer_id: 'c#2', status: 'cancelled' }], cancelled: ['c#1'], cancelAllOfCase: true });
  });
});

describe('CaseProcessor.loadedFrom', () => {
  const processor = new CaseProcessor({
    eventStore: { readStream: async () => ({ streamId: 's', version: 0, events: [] }) } as unknown as EventStore,
    schema: 'orchestrator',
    gateway: {} as DunningGateway,
    policy: {} as Policy,
    calendar: {} as HolidayCalendar,
  });
  const other: DunningCase = { ...initialCase('other'), status: 'open' };
  const recording = (rows: unknown[]): { tx: SqlClient; statements: string[] } => {
    const statements: string[] = [];
    const tx = { query: async (text: string) => (statements.push(text), { rows, rowCount: rows.length }) } as unknown as SqlClient;
    return { tx, statements };
  };
  const row = (over: Partial<LockedCaseRow>): LockedCaseRow => ({
    state: { ...initialCase('c'), status: 'open' },
    stream_version: 4,
    locked_row: '100',
    snapshot_row: '100',
    stream_exists: true,
    others: [],
    payment_dates: ['2026-03-01'],
    ...over,
  });

  it('uses what the statement read when the locked row is the one its snapshot saw', async () => {
    const { tx, statements } = recording([]);
    const loaded = await processor.loadedFrom(tx, 'c', 'customer', row({}));
    expect(statements).toEqual([]);
    expect(loaded).toMatchObject({ version: 4, customer: { others: [], paymentDates: ['2026-03-01'] } });
  });

  it('reads the customer again when a writer of the case committed after the snapshot (the lock waited)', async () => {
    const { tx, statements } = recording([{ others: [other], payment_dates: ['2026-03-01', '2026-03-20'] }]);
    const loaded = await processor.loadedFrom(tx, 'c', 'customer', row({ locked_row: '101' }));
    expect(statements).toHaveLength(1);
    expect(loaded.customer).toEqual({ others: [other], paymentDates: ['2026-03-01', '2026-03-20'] });
  });

  it('starts a new case without reading its stream when there is none, and reads the stream when there is one', async () => {
    const fresh = recording([]);
    expect(await processor.loadedFrom(fresh.tx, 'c', 'customer', row({ state: null, stream_version: null, locked_row: null, snapshot_row: null, stream_exists: false }))).toMatchObject({
      state: initialCase('c'),
      version: 0,
    });
    expect(fresh.statements).toEqual([]);
    const reads: string[] = [];
    const rebuilding = new CaseProcessor({
      eventStore: { readStream: async (_tx: SqlClient, id: string) => (reads.push(id), { streamId: id, version: 0, events: [] }) } as unknown as EventStore,
      schema: 'orchestrator',
      gateway: {} as DunningGateway,
      policy: {} as Policy,
      calendar: {} as HolidayCalendar,
    });
    await rebuilding.loadedFrom(fresh.tx, 'c', 'customer', row({ state: null, stream_version: null, locked_row: null, snapshot_row: null, stream_exists: true }));
    expect(reads).toEqual(['dunning-case-c']);
  });
});
