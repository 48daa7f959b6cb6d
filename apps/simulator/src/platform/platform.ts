import type { BillingEvent } from '@dunning/contracts';
import type { SeenMessage } from '../domain/seen-message';

/**
 * The seam between the simulated customers and what they bill against. The simulator steps a day,
 * publishes the day's contract events, moves the platform's clock past the day, waits until the
 * platform has done everything that day asked of it, and collects what reached the customers.
 *
 * Implementations: `InMemoryPlatform` (the standalone mode: the reference dunning, no services) and,
 * for the end-to-end mode, one over Kafka and the five services (docs/simulator.md, "End-to-end mode",
 * lists what it needs from the services).
 */
export interface Platform {
  /** Hands the day's events to billing's ingress (`billing.events.v1`), in order per customer. */
  publish(events: readonly BillingEvent[]): Promise<void>;
  /** Moves the platform's simulated clock forward to `instant` (never back); due timers fire. */
  advanceClockTo(instant: Date): Promise<void>;
  /** Resolves once everything the events and the clock caused has happened (consumers caught up, outboxes empty, due timers fired). */
  waitUntilQuiet(): Promise<void>;
  /** What reached customers since the last call: reminders (SMS, e-mail, letters) and collection demands, mapped to customers. */
  collectCustomerInbox(): Promise<readonly SeenMessage[]>;
  /**
   * For the report only, never for behaviour: the experiment arm (or flow) each late invoice's case got.
   * The real platform publishes it as `dunning.experiment.arm-assigned.v1`.
   */
  collectAssignments(): Promise<ReadonlyMap<string, string>>;
  close(): Promise<void>;
}
