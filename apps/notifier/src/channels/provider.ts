import type { Channel, Money, RenderedMessage } from '../domain';

/** A postal address as billing systems send it (libs/contracts billing.postalAddress). Personal data. */
export interface PostalAddress {
  readonly lines: readonly string[];
  readonly postalCode?: string;
  readonly city: string;
  readonly country?: string;
}

/** Who receives the message. Personal data: never logged, never in spans or events. */
export interface Recipient {
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
  readonly postalAddress?: PostalAddress;
}

/**
 * Which invoice a message is about and the fee it announces: ids and money, no personal data. A
 * provider whose hand-over carries metadata (the letter drop's manifest) passes it on, so whoever
 * collects the message can match it to its invoice without reading the rendered text.
 */
export interface MessageReference {
  readonly invoiceId: string;
  readonly paymentReference?: string;
  readonly fee?: Money;
}

export interface OutboundMessage {
  /** The idempotency key: one per requested action, stable across retries and restarts. */
  readonly deliveryId: string;
  readonly channel: Channel;
  readonly brand: string;
  readonly recipient: Recipient;
  readonly content: RenderedMessage;
  readonly reference?: MessageReference;
}

export interface SendReceipt {
  readonly provider: string;
  /** The provider's reference for the message (Message-ID, DLR key, manifest name). */
  readonly providerRef: string;
}

/**
 * How a send failed, which decides what happens next:
 * - `permanent`: the provider refused this message for good (unknown number, rejected address);
 * - `not-sent`: the provider certainly did not take it (connection refused, 4xx "try later"): retry;
 * - `ambiguous`: it may have been taken (timeout after the request went out): reconcile first.
 * `code` is a short, personal-data-free code for events and logs.
 */
export class ProviderError extends Error {
  constructor(
    readonly kind: 'permanent' | 'not-sent' | 'ambiguous',
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** What the provider knows about an attempt whose outcome the notifier did not get to record. */
export type ReconcileVerdict =
  | { readonly kind: 'accepted'; readonly providerRef: string }
  /** Certainly not taken: safe to send again. */
  | { readonly kind: 'not-accepted' }
  /** Cannot tell yet: ask again later. */
  | { readonly kind: 'unknown' }
  /**
   * Will never be known. Sending again could make a second message, so the attempt ends as failed
   * (`outcome-unknown`) and the orchestrator decides anew: at most once beats at least once here.
   */
  | { readonly kind: 'indeterminate' };

export interface AttemptInFlight {
  readonly deliveryId: string;
  readonly startedAt: Date;
}

/** One channel's way out. Providers are interchangeable behind this port. */
export interface MessageProvider {
  readonly name: string;
  readonly channel: Channel;
  send(message: OutboundMessage): Promise<SendReceipt>;
  reconcile(attempt: AttemptInFlight, now: Date): Promise<ReconcileVerdict>;
  close?(): Promise<void>;
}
