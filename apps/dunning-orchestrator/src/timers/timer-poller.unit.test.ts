import type { SqlPool, SqlPoolClient } from '@dunning/messaging';
import type { CaseProcessor } from '../cases/case-processor';
import { isTransactionConflict, TimerPoller } from './timer-poller';

/**
 * A pool whose claim statement fails with the given PostgreSQL error codes first (one per attempt),
 * then finds `due` timers one after the other (or, for `lost`, a due timer it cannot fire first:
 * fired or cancelled meanwhile); it records every statement.
 */
function fakePool(failures: string[], due: number, lost = 0): { pool: SqlPool; statements: string[] } {
  const statements: string[] = [];
  let left = due;
  let lostLeft = lost;
  const client: SqlPoolClient = {
    async query<R>(text: string) {
      statements.push(text.includes('SELECT EXISTS') ? 'PROBE' : text.includes('WITH due AS') ? 'CLAIM' : text.trim().split(/\s+/)[0]!);
      if (text.includes('SELECT EXISTS')) return { rows: [{ due: left > 0 || lostLeft > 0 }] as R[], rowCount: 1 };
      if (text.includes('WITH due AS')) {
        const code = failures.shift();
        if (code) throw Object.assign(new Error(`pg ${code}`), { code });
        const none = { timer_id: null, case_id: null, customer_id: null, traceparent: null, tracestate: null, state: null, stream_version: null, locked_row: null, snapshot_row: null, stream_exists: false, others: [], payment_dates: null };
        if (lostLeft > 0) {
          lostLeft--;
          return { rows: [{ ...none, due: 1 }] as R[], rowCount: 1 };
        }
        if (left === 0) return { rows: [{ ...none, due: 0 }] as R[], rowCount: 1 };
        left--;
        const row = { due: Math.min(2, left + 1), timer_id: `t${left}`, case_id: `c${left}`, customer_id: 'x', traceparent: null, tracestate: null, state: {}, stream_version: 3, locked_row: '7', snapshot_row: '7', stream_exists: true, others: [], payment_dates: [] };
        return { rows: [row] as R[], rowCount: 1 };
      }
      return { rows: [] as R[], rowCount: 0 };
    },
    release: () => undefined,
  };
  return { pool: { connect: async () => client, query: client.query }, statements };
}

const processor = {
  lockedCaseSql: () => 'locked_case AS (SELECT 1)',
  customerColumnsSql: () => 'l.state',
  loadedFrom: async () => ({ state: {}, version: 3, customer: { others: [], paymentDates: [] } }),
  handle: async () => ({ state: {}, decisions: [] }),
} as unknown as CaseProcessor;
const poller = (pool: SqlPool) =>
  new TimerPoller({ pool, processor, clock: { now: () => new Date('2026-03-28T09:30:00Z') }, schema: 'orchestrator', intervalMs: 1_000 });

describe('TimerPoller.fireDue', () => {
  it('tries a firing again that PostgreSQL rolled back as a deadlock or serialization failure', async () => {
    const { pool, statements } = fakePool(['40P01', '40001'], 2);
    await expect(poller(pool).fireDue()).resolves.toBe(2);
    expect(statements.filter((s) => s === 'ROLLBACK')).toHaveLength(2);
    expect(statements.filter((s) => s === 'COMMIT')).toHaveLength(2);
  });

  it('costs one statement and no transaction when nothing is due, and claims no more than it needs', async () => {
    const idle = fakePool([], 0);
    await expect(poller(idle.pool).fireDue()).resolves.toBe(0);
    expect(idle.statements).toEqual(['PROBE']);
    // Two due: the first claim sees the second, so only the last firing is followed by a probe.
    const busy = fakePool([], 2);
    await expect(poller(busy.pool).fireDue()).resolves.toBe(2);
    expect(busy.statements).toEqual(['PROBE', 'BEGIN', 'CLAIM', 'COMMIT', 'BEGIN', 'CLAIM', 'COMMIT', 'PROBE']);
  });

  it('claims again when the timer it found was fired or cancelled while it waited for the case', async () => {
    const { pool, statements } = fakePool([], 1, 2);
    await expect(poller(pool).fireDue()).resolves.toBe(1);
    expect(statements.filter((s) => s === 'CLAIM')).toHaveLength(3);
  });

  it('runs calls of one process one after the other', async () => {
    const { pool, statements } = fakePool([], 3);
    const timers = poller(pool);
    const [first, second] = await Promise.all([timers.fireDue(), timers.fireDue()]);
    expect([first, second]).toEqual([3, 0]);
    // The second call starts after the first ended: its probe is the last statement.
    expect(statements.slice(-2)).toEqual(['PROBE', 'PROBE']);
  });

  it('gives up after five conflicts in a row, and never retries other errors', async () => {
    await expect(poller(fakePool(['40P01', '40P01', '40P01', '40P01', '40P01', '40P01'], 1).pool).fireDue()).rejects.toThrow('pg 40P01');
    await expect(poller(fakePool(['23505'], 1).pool).fireDue()).rejects.toThrow('pg 23505');
  });

  it('knows the conflict codes', () => {
    expect([isTransactionConflict({ code: '40P01' }), isTransactionConflict({ code: '40001' }), isTransactionConflict({ code: '23505' }), isTransactionConflict(null)]).toEqual([true, true, false, false]);
  });
});
