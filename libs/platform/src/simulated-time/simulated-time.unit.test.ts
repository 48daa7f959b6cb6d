import type { SqlClient } from '@dunning/event-store';
import { ClockBackwardsError, InvalidInstantError, SimulatedClock } from './clock';
import { parseInstant, readClockConfig } from './clock-config';
import { ClockNotSimulatedError, SimulationControl } from './simulation-control';

/** A one-row simulated_clock table in memory, answering the two statements SimulatedClock sends. */
function fakeDb(initial?: Date): SqlClient & { stored: () => Date | undefined } {
  let stored = initial;
  return {
    stored: () => stored,
    async query<R>(text: string, values?: unknown[]) {
      if (text.startsWith('SELECT')) return { rows: (stored ? [{ now: stored }] : []) as R[], rowCount: stored ? 1 : 0 };
      const to = values?.[0] as Date;
      stored = stored && stored > to ? stored : to;
      return { rows: [] as R[], rowCount: 1 };
    },
  };
}

const at = (iso: string) => new Date(iso);

describe('readClockConfig', () => {
  it('defaults to the system clock', () => {
    expect(readClockConfig({}, { defaultStart: () => at('2026-01-01T00:00:00Z') })).toEqual({ mode: 'system', start: at('2026-01-01T00:00:00Z') });
  });

  it('reads DUNNING_CLOCK and DUNNING_CLOCK_START', () => {
    expect(readClockConfig({ DUNNING_CLOCK: 'simulated', DUNNING_CLOCK_START: '2026-03-01T08:00:00Z' })).toEqual({ mode: 'simulated', start: at('2026-03-01T08:00:00Z') });
  });

  it('accepts an alias and lets DUNNING_CLOCK win over it', () => {
    expect(readClockConfig({ ORCHESTRATOR_CLOCK: 'simulated' }, { modeAliases: ['ORCHESTRATOR_CLOCK'] }).mode).toBe('simulated');
    expect(readClockConfig({ ORCHESTRATOR_CLOCK: 'simulated', DUNNING_CLOCK: 'system' }, { modeAliases: ['ORCHESTRATOR_CLOCK'] }).mode).toBe('system');
    expect(readClockConfig({ ORCHESTRATOR_CLOCK: 'simulated' }).mode).toBe('system');
  });

  it('refuses an unknown mode and an unreadable start', () => {
    expect(() => readClockConfig({ DUNNING_CLOCK: 'fake' })).toThrow(/DUNNING_CLOCK must be system or simulated/);
    expect(() => readClockConfig({ DUNNING_CLOCK_START: 'next tuesday' })).toThrow(InvalidInstantError);
  });
});

describe('parseInstant', () => {
  it.each(['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.123Z', '2026-01-01T02:00:00+02:00', '2026-01-01T00:00Z'])('reads %s', (raw) => {
    expect(parseInstant(raw).getTime()).toBe(new Date(raw).getTime());
  });

  it.each([undefined, 42, '', '2026-01-01', 'yesterday', '2026-13-45T00:00:00Z', '2026-01-01T00:00:00'])('refuses %p', (raw) => {
    expect(() => parseInstant(raw)).toThrow(InvalidInstantError);
  });
});

