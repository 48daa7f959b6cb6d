import { Client } from 'pg';
import { uniqueName, waitFor } from '@dunning/testing';
import { paymentReceived, postEvent } from '../testing/fixtures';
import { dropDatabase, startInvoicing, TEST_KEYS, type RunningInvoicing } from '../testing/harness';

/**
 * Invoicing on a simulated clock (docs/simulated-time.md): payments for invoices never seen are
 * held for 72 h; moving the clock past the hold runs the deadline sweep before PUT /admin/clock
 * answers (the service's own sweep runs hourly in real time here), and quiescence goes from busy
 * (the relay kept from publishing the dead letters by the test holding its lock) to quiet.
 */
const CUSTOMERS = 5;
type Quiescence = { quiet: boolean; pending: Record<string, number> };

describe('invoicing simulated time and quiescence (real broker and database)', () => {
  let service: RunningInvoicing | undefined;
  const databases: string[] = [];
  const prefix = uniqueName('inv-clock');
  const env = { DUNNING_CLOCK: 'simulated', DUNNING_CLOCK_START: '2026-03-10T12:00:00Z' };
  const admin = { 'x-api-key': TEST_KEYS.admin };

  afterAll(async () => {
    await service?.stop();
    for (const database of databases) await dropDatabase(database);
  });

  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${service!.baseUrl}${path}`, { headers: admin });
    expect([path, response.status]).toEqual([path, 200]);
    return (await response.json()) as T;
  };
  const putClock = (body: unknown) =>
    fetch(`${service!.baseUrl}/admin/clock`, { method: 'PUT', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('sweeps the deadlines now due before PUT /admin/clock answers, and goes from busy to quiet', async () => {
    service = await startInvoicing({ adjustableClock: false, topicPrefix: prefix, env });
    databases.push(service.database);
    // Operator routes: no key, no clock.
    expect((await fetch(`${service.baseUrl}/admin/clock`)).status).toBe(401);
    expect((await fetch(`${service.baseUrl}/admin/quiescence`, { headers: { 'x-api-key': TEST_KEYS.reader } })).status).toBe(403);
    expect(await get('/admin/clock')).toEqual({ mode: 'simulated', now: '2026-03-10T12:00:00.000Z' });

    // Payments for invoices invoicing never saw: held until 13 March, 12:00 (72 h later, simulated).
    for (let i = 0; i < CUSTOMERS; i++) {
      const answer = await postEvent(service.baseUrl, TEST_KEYS.writer, paymentReceived(`${prefix}-c${i}`, `P-${i}`, 1_000, { invoiceId: `INV-unknown-${i}`, receivedAt: '2026-03-10T11:00:00Z' }));
      expect(answer.status).toBeLessThan(300);
    }
    const count = async (sql: string) => Number((await service!.db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
    expect(await count(`SELECT count(*) AS n FROM invoicing.account_deadlines WHERE due_at = '2026-03-13T12:00:00Z'`)).toBe(CUSTOMERS);
    await waitFor(async () => (await get<Quiescence>('/admin/quiescence')).quiet, { timeoutMs: 30_000, description: 'quiet before the hold expires' });
    expect((await get<Quiescence>('/admin/quiescence')).pending).toEqual({ consumerLag: 0, outboxPending: 0, deadlinesDue: 0 });

    // The relay cannot publish while the test holds its advisory lock.
    const blocker = new Client({ connectionString: service.databaseUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`SELECT pg_advisory_xact_lock(hashtextextended('dunning.outbox-relay:invoicing', 0))`);
    const moved = await putClock({ now: '2026-03-13T12:00:01Z' });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({ now: '2026-03-13T12:00:01.000Z', work: { deadlinesChecked: CUSTOMERS } });
    // Swept by the PUT itself, before it answered: every held payment is a dead letter now.
    expect(await count(`SELECT count(*) AS n FROM invoicing.dead_letters WHERE channel = 'hold'`)).toBe(CUSTOMERS);
    expect(await count(`SELECT count(*) AS n FROM invoicing.account_deadlines`)).toBe(0);
    const busy = await get<Quiescence>('/admin/quiescence');
    expect(busy.quiet).toBe(false);
    expect(busy.pending['outboxPending']).toBeGreaterThanOrEqual(CUSTOMERS);
    expect(busy.pending['deadlinesDue']).toBe(0);
    await blocker.query('COMMIT');
    await blocker.end();
    await waitFor(async () => (await get<Quiescence>('/admin/quiescence')).quiet, { timeoutMs: 30_000, description: 'quiet after the relay published' });

    // Refusals, then the instant survives a restart (DUNNING_CLOCK_START only counts the first time).
    expect((await putClock({ now: '2026-03-12T00:00:00Z' })).status).toBe(409);
    expect((await putClock({ now: 'soon' })).status).toBe(400);
    await service.stop();
    service = await startInvoicing({ adjustableClock: false, topicPrefix: prefix, database: databases[0]!, env });
    expect(await get('/admin/clock')).toEqual({ mode: 'simulated', now: '2026-03-13T12:00:01.000Z' });
  }, 120_000);

  it('with the system clock: reads real time, refuses PUT with 409, still answers quiescence', async () => {
    await service?.stop();
    service = await startInvoicing({ adjustableClock: false, background: false });
    databases.push(service.database);
    const clock = await get<{ mode: string; now: string }>('/admin/clock');
    expect(clock.mode).toBe('system');
    expect(Math.abs(Date.parse(clock.now) - Date.now())).toBeLessThan(60_000);
    expect((await putClock({ now: '2030-01-01T00:00:00Z' })).status).toBe(409);
    expect(await get('/admin/quiescence')).toEqual({ quiet: true, pending: { consumerLag: 0, outboxPending: 0, deadlinesDue: 0 } });
  }, 60_000);
});
