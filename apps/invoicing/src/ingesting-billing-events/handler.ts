import type { BillingEvent } from '@dunning/contracts';
import type { Inbox, SqlClient } from '@dunning/event-store';
import type { AccountCache, AccountStore } from '../accounts/account-store';
import type { DeadLetters } from '../accounts/dead-letters';
import type { Origin } from '../accounts/origin';
import type { Clock } from '../clock';
import type { ContactBook } from '../personal-data/contact-book';
import { toCommand } from './to-command';

/**
 * Ingesting one billing event, whichever way it came (Kafka or HTTP): de-duplicate by
 * CloudEvents source + id, turn it into a command (sealing personal data), decide, append. A
 * rejection is recorded in `dead_letters` and its id is not kept as processed, so that the same
 * event can be re-driven once its cause is fixed.
 */
export type IngestOutcome =
  | { readonly status: 'applied'; readonly events: readonly string[] }
  | { readonly status: 'held'; readonly holdId: string; readonly why: string; readonly expiresAt: string }
  | { readonly status: 'unchanged' }
  | { readonly status: 'duplicate' }
  | { readonly status: 'rejected'; readonly code: string; readonly reason: string };

/** One inbox for both channels: an event sent over Kafka and again over HTTP is the same event. */
export const BILLING_INBOX = 'invoicing.billing-events';

/** The inbox id of a CloudEvent: source and id, unambiguously joined. */
export const eventKey = (source: string, id: string): string => JSON.stringify([source, id]);

export class IngestBillingEvent {
  constructor(
    private readonly accounts: AccountStore,
    private readonly contacts: ContactBook,
    private readonly inbox: Inbox,
    private readonly deadLetters: DeadLetters,
    private readonly clock: Clock,
    private readonly inboxTable: string,
  ) {}

  async ingest(tx: SqlClient, event: BillingEvent, origin: Origin, cache?: AccountCache): Promise<IngestOutcome> {
    const key = eventKey(event.source, event.id);
    const fresh = await this.inbox.markProcessed(tx, BILLING_INBOX, [key]);
    if (fresh.length === 0) return { status: 'duplicate' };

    const now = this.clock.now();
    const command = await toCommand(tx, event, this.contacts, now);
    const outcome = await this.accounts.execute(tx, command, { origin, ...(cache ? { cache } : {}) });
    switch (outcome.kind) {
      case 'rejected': {
        await tx.query(`DELETE FROM ${this.inboxTable} WHERE consumer = $1 AND message_id = $2`, [BILLING_INBOX, key]);
        const { code, reason } = outcome.rejection;
        await this.deadLetters.record(tx, { channel: origin.channel, origin, errorClass: 'BusinessRejection', code, reason, at: now });
        return { status: 'rejected', code, reason };
      }
      case 'unchanged':
        return { status: 'unchanged' };
      case 'applied': {
        const held = outcome.events.find((identified) => identified.event.type === 'EventHeld');
        if (held && held.event.type === 'EventHeld') {
          return { status: 'held', holdId: held.event.data.holdId, why: held.event.data.why, expiresAt: held.event.data.expiresAt };
        }
        return { status: 'applied', events: outcome.events.map((identified) => identified.event.type) };
      }
    }
  }
}
