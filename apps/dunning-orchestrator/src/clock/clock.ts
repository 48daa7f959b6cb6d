import type { ServiceClock } from '@dunning/platform';

/**
 * The only way the orchestrator learns the time. Decisions get `now` from here and never read a
 * clock themselves, so a simulator can run months of a customer base through the same code. The
 * clocks themselves are the platform's, shared by every service (docs/simulated-time.md).
 */
export type Clock = ServiceClock;
export { SimulatedClock, SystemClock } from '@dunning/platform';