describe('SimulatedClock', () => {
  it('starts at the fallback the first time and at the persisted instant afterwards', async () => {
    const db = fakeDb();
    const first = await SimulatedClock.load(db, 'svc', at('2026-01-01T00:00:00Z'));
    expect(first.now()).toEqual(at('2026-01-01T00:00:00Z'));
    await first.set(db, at('2026-02-01T00:00:00Z'));
    const again = await SimulatedClock.load(db, 'svc', at('2026-01-01T00:00:00Z'));
    expect(again.now()).toEqual(at('2026-02-01T00:00:00Z'));
  });

  it('only moves forward, and persists before answering', async () => {
    const db = fakeDb();
    const clock = await SimulatedClock.load(db, 'svc', at('2026-01-10T00:00:00Z'));
    await expect(clock.set(db, at('2026-01-09T00:00:00Z'))).rejects.toThrow(ClockBackwardsError);
    await clock.set(db, at('2026-01-11T00:00:00Z'));
    expect(db.stored()).toEqual(at('2026-01-11T00:00:00Z'));
    expect(clock.now()).toEqual(at('2026-01-11T00:00:00Z'));
  });

  it('hands out copies, so a caller cannot move it by mutating a Date', async () => {
    const clock = await SimulatedClock.load(fakeDb(), 'svc', at('2026-01-10T00:00:00Z'));
    clock.now().setUTCFullYear(2030);
    expect(clock.now()).toEqual(at('2026-01-10T00:00:00Z'));
  });

  it('refuses a schema that is not a plain identifier', async () => {
    await expect(SimulatedClock.load(fakeDb(), 'x"; DROP', at('2026-01-10T00:00:00Z'))).rejects.toThrow(/identifier/);
  });
});

describe('SimulationControl', () => {
  async function simulated(start = '2026-01-01T00:00:00Z') {
    return SimulationControl.create(fakeDb(), 'svc', { mode: 'simulated', start: at(start) });
  }

  it('runs every due work in order at the new instant before answering', async () => {
    const control = await simulated();
    const seen: string[] = [];
    control.addDueWork('timers', async (now) => (seen.push(`timers@${now.toISOString()}`), 3));
    control.addDueWork('scan', async (now) => (seen.push(`scan@${now.toISOString()}`), 0));
    const result = await control.advanceTo(at('2026-01-02T00:00:00Z'));
    expect(result).toEqual({ now: '2026-01-02T00:00:00.000Z', work: { timers: 3, scan: 0 } });
    expect(seen).toEqual(['timers@2026-01-02T00:00:00.000Z', 'scan@2026-01-02T00:00:00.000Z']);
    expect(control.now()).toEqual(at('2026-01-02T00:00:00Z'));
  });

  it('refuses a move backwards and does no work for it', async () => {
    const control = await simulated('2026-01-05T00:00:00Z');
    let runs = 0;
    control.addDueWork('timers', async () => ++runs);
    await expect(control.advanceTo(at('2026-01-04T00:00:00Z'))).rejects.toThrow(ClockBackwardsError);
    expect(runs).toBe(0);
    expect(control.now()).toEqual(at('2026-01-05T00:00:00Z'));
  });

  it('serialises concurrent advances: each sees its own instant, in arrival order', async () => {
    const control = await simulated();
    const seen: string[] = [];
    control.addDueWork('slow', async (now) => {
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(now.toISOString());
      return 1;
    });
    const [a, b] = await Promise.all([control.advanceTo(at('2026-01-02T00:00:00Z')), control.advanceTo(at('2026-01-03T00:00:00Z'))]);
    expect([a.now, b.now]).toEqual(['2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']);
    expect(seen).toEqual(['2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']);
  });

  it('keeps advancing after an advance failed', async () => {
    const control = await simulated();
    let fail = true;
    control.addDueWork('flaky', async () => {
      if (fail) throw new Error('boom');
      return 1;
    });
    await expect(control.advanceTo(at('2026-01-02T00:00:00Z'))).rejects.toThrow('boom');
    fail = false;
    await expect(control.advanceTo(at('2026-01-02T00:00:00Z'))).resolves.toEqual({ now: '2026-01-02T00:00:00.000Z', work: { flaky: 1 } });
  });

  it('with the system clock: refuses to advance, reads real time, still answers quiescence', async () => {
    const control = await SimulationControl.create(fakeDb(), 'svc', { mode: 'system', start: at('2000-01-01T00:00:00Z') });
    control.addProbe('outboxPending', async () => 0);
    await expect(control.advanceTo(at('2030-01-01T00:00:00Z'))).rejects.toThrow(ClockNotSimulatedError);
    expect(Math.abs(control.now().getTime() - Date.now())).toBeLessThan(5_000);
    await expect(control.quiescence()).resolves.toEqual({ quiet: true, pending: { outboxPending: 0 } });
  });

  it('is quiet only when every probe counts 0', async () => {
    const control = await simulated();
    let lag = 2;
    control.addProbe('consumerLag', async () => lag).addProbe('outboxPending', async () => 0);
    await expect(control.quiescence()).resolves.toEqual({ quiet: false, pending: { consumerLag: 2, outboxPending: 0 } });
    lag = 0;
    await expect(control.quiescence()).resolves.toEqual({ quiet: true, pending: { consumerLag: 0, outboxPending: 0 } });
  });

  it('refuses a name registered twice', async () => {
    const control = await simulated();
    control.addProbe('x', async () => 0).addDueWork('x', async () => 0);
    expect(() => control.addProbe('x', async () => 0)).toThrow(/twice/);
    expect(() => control.addDueWork('x', async () => 0)).toThrow(/twice/);
  });
});

