import type { SqlPool, SqlPoolClient } from '@dunning/messaging';
import type { CaseProcessor } from '../cases/case-processor';
import { isTransactionConflict, TimerPoller } from './timer-poller';

/**
 * A pool whose claim query fails with the given PostgreSQL error codes first (one per attempt),
 * then finds `due` timers one after the other; it records every statement.
 */
function fakePool(failures: string[], due: number): { pool: SqlPool; statements: string[] } {
  const statements: string[] = [];
  let left = due;
  const client: SqlPoolClient = {
    async query<R>(text: string) {
      statements.push(text.trim().split(/\s+/)[0]!);
      if (text.includes('FROM') && text.includes('timers t')) {
        const code = failures.shift();
        if (code) throw Object.assign(new Error(`pg ${code}`), { code });
        if (left === 0) return { rows: [] as R[], rowCount: 0 };
        left--;
        return { rows: [{ timer_id: `t${left}`, case_id: `c${left}`, customer_id: 'x', traceparent: null, tracestate: null }] as R[], rowCount: 1 };
      }
      return { rows: [] as R[], rowCount: 0 };
    },
    release: () => undefined,
  };
  return { pool: { connect: async () => client, query: client.query }, statements };
}

const processor = { handle: async () => ({ state: {}, decisions: [] }) } as unknown as CaseProcessor;
const poller = (pool: SqlPool) =>
  new TimerPoller({ pool, processor, clock: { now: () => new Date('2026-03-28T09:30:00Z') }, schema: 'orchestrator', intervalMs: 1_000 });

describe('TimerPoller.fireDue', () => {
  it('tries a firing again that PostgreSQL rolled back as a deadlock or serialization failure', async () => {
    const { pool, statements } = fakePool(['40P01', '40001'], 2);
    await expect(poller(pool).fireDue()).resolves.toBe(2);
    expect(statements.filter((s) => s === 'ROLLBACK')).toHaveLength(2);
    expect(statements.filter((s) => s === 'COMMIT')).toHaveLength(3);
  });

  it('gives up after five conflicts in a row, and never retries other errors', async () => {
    await expect(poller(fakePool(['40P01', '40P01', '40P01', '40P01', '40P01', '40P01'], 1).pool).fireDue()).rejects.toThrow('pg 40P01');
    await expect(poller(fakePool(['23505'], 1).pool).fireDue()).rejects.toThrow('pg 23505');
  });

  it('knows the conflict codes', () => {
    expect([isTransactionConflict({ code: '40P01' }), isTransactionConflict({ code: '40001' }), isTransactionConflict({ code: '23505' }), isTransactionConflict(null)]).toEqual([true, true, false, false]);
  });
});
