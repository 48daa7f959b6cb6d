import { waitFor } from '@dunning/testing';
import type { AgencyGateway } from '../agency/agency-gateway';
import type { CheckHandoff } from '../checking-handoffs/check-handoff';
import type { CaseStore } from '../persistence/case-store';
import { DeliveryWorker } from './delivery-worker';

// What the worker's idle passes cost, on a fake database that logs every statement: nothing due is
// one read; a file agency's cut-off is looked up once per cut-off, not once per pass; a wake-up that
// arrives while a pass runs is not lost (the loop polls once a minute here).

function fakeWorker(options: { due?: () => Promise<boolean>; now?: () => Date } = {}) {
  const statements: string[] = [];
  const log = async (text: string) => {
    statements.push(text.includes('pg_try_advisory_lock') ? 'lock' : text.includes('pg_advisory_unlock') ? 'unlock' : text.includes('agency_batches') ? 'cut-off sent?' : text);
    return { rows: text.includes('agency_batches') ? [{ one: 1 }] : [{ locked: true }], rowCount: 1 };
  };
  const pool = { query: log, connect: async () => ({ query: log, release: () => undefined }) };
  const cases = {
    anyDue: async () => (statements.push('anyDue'), (await options.due?.()) ?? false),
    due: async () => (statements.push('due'), []),
  } as unknown as CaseStore;
  const gateways = new Map<string, AgencyGateway>([
    ['api', { agencyId: 'api', channel: 'api' } as AgencyGateway],
    ['file', { agencyId: 'file', channel: 'batch' } as AgencyGateway],
  ]);
  const worker = new DeliveryWorker({
    pool: pool as never,
    schema: 'collection',
    cases,
    check: {} as CheckHandoff,
    gateways,
    clock: options.now ?? (() => new Date('2026-05-11T10:00:00Z')),
    cutoffs: new Map([['file', { dailyAtUtc: '16:00' }]]),
    pollIntervalMs: 60_000,
  });
  return { worker, statements };
}

describe('the delivery worker when there is nothing to do', () => {
  it('costs one read a pass once the latest cut-off is known to be sent; the next cut-off is looked up when it falls due', async () => {
    let now = new Date('2026-05-11T10:00:00Z');
    const { worker, statements } = fakeWorker({ now: () => now });
    await worker.runOnce(); // the latest cut-off (yesterday 16:00) is not known yet: a full pass
    expect(statements).toEqual(['lock', 'due', 'due', 'due', 'cut-off sent?', 'unlock']);
    statements.length = 0;
    for (let i = 0; i < 10; i++) await worker.runOnce();
    expect(statements).toEqual(Array(10).fill('anyDue'));

    statements.length = 0;
    now = new Date('2026-05-11T16:00:00Z'); // today's cut-off is due: one pass looks it up, the next is idle again
    await worker.runOnce();
    await worker.runOnce();
    expect(statements.filter((s) => s === 'cut-off sent?')).toHaveLength(1);
    expect(statements.slice(-1)).toEqual(['anyDue']);
  });

  it('a wake-up during a pass runs another pass at once instead of a poll interval later', async () => {
    const gates: (() => void)[] = [];
    let reads = 0;
    const { worker } = fakeWorker({
      due: () => {
        reads += 1;
        return reads === 1 ? new Promise<boolean>((resolve) => gates.push(() => resolve(false))) : Promise.resolve(false);
      },
    });
    await worker.runOnce(); // the cut-off is known from here on: passes start with the one read
    worker.start();
    try {
      await waitFor(() => gates.length === 1 || undefined, { timeoutMs: 5_000, intervalMs: 1, description: 'the loop\'s pass to be reading' });
      worker.wake(); // arrives while the pass reads: what it was woken for may be committed after the read
      gates[0]!();
      await waitFor(() => reads >= 2 || undefined, { timeoutMs: 5_000, intervalMs: 1, description: 'another pass without waiting for the poll' });
    } finally {
      await worker.stop();
    }
  });
});
