import { uniqueName, waitFor } from '@dunning/testing';
import { mailTo, startSmtpCapture, uniqueEmail } from '../test-support/peers';
import { NotifierHarness, type RunningNotifier } from '../test-support/notifier-process';

// The notifier on the simulated clock (DUNNING_CLOCK=simulated), as its own process against real
// Kafka, PostgreSQL and the SMTP capture server: quiet hours and the contact cap read the simulated
// now, PUT /admin/clock sends what became due before it answers, GET /admin/quiescence counts only
// work due at the clock's now, and the instant survives a kill -9 (docs/simulated-time.md).

const harness = new NotifierHarness();
// Monday 6 April 2026, 06:00 in Stockholm (CEST): before the 09:00–19:00 weekday window.
const START = '2026-04-06T04:00:00.000Z';
const simulated = {
  DUNNING_CLOCK: 'simulated',
  DUNNING_CLOCK_START: START,
  NOTIFIER_WINDOW_WEEKDAYS: '09:00-19:00',
  NOTIFIER_WINDOW_SATURDAY: 'none',
  NOTIFIER_WINDOW_SUNDAY: 'none',
  NOTIFIER_CONTACT_CAP: '1',
  NOTIFIER_CONTACT_CAP_DAYS: '7',
  // A held contact lookup (below) must not time out while the test looks at the quiescence.
  NOTIFIER_CONTACTS_TIMEOUT_MS: '60000',
};

interface Quiescence {
  quiet: boolean;
  pending: Record<string, number>;
}

const admin = (path: string, init?: RequestInit): Promise<Response> => fetch(`${harness.baseUrl}/admin/${path}`, init);
const clock = async (): Promise<{ mode: string; now: string }> => (await admin('clock')).json() as Promise<{ mode: string; now: string }>;
const setClock = (now: string): Promise<Response> => admin('clock', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ now }) });
const quiescence = async (): Promise<Quiescence> => (await admin('quiescence')).json() as Promise<Quiescence>;
const quiet = (): Promise<Quiescence> => waitFor(async () => ((await quiescence()).quiet ? quiescence() : undefined), { timeoutMs: 30_000, description: 'the notifier to be quiet' });
const stateOf = (actionId: string, state: string, outcome?: string) =>
  waitFor(
    async () => {
      const row = await harness.deliveryState(actionId);
      return row?.state === state && (outcome === undefined || row.outcome_code === outcome) ? row : undefined;
    },
    { timeoutMs: 30_000, description: `${actionId} ${state} ${outcome ?? ''}` },
  );

beforeAll(async () => {
  startSmtpCapture();
  await harness.setUp();
}, 120_000);

afterAll(async () => {
  await harness.tearDown();
});

