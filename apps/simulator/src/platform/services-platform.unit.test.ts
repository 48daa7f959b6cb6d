import type { BillingEvent } from '@dunning/contracts';
import type { CustomerInbox } from '../adapters/inbox/customer-inbox';
import type { KafkaBillingProducer } from '../adapters/kafka-billing-producer';
import { epochDayOf } from '../domain/calendar';
import { ServicesPlatform, type ClockDriver, type QuiescenceProbe } from './services-platform';

function platformWith(probes: QuiescenceProbe[], clocks: ClockDriver[] = [], collected: number[] = []) {
  const published: BillingEvent[][] = [];
  const producer = { publish: async (events: readonly BillingEvent[]) => void published.push([...events]), disconnect: async () => undefined } as unknown as KafkaBillingProducer;
  const inbox = { collect: async (day: number) => (collected.push(day), []) } as unknown as CustomerInbox;
  const platform = new ServicesPlatform({ producer, inbox, clocks, probes, timeZone: 'Europe/Stockholm', brokers: [], quiet: { consecutiveChecks: 2, intervalMs: 1, timeoutMs: 50 }, sleep: async () => undefined });
  return { platform, published };
}

const event = (id: string, customerId: string, time: string): BillingEvent => ({ specversion: '1.0', id, source: 'urn:test', type: 'billing.customer.terminated', time, data: { customerId, terminatedAt: time } }) as unknown as BillingEvent;

describe('the services platform', () => {
  it('sends an event only once the clock reaches its time, in order, before the clocks move', async () => {
    const log: string[] = [];
    const published: string[][] = [];
    const producer = { publish: async (events: readonly BillingEvent[]) => void (published.push(events.map((e) => e.id)), log.push(`publish ${events.length}`)), disconnect: async () => undefined } as unknown as KafkaBillingProducer;
    const clock: ClockDriver = { name: 'invoicing', advanceTo: async (instant) => void log.push(`clock ${instant.toISOString()}`) };
    const platform = new ServicesPlatform({ producer, inbox: { collect: async () => [] } as unknown as CustomerInbox, clocks: [clock], probes: [], timeZone: 'Europe/Stockholm', brokers: [] });
    await platform.publish([event('a1', 'a', '2026-01-05T05:00:00Z'), event('b1', 'b', '2026-01-05T09:00:00Z'), event('a2', 'a', '2026-01-05T16:00:00Z'), event('b2', 'b', '2026-01-05T20:00:00Z')]);
    await platform.advanceClockTo(new Date('2026-01-05T11:00:00Z'));
    expect(platform.heldBack).toBe(2);
    await platform.publish([event('a3', 'a', '2026-01-06T06:00:00Z')]);
    await platform.advanceClockTo(new Date('2026-01-06T11:00:00Z'));
    expect(published).toEqual([['a1', 'b1'], ['a2', 'b2', 'a3']]);
    expect(log).toEqual(['publish 2', 'clock 2026-01-05T11:00:00.000Z', 'publish 3', 'clock 2026-01-06T11:00:00.000Z']);
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
});
