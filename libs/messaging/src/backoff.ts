export interface RetryPolicy {
  /** Retries after the first attempt before the partition is paused. */
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** How long a partition stays paused once retries are exhausted (doubles per repeat, up to maxPauseMs). */
  readonly pauseMs: number;
  readonly maxPauseMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 6,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  pauseMs: 30_000,
  maxPauseMs: 5 * 60_000,
};

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries
 * of many partitions spread out but none comes back immediately. `attempt` starts at 1.
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = policy.initialDelayMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return Math.round(capped / 2 + random() * (capped / 2));
}

/** Pause length after the n-th consecutive exhaustion of retries on one partition (n starts at 1). */
export function pauseDurationMs(consecutiveExhaustions: number, policy: RetryPolicy): number {
  return Math.min(policy.maxPauseMs, policy.pauseMs * 2 ** Math.max(0, consecutiveExhaustions - 1));
}

export interface HeartbeatingWait {
  heartbeat(): Promise<void>;
  /** True when waiting should end early (shutdown, seek). */
  shouldStop(): boolean;
  heartbeatEveryMs: number;
}

/**
 * Waits `ms`, heart-beating so the group coordinator does not evict us during a long backoff.
 * Returns true when it stopped early. A heartbeat error (the group is rebalancing) propagates:
 * kafkajs must see it to re-join.
 */
export async function waitWithHeartbeats(ms: number, wait: HeartbeatingWait): Promise<boolean> {
  const deadline = Date.now() + ms;
  let nextHeartbeat = Date.now() + wait.heartbeatEveryMs;
  for (;;) {
    if (wait.shouldStop()) return true;
    const now = Date.now();
    if (now >= deadline) return false;
    if (now >= nextHeartbeat) {
      await wait.heartbeat();
      nextHeartbeat = Date.now() + wait.heartbeatEveryMs;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, deadline - now, Math.max(1, nextHeartbeat - now))));
  }
}
