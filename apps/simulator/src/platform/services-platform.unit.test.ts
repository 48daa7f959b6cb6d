import type { BillingEvent } from '@dunning/contracts';
import type { CustomerInbox } from '../adapters/inbox/customer-inbox';
import type { KafkaBillingProducer } from '../adapters/kafka-billing-producer';
import { epochDayOf } from '../domain/calendar';
import { pauseBeforeNextRound, quietSchedule, ServicesPlatform, type ClockDriver, type QuiescenceProbe, type QuietOptions } from './services-platform';

function platformWith(probes: QuiescenceProbe[], clocks: ClockDriver[] = [], collected: number[] = []) {
  const published: BillingEvent[][] = [];
  const producer = { publish: async (events: readonly BillingEvent[]) => void published.push([...events]), disconnect: async () => undefined } as unknown as KafkaBillingProducer;
  const inbox = { collect: async (day: number) => (collected.push(day), []) } as unknown as CustomerInbox;
  const platform = new ServicesPlatform({ producer, inbox, clocks, probes, timeZone: 'Europe/Stockholm', brokers: [], quiet: { consecutiveChecks: 2, intervalMs: 1, timeoutMs: 50 }, sleep: async () => undefined });
  return { platform, published };
}

const event = (id: string, customerId: string, time: string): BillingEvent => ({ specversion: '1.0', id, source: 'urn:test', type: 'billing.customer.terminated', time, data: { customerId, terminatedAt: time } }) as unknown as BillingEvent;