describe('notifier on the simulated clock', () => {
  const ada = { customerId: uniqueName('cust-sim-a'), name: 'Ada Ek', email: uniqueEmail() };
  const bo = { customerId: uniqueName('cust-sim-b'), name: 'Bo Ek', email: uniqueEmail() };
  let notifier: RunningNotifier | undefined;

  afterAll(async () => {
    if (notifier) await harness.stop(notifier);
  });

  it('quiet hours and the contact cap wait for the simulated clock; moving it sends before the PUT answers', async () => {
    notifier = await harness.start({ env: simulated });
    expect(await clock()).toEqual({ mode: 'simulated', now: START });

    // 06:00 local: outside the window, deferred to 09:00 — not due, so the notifier is quiet.
    const first = uniqueName('INV-SIM1');
    await harness.openInvoice(ada, first, 'sv-SE', 'SE', 'SEK');
    const firstAction = await harness.requestReminder(ada, first, 'email', 'sv-SE');
    await stateOf(firstAction, 'pending', 'deferred-quiet-hours');
    expect(await quiet()).toEqual({ quiet: true, pending: { consumerLag: 0, outboxPending: 0, deliveriesDue: 0 } });
    expect(await mailTo(ada.email)).toHaveLength(0);

    // 09:30 local: the PUT answers only after the mail went out and `sent` is recorded.
    const moved = await setClock('2026-04-06T07:30:00Z');
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({ now: '2026-04-06T07:30:00.000Z', work: { deliveries: 1 } });
    expect((await harness.deliveryState(firstAction))?.state).toBe('sent');
    expect(await mailTo(ada.email)).toHaveLength(1);
    await quiet();

    // The cap (1 per 7 days) counts in simulated days: the second reminder waits a simulated week.
    const second = uniqueName('INV-SIM2');
    await harness.openInvoice(ada, second, 'sv-SE', 'SE', 'SEK');
    const secondAction = await harness.requestReminder(ada, second, 'email', 'sv-SE');
    await stateOf(secondAction, 'pending', 'deferred-contact-cap');
    await quiet();
    const fourDaysOn = await setClock('2026-04-10T07:30:00Z');
    expect(await fourDaysOn.json()).toEqual({ now: '2026-04-10T07:30:00.000Z', work: { deliveries: 0 } });
    expect((await harness.deliveryState(secondAction))?.state).toBe('pending');
    // A week and a bit after the first mail, Monday 10:00 local.
    const weekOn = await setClock('2026-04-13T08:00:00Z');
    expect(await weekOn.json()).toEqual({ now: '2026-04-13T08:00:00.000Z', work: { deliveries: 1 } });
    expect((await harness.deliveryState(secondAction))?.state).toBe('sent');
    expect(await mailTo(ada.email)).toHaveLength(2);

    // Forward only; an instant it cannot read is refused.
    expect((await setClock('2026-04-01T00:00:00Z')).status).toBe(409);
    expect((await setClock('next tuesday')).status).toBe(400);
    expect((await clock()).now).toBe('2026-04-13T08:00:00.000Z');
  });

  it('is busy while a due delivery is being worked on and quiet once it is sent', async () => {
    const release = harness.holdContact(bo.customerId);
    const invoice = uniqueName('INV-SIM3');
    await harness.openInvoice(bo, invoice, 'sv-SE', 'SE', 'SEK');
    const action = await harness.requestReminder(bo, invoice, 'email', 'sv-SE');
    // Due at the clock's now (10:00 local), its contact lookup held: busy, whatever the timing.
    const busy = await waitFor(async () => {
      const q = await quiescence();
      return (q.pending['deliveriesDue'] ?? 0) > 0 ? q : undefined;
    }, { timeoutMs: 30_000, description: 'the delivery to count as due' });
    expect(busy.quiet).toBe(false);
    expect((await quiescence()).quiet).toBe(false);
    release();
    await stateOf(action, 'sent');
    expect(await quiet()).toEqual({ quiet: true, pending: { consumerLag: 0, outboxPending: 0, deliveriesDue: 0 } });
    expect(await mailTo(bo.email)).toHaveLength(1);
  });

  it('keeps its instant through a kill -9; with the system clock PUT is refused and quiescence still answers', async () => {
    notifier?.child.kill('SIGKILL');
    await notifier?.exited;
    notifier = await harness.start({ env: { ...simulated, DUNNING_CLOCK_START: '2030-01-01T00:00:00Z' } });
    expect(await clock()).toEqual({ mode: 'simulated', now: '2026-04-13T08:00:00.000Z' });
    await harness.stop(notifier);

    notifier = await harness.start({ env: { DUNNING_CLOCK: 'system' } });
    const system = await clock();
    expect(system.mode).toBe('system');
    expect(Math.abs(Date.parse(system.now) - Date.now())).toBeLessThan(60_000);
    expect((await setClock('2031-01-01T00:00:00Z')).status).toBe(409);
    expect(await quiet()).toEqual({ quiet: true, pending: { consumerLag: 0, outboxPending: 0, deliveriesDue: 0 } });
  });
});