describe('DeferredClock', () => {
  it('refuses to tell the time until it is given a clock, then delegates', async () => {
    const { DeferredClock } = await import('./clock');
    const deferred = new DeferredClock();
    expect(deferred.ready).toBe(false);
    expect(() => deferred.now()).toThrow(/not loaded/);
    deferred.use(await SimulatedClock.load(fakeDb(), 'svc', at('2026-05-01T00:00:00Z')));
    expect(deferred.now()).toEqual(at('2026-05-01T00:00:00Z'));
  });
});

describe('createSimulatedTimeController', () => {
  type Routes = {
    clock(): { mode: string; now: string };
    setClock(body: unknown): Promise<unknown>;
    quiescence(): Promise<unknown>;
  };
  async function controllerFor(control: SimulationControl): Promise<Routes> {
    const { createSimulatedTimeController } = await import('./simulated-time.controller');
    const Controller = createSimulatedTimeController() as unknown as new (control: SimulationControl) => Routes;
    return new Controller(control);
  }
  const statusOf = async (promise: Promise<unknown>) => promise.then(() => 200, (error: { getStatus?: () => number }) => error.getStatus?.() ?? 500);

  it('moves the clock from a parsed JSON body or from a body kept as text, and maps refusals to 400 and 409', async () => {
    const control = await SimulationControl.create(fakeDb(), 'svc', { mode: 'simulated', start: at('2026-01-01T00:00:00Z') });
    control.addDueWork('timers', async () => 2);
    const routes = await controllerFor(control);
    expect(routes.clock()).toEqual({ mode: 'simulated', now: '2026-01-01T00:00:00.000Z' });
    await expect(routes.setClock({ now: '2026-01-02T00:00:00Z' })).resolves.toEqual({ now: '2026-01-02T00:00:00.000Z', work: { timers: 2 } });
    await expect(routes.setClock('{"now":"2026-01-03T00:00:00Z"}')).resolves.toEqual({ now: '2026-01-03T00:00:00.000Z', work: { timers: 2 } });
    expect(await statusOf(routes.setClock({ now: '2026-01-01T00:00:00Z' }))).toBe(409);
    expect(await statusOf(routes.setClock({ now: 'tomorrow' }))).toBe(400);
    expect(await statusOf(routes.setClock('not json'))).toBe(400);
    expect(await statusOf(routes.setClock(undefined))).toBe(400);
  });

  it('answers 409 with the system clock, and 503 when a probe fails', async () => {
    const control = new SimulationControl({ mode: 'system' });
    control.addProbe('broken', async () => {
      throw new Error('broker unreachable');
    });
    const routes = await controllerFor(control);
    expect(routes.clock().mode).toBe('system');
    expect(await statusOf(routes.setClock({ now: '2030-01-01T00:00:00Z' }))).toBe(409);
    expect(await statusOf(routes.quiescence())).toBe(503);
  });
});