describe('the services platform', () => {
  it('sends an event only once the clock reaches its time, in order, and lets the platform settle before the clocks move', async () => {
    const log: string[] = [];
    const probe: QuiescenceProbe = { name: 'orchestrator', check: async () => (log.push('probe'), { quiet: true, detail: '' }) };
    const published: string[][] = [];
    const producer = { publish: async (events: readonly BillingEvent[]) => void (published.push(events.map((e) => e.id)), log.push(`publish ${events.length}`)), disconnect: async () => undefined } as unknown as KafkaBillingProducer;
    const clock: ClockDriver = { name: 'invoicing', advanceTo: async (instant) => void log.push(`clock ${instant.toISOString()}`) };
    const platform = new ServicesPlatform({
      producer,
      inbox: { collect: async () => [] } as unknown as CustomerInbox,
      clocks: [clock],
      probes: [probe],
      timeZone: 'Europe/Stockholm',
      brokers: [],
      quiet: { consecutiveChecks: 2, intervalMs: 1 },
      sleep: async () => undefined,
    });
    await platform.publish([event('a1', 'a', '2026-01-05T05:00:00Z'), event('b1', 'b', '2026-01-05T09:00:00Z'), event('a2', 'a', '2026-01-05T16:00:00Z'), event('b2', 'b', '2026-01-05T20:00:00Z')]);
    await platform.advanceClockTo(new Date('2026-01-05T11:00:00Z'));
    expect(platform.heldBack).toBe(2);
    await platform.publish([event('a3', 'a', '2026-01-06T06:00:00Z')]);
    await platform.advanceClockTo(new Date('2026-01-06T11:00:00Z'));
    expect(published).toEqual([['a1', 'b1'], ['a2', 'b2', 'a3']]);
    // The day's events and what they set off first, then the day's timers: no race between them.
    expect(log).toEqual(['publish 2', 'probe', 'probe', 'clock 2026-01-05T11:00:00.000Z', 'publish 3', 'probe', 'probe', 'clock 2026-01-06T11:00:00.000Z']);
    expect(platform.heldBack).toBe(0);
    expect(platform.clockMoves).toBe(2);
    expect(platform.now?.toISOString()).toBe('2026-01-06T11:00:00.000Z');
  });

  it('moves every service clock, and never back', async () => {
    const moves: string[] = [];
    const clock = (name: string): ClockDriver => ({ name, advanceTo: async (instant) => void moves.push(`${name}@${instant.toISOString()}`) });
    const { platform } = platformWith([], [clock('invoicing'), clock('orchestrator')]);
    await platform.advanceClockTo(new Date('2026-02-01T23:00:00Z'));
    await platform.advanceClockTo(new Date('2026-01-31T23:00:00Z'));
    expect(moves).toEqual(['invoicing@2026-02-01T23:00:00.000Z', 'orchestrator@2026-02-01T23:00:00.000Z']);
  });

  it('is quiet only after every probe said so several times in a row; otherwise it names what is busy', async () => {
    let calls = 0;
    const flaky: QuiescenceProbe = { name: 'orchestrator', check: async () => ({ quiet: (calls += 1) > 2, detail: `lag ${5 - calls}` }) };
    await platformWith([flaky]).platform.waitUntilQuiet();
    expect(calls).toBe(4); // busy, busy, quiet, quiet
    const busy: QuiescenceProbe = { name: 'notifier', check: async () => ({ quiet: false, detail: 'outbox 12' }) };
    await expect(platformWith([busy]).platform.waitUntilQuiet()).rejects.toThrow('the platform did not settle: notifier: outbox 12');
    // a probe that cannot tell is busy, not fatal: the wait goes on and names it if it never clears
    let failures = 0;
    const flakyProbe: QuiescenceProbe = { name: 'scoring', check: async () => ((failures += 1) <= 2 ? Promise.reject(new Error('HTTP 503: too many clients')) : { quiet: true, detail: '' }) };
    await platformWith([flakyProbe]).platform.waitUntilQuiet();
    expect(failures).toBe(4);
    const broken: QuiescenceProbe = { name: 'scoring', check: async () => Promise.reject(new Error('HTTP 503: too many clients')) };
    await expect(platformWith([broken]).platform.waitUntilQuiet()).rejects.toThrow('scoring: cannot tell: HTTP 503: too many clients');
  });

  it('attributes what customers saw to the last day the clock passed, in the customers’ zone', async () => {
    const collected: number[] = [];
    const { platform } = platformWith([], [], collected);
    await platform.advanceClockTo(new Date('2026-03-01T23:00:00Z')); // midnight in Stockholm
    await platform.collectCustomerInbox();
    expect(collected).toEqual([epochDayOf('2026-03-01')]);
  });

  describe('the quiet wait\'s schedule', () => {
    it('backs off ×1.5 per busy round up to the cap; the confirming round follows a quiet one after the short pause', () => {
      const schedule = quietSchedule({ consecutiveChecks: 2, intervalMs: 50 });
      expect(schedule).toEqual({ consecutiveChecks: 2, intervalMs: 50, backoff: 1.5, maxIntervalMs: 250, confirmIntervalMs: 50, timeoutMs: 120_000 });
      expect([1, 2, 3, 4, 5, 6, 10].map((busy) => pauseBeforeNextRound(schedule, busy, false))).toEqual([50, 75, 113, 169, 250, 250, 250]);
      expect(pauseBeforeNextRound(schedule, 7, true)).toBe(50);
      // backoff 1: the fixed schedule of old
      expect([1, 5, 20].map((busy) => pauseBeforeNextRound(quietSchedule({ intervalMs: 50, backoff: 1 }), busy, false))).toEqual([50, 50, 50]);
      // a cap below the first pause is the first pause
      expect(quietSchedule({ intervalMs: 500, maxIntervalMs: 100 }).maxIntervalMs).toBe(500);
    });

    /**
     * A fake platform whose services are busy for `busyMs` after each clock move (a probe that
     * cannot tell now and then), on a fake clock the injected sleep moves: the rounds one simulated
     * day costs and how long after the platform went quiet the wait noticed.
     */
    async function day(quiet: QuietOptions, busyMs: number): Promise<{ rounds: number; lateMs: number }> {
      let now = 0;
      let calls = 0;
      const service = (name: string): QuiescenceProbe => ({
        name,
        check: async () => {
          calls += 1;
          if (now < busyMs && calls % 7 === 0) throw new Error('HTTP 503');
          return { quiet: now >= busyMs, detail: now >= busyMs ? '' : 'lag 3' };
        },
      });
      const producer = { publish: async () => undefined, disconnect: async () => undefined } as unknown as KafkaBillingProducer;
      const platform = new ServicesPlatform({
        producer,
        inbox: { collect: async () => [] } as unknown as CustomerInbox,
        clocks: [],
        probes: ['invoicing', 'orchestrator', 'notifier', 'collection', 'scoring', 'kannel'].map(service),
        timeZone: 'Europe/Stockholm',
        brokers: [],
        quiet,
        sleep: async (ms) => void (now += ms),
        now: () => now,
      });
      await platform.waitUntilQuiet();
      return { rounds: platform.quiescenceRounds, lateMs: now - busyMs };
    }

    // Busy spells after a day's clock move: most days settle within tens of ms, some take seconds.
    const spells = [0, 20, 40, 80, 150, 300, 600, 1_200, 2_100, 5_000];
    const fixed: QuietOptions = { consecutiveChecks: 2, intervalMs: 50, backoff: 1 };
    const adaptive: QuietOptions = { consecutiveChecks: 2, intervalMs: 50 };

    it('needs the same quiet rounds in a row, far fewer rounds per busy day, and notices quiet within a cap\'s pause', async () => {
      const rows: string[] = [];
      let before = 0;
      let after = 0;
      for (const busyMs of spells) {
        const old = await day(fixed, busyMs);
        const now = await day(adaptive, busyMs);
        before += old.rounds;
        after += now.rounds;
        rows.push(`busy ${String(busyMs).padStart(5)} ms: rounds ${String(old.rounds).padStart(3)} -> ${String(now.rounds).padStart(2)}, noticed ${String(old.lateMs).padStart(3)} -> ${String(now.lateMs).padStart(3)} ms after quiet`);
        expect(now.rounds).toBeLessThanOrEqual(old.rounds);
        // Two quiet rounds in a row, the second one confirming pause later: at least 50 ms after quiet.
        expect(now.lateMs).toBeGreaterThanOrEqual(50);
        expect(now.lateMs).toBeLessThanOrEqual(250 + 50);
      }
      process.stdout.write(`settle rounds per simulated day, fixed 50 ms vs adaptive 50 ms ×1.5 ≤ 250 ms:\n  ${rows.join('\n  ')}\n  total ${before} -> ${after}\n`);
      expect(await day(adaptive, 0)).toEqual({ rounds: 2, lateMs: 50 }); // quiet at once: two rounds 50 ms apart, as before
      expect(after).toBeLessThan(before / 2);
    });

    it('still times out and names the busy probe under the adaptive schedule', async () => {
      await expect(day({ consecutiveChecks: 2, intervalMs: 50, timeoutMs: 2_000 }, 10_000)).rejects.toThrow('the platform did not settle: invoicing: lag 3');
    });
  });
});
