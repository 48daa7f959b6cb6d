import type { EpochDay } from '../../domain/calendar';
import type { SeenMessage } from '../../domain/seen-message';

/** One way messages reach customers (mail, SMS, letters, agencies). */
export interface InboxSource {
  /** Ignore what is already there: a run sees only what arrives after it starts. */
  skipExisting(): Promise<void>;
  /** What arrived since the last call, as seen on `day`. */
  collect(day: EpochDay): Promise<readonly SeenMessage[]>;
}

/** Everything that reached the simulated customers, from all sources; what `Platform.collectCustomerInbox` returns end to end. */
export class CustomerInbox {
  constructor(private readonly sources: readonly InboxSource[]) {}

  async skipExisting(): Promise<void> {
    for (const source of this.sources) await source.skipExisting();
  }

  async collect(day: EpochDay): Promise<SeenMessage[]> {
    const all: SeenMessage[] = [];
    for (const source of this.sources) all.push(...(await source.collect(day)));
    return all;
  }
}
