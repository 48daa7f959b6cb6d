import { decodeBillingRecord, encodeBinary, type BillingEvent } from '@dunning/contracts';
import { localDayOf, type EpochDay } from '../domain/calendar';
import type { ReferenceDunningConfig } from '../domain/config';
import type { SeenMessage } from '../domain/seen-message';
import type { Platform } from '../platform/platform';
import { ReferenceDunning } from './reference-dunning';

export interface InMemoryPlatformOptions {
  readonly dunning: ReferenceDunningConfig;
  /** The zone whose calendar days the reference dunning runs in. */
  readonly timeZone: string;
  /**
   * Round-trip every event through the contract codec (`encodeBinary` → `decodeBillingRecord`) as
   * invoicing would, and fail on the first rejection. Costs time on large runs; on by default.
   */
  readonly checkContract?: boolean;
}

/** The standalone platform: the reference dunning in memory; no broker, no services. */
export class InMemoryPlatform implements Platform {
  private readonly dunning: ReferenceDunning;
  private inbox: SeenMessage[] = [];
  private dayDone: EpochDay | undefined;
  published = 0;

  constructor(private readonly options: InMemoryPlatformOptions) {
    this.dunning = new ReferenceDunning(options.dunning);
  }

  async publish(events: readonly BillingEvent[]): Promise<void> {
    if (this.options.checkContract ?? true) {
      const decoded: BillingEvent[] = [];
      for (const event of events) {
        const result = decodeBillingRecord(encodeBinary(event));
        if (!result.ok) throw new Error(`the simulator produced an event the contract rejects (${event.type} ${event.id}): ${result.error.code}: ${result.error.reason}`);
        decoded.push(result.event);
      }
      this.dunning.observe(decoded);
    } else {
      this.dunning.observe(events);
    }
    this.published += events.length;
  }

  async advanceClockTo(instant: Date): Promise<void> {
    // The last local day that has fully passed by `instant`.
    const through = localDayOf(new Date(instant.getTime() - 1), this.options.timeZone);
    const from = this.dayDone === undefined ? through : this.dayDone + 1;
    for (let day = from; day <= through; day += 1) this.inbox.push(...this.dunning.runDay(day));
    this.dayDone = Math.max(this.dayDone ?? through, through);
  }

  async waitUntilQuiet(): Promise<void> {
    // Everything in memory happens inside advanceClockTo.
  }

  async collectCustomerInbox(): Promise<readonly SeenMessage[]> {
    const seen = this.inbox;
    this.inbox = [];
    return seen;
  }

  async collectAssignments(): Promise<ReadonlyMap<string, string>> {
    return this.dunning.assignments();
  }

  async close(): Promise<void> {
    this.inbox = [];
  }
}
