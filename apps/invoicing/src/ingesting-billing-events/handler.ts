import type { BillingEvent } from '@dunning/contracts';
import type { Inbox, SqlClient } from '@dunning/event-store';
import type { AccountCache, AccountStore, InvoiceOwners, PendingInvoices } from '../accounts/account-store';
import type { DeadLetters } from '../accounts/dead-letters';
import type { Origin } from '../accounts/origin';
import type { Clock } from '../clock';
import type { ContactBook, ContactRows } from '../personal-data/contact-book';
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

/** Whether turning the event into a command reads the customer's key (and contact): see toCommand. */
const sealsPersonalData = (event: BillingEvent): boolean =>
  event.type === 'billing.invoice.issued' || event.type === 'billing.customer.updated' || ('reason' in event.data && typeof event.data.reason === 'string' && event.data.reason.length > 0);

/**
 * What a Kafka chunk (one transaction) reads and claims once for all its events instead of once per
 * event: the inbox ids (one insert), the customers' keys and contacts, the owners of the invoice
 * ids named, and the accounts as they are loaded; and the invoice rows it writes once, at the end.
 * Made by {@link IngestBillingEvent.prepare}, closed by {@link IngestBillingEvent.finish}.
 */
export class IngestBatch {
  readonly cache: AccountCache = new Map();
  /** The chunk's invoice rows, written once by {@link IngestBillingEvent.finish}. */
  readonly pendingInvoices: PendingInvoices = new Map();
  /** Inbox ids this batch inserted and no event of it has used yet. */
  private readonly unused: Set<string>;

  constructor(
    /** Every inbox id the batch tried to claim (inserted or found processed). */
    private readonly claimed: Set<string>,
    inserted: readonly string[],
    readonly contacts: ContactRows,
    readonly owners: InvoiceOwners,
  ) {
    this.unused = new Set(inserted);
  }

  /** 'fresh': claimed for this event; 'duplicate': processed already; 'unclaimed': not decided by the batch. */
  take(key: string): 'fresh' | 'duplicate' | 'unclaimed' {
    if (!this.claimed.has(key)) return 'unclaimed';
    return this.unused.delete(key) ? 'fresh' : 'duplicate';
  }

  /** The event's inbox row was deleted (rejected): a later copy in the batch must claim it again. */
  release(key: string): void {
    this.claimed.delete(key);
  }

  /** Throws if an id was claimed but its event never ingested: committing would drop that event. */
  assertAllUsed(): void {
    if (this.unused.size > 0) throw new Error(`${this.unused.size} inbox ids claimed by a batch were never ingested`);
  }
}

export class IngestBillingEvent {
  constructor(
    private readonly accounts: AccountStore,
    private readonly contacts: ContactBook,
    private readonly inbox: Inbox,
    private readonly deadLetters: DeadLetters,
    private readonly clock: Clock,
    private readonly inboxTable: string,
  ) {}

  /** Claims the events' inbox ids and reads what they need, for {@link ingest} of each, in this order. */
  async prepare(tx: SqlClient, events: readonly BillingEvent[]): Promise<IngestBatch> {
    const keys = events.map((event) => eventKey(event.source, event.id));
    const inserted = await this.inbox.markProcessed(tx, BILLING_INBOX, keys);
    // Read ahead only what two or more events need: for one, its own read costs the same statement.
    const sealing = events.filter(sealsPersonalData).map((event) => event.data.customerId);
    const contacts: ContactRows = sealing.length > 1 ? await this.contacts.readAhead(tx, sealing) : new Map();
    // A new invoice always seals the contact it carries (a name at least) in toCommand, so a customer
    // without a live key gets one there, even if the command is then refused: create those at once.
    const fresh = new Set(inserted);
    const issuing = events.filter((event, i) => event.type === 'billing.invoice.issued' && fresh.has(keys[i] ?? ''));
    if (sealing.length > 1 && issuing.length > 1) await this.contacts.createKeysAhead(tx, contacts, issuing.map((event) => event.data.customerId));
    const invoiceIds = events.flatMap((event) => ('invoiceId' in event.data && event.data.invoiceId !== undefined ? [event.data.invoiceId] : []));
    const owners: InvoiceOwners = invoiceIds.length > 1 ? await this.accounts.readInvoiceOwners(tx, invoiceIds) : new Map();
    return new IngestBatch(new Set(keys), inserted, contacts, owners);
  }

  /** What the batch still has to write; call it after the last ingest, before the transaction commits. */
  async finish(tx: SqlClient, batch: IngestBatch): Promise<void> {
    batch.assertAllUsed();
    await this.accounts.writeInvoices(tx, batch.pendingInvoices);
  }

  async ingest(tx: SqlClient, event: BillingEvent, origin: Origin, batch?: IngestBatch): Promise<IngestOutcome> {
    const key = eventKey(event.source, event.id);
    const claim = batch?.take(key) ?? 'unclaimed';
    if (claim === 'duplicate') return { status: 'duplicate' };
    if (claim === 'unclaimed' && (await this.inbox.markProcessed(tx, BILLING_INBOX, [key])).length === 0) return { status: 'duplicate' };

    const now = this.clock.now();
    const customerId = event.data.customerId;
    // Rows read ahead are trusted only for an account that is not erased (see ContactBook.readAhead);
    // loading it first also puts the erasure, if one committed since, in view.
    let ahead: ContactRows | undefined;
    if (batch) {
      if ((await this.accounts.load(tx, customerId, batch.cache)).state.contact.erased) batch.contacts.delete(customerId);
      else ahead = batch.contacts;
    }
    const command = await toCommand(tx, event, this.contacts, now, ahead);
    const outcome = await this.accounts.execute(tx, command, { origin, ...(batch ? { cache: batch.cache, owners: batch.owners, pendingInvoices: batch.pendingInvoices } : {}) });
    switch (outcome.kind) {
      case 'rejected': {
        await tx.query(`DELETE FROM ${this.inboxTable} WHERE consumer = $1 AND message_id = $2`, [BILLING_INBOX, key]);
        batch?.release(key);
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
