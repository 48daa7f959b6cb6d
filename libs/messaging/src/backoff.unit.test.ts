import { backoffDelayMs, DEFAULT_RETRY_POLICY, pauseDurationMs, waitWithHeartbeats, type RetryPolicy } from './backoff';

const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 100, maxDelayMs: 1_000, pauseMs: 500, maxPauseMs: 3_000 };

describe('backoff', () => {
  it('doubles per attempt between half and all of the step, capped at maxDelayMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, policy, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, policy, () => 1))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('doubles pauses after repeated exhaustion, up to maxPauseMs', () => {
    expect([1, 2, 3, 4, 5].map((n) => pauseDurationMs(n, policy))).toEqual([500, 1_000, 2_000, 3_000, 3_000]);
  });

  it('heart-beats while waiting and stops early when told to', async () => {
    let beats = 0;
    const stoppedEarly = await waitWithHeartbeats(120, { heartbeat: async () => void beats++, shouldStop: () => false, heartbeatEveryMs: 25 });
    expect(stoppedEarly).toBe(false);
    expect(beats).toBeGreaterThanOrEqual(3);

    let stop = false;
    setTimeout(() => (stop = true), 30);
    const started = Date.now();
    expect(await waitWithHeartbeats(10_000, { heartbeat: async () => undefined, shouldStop: () => stop, heartbeatEveryMs: 1_000 })).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('lets a heartbeat failure (a rebalance) through', async () => {
    const rebalance = Object.assign(new Error('The group is rebalancing'), { type: 'REBALANCE_IN_PROGRESS' });
    await expect(
      waitWithHeartbeats(200, { heartbeat: () => Promise.reject(rebalance), shouldStop: () => false, heartbeatEveryMs: 10 }),
    ).rejects.toBe(rebalance);
  });
});
