import type { EpochDay } from './calendar';
import type { Channel } from './config';

// What a customer saw: the only input of the behaviour model besides time. In the end-to-end mode the
// adapters read it from the real peers (mail capture, fakesmsc, the letter drop, the agencies) and map
// the contact back to a customer with the ContactDirectory; in the standalone mode the reference
// dunning hands it over directly.

export interface SeenReminder {
  readonly kind: 'reminder';
  readonly customerId: string;
  /** The customer's local day the message arrived. */
  readonly day: EpochDay;
  readonly channel: Channel;
  /** The invoice it is about, when the message says (payment reference, invoice number); else every open invoice. */
  readonly invoiceId?: string;
  /** A reminder fee the message announces, in the invoice's minor units. */
  readonly feeMinor?: number;
}

export interface SeenCollectionDemand {
  readonly kind: 'collection-demand';
  readonly customerId: string;
  readonly day: EpochDay;
  readonly invoiceId?: string;
  readonly agencyId?: string;
}

export type SeenMessage = SeenReminder | SeenCollectionDemand;
