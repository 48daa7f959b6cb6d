import { randomUUID } from 'node:crypto';
import { deadLetterTopicOf } from '@dunning/contracts';
import { EventStoreConcurrencyError, type EventStore, type NewEvent, type OutboxMessage, type RecordedEvent, type SqlClient } from '@dunning/event-store';
import { evolve, replay, type AccountState } from '../domain/account';
import type { InvoiceState } from '../domain/invoice';
import type { AccountCommand } from '../domain/commands';
import { decide } from '../domain/decide';
import { nextDeadline } from '../domain/deadlines';
import { invoiceIdOf, type AccountEvent } from '../domain/events';
import type { AccountPolicy } from '../domain/policy';
import { isRejection, type Rejection } from '../domain/rejection';
import { toIntegrationEvents, toOutboxMessages, type IdentifiedEvent } from '../gateway/invoices-gateway';
import { keyIdOfSealed } from '../personal-data/vault';
import { deadLetterHeaders, DeadLetters } from './dead-letters';
import { describeOrigin, type Origin } from './origin';

export class InvoiceIdTakenError extends EventStoreConcurrencyError {
  override readonly name = 'InvoiceIdTakenError';
  constructor(readonly invoiceId: string) {
    super(`invoice ${invoiceId} was issued to another customer concurrently; retry`);
  }
}

export const accountStreamId = (customerId: string): string => `account-${customerId}`;

export interface LoadedAccount {
  readonly state: AccountState;
  /** The stream version the state reflects: the expected version of the next append. */
  readonly version: number;
}

/** Accounts already loaded in this transaction (a Kafka batch touches a customer many times). */
export type AccountCache = Map<string, LoadedAccount>;

/**
 * Which customer's invoice each id is (null: nobody's), read ahead in one statement for a batch and
 * kept current by the batch's own projections. A row another transaction writes after the read is
 * still caught: the projection's upsert refuses it (InvoiceIdTakenError, a retry on fresh reads).
 */
export type InvoiceOwners = Map<string, string | null>;

/** An `invoices` row as the projection writes it. */
interface InvoiceRow {
  readonly invoice_id: string;
  readonly customer_id: string;
  readonly status: string;
  readonly currency: string;
  readonly amount_minor: number;
  readonly balance_minor: number;
  readonly due_date: string;
  readonly issued_at: string;
  readonly state: InvoiceState;
  readonly stream_version: number;
  readonly updated_at: string;
}

/** Invoice rows a batch projects, written together by {@link AccountStore.writeInvoices} before it commits. */
export type PendingInvoices = Map<string, InvoiceRow>;

export interface ExecuteContext {
  readonly origin?: Origin;
  readonly cache?: AccountCache;
  readonly owners?: InvoiceOwners;
  /** Collect the `invoices` rows here instead of writing each; the caller must write them (writeInvoices) in the same transaction. */
  readonly pendingInvoices?: PendingInvoices;
}

export type WriteOutcome =
  | { readonly kind: 'applied'; readonly events: readonly IdentifiedEvent[]; readonly before: AccountState; readonly after: AccountState }
  | { readonly kind: 'unchanged'; readonly state: AccountState }
  | { readonly kind: 'rejected'; readonly rejection: Rejection; readonly state: AccountState };

export interface AccountStoreOptions {
  readonly schema: string;
  readonly invoicesTopic: string;
  readonly billingTopic: string;
  readonly consumerGroup: string;
  readonly policy: AccountPolicy;
  readonly clock: () => Date;
  readonly newId?: () => string;
}

interface HeldRow {
  hold_id: string;
  origin: Omit<Origin, 'record'>;
  record_key: string | null;
  record_value: Buffer | null;
  record_headers: Record<string, string>;
}

/**
 * Loads a customer's account from its stream, decides a command, and appends the resulting
 * events together with everything that must change with them, in the caller's transaction:
 * the integration events (outbox), dead letters of dropped holds (outbox + table), and the read
 * models (invoices, held events, deadlines, contacts). Optimistic concurrency on the stream
 * version makes two writers of one account retry instead of both deciding on a stale state.
 */
export class AccountStore {
  private readonly s: string;
  private readonly deadLetters: DeadLetters;
  private readonly newId: () => string;

  constructor(
    private readonly store: EventStore,
    private readonly options: AccountStoreOptions,
  ) {
    this.s = `"${options.schema}"`;
    this.deadLetters = new DeadLetters(options.schema);
    this.newId = options.newId ?? randomUUID;
  }

  async readEvents(tx: SqlClient, customerId: string): Promise<{ version: number; events: RecordedEvent<AccountEvent['type'], AccountEvent['data']>[] }> {
    const slice = await this.store.readStream<AccountEvent['type'], AccountEvent['data']>(tx, accountStreamId(customerId));
    return { version: slice.version, events: slice.events };
  }

  async load(tx: SqlClient, customerId: string, cache?: AccountCache): Promise<LoadedAccount> {
    const cached = cache?.get(customerId);
    if (cached) return cached;
    const { version, events } = await this.readEvents(tx, customerId);
    const loaded = { state: replay(events.map((event) => ({ type: event.type, data: event.data }) as AccountEvent)), version };
    cache?.set(customerId, loaded);
    return loaded;
  }

  /** The owners of these invoice ids, for {@link ExecuteContext.owners}. */
  async readInvoiceOwners(tx: SqlClient, invoiceIds: readonly string[]): Promise<InvoiceOwners> {
    const unique = [...new Set(invoiceIds)];
    const owners: InvoiceOwners = new Map(unique.map((id) => [id, null]));
    if (unique.length === 0) return owners;
    const { rows } = await tx.query<{ invoice_id: string; customer_id: string }>(`SELECT invoice_id, customer_id FROM ${this.s}.invoices WHERE invoice_id = ANY($1::text[])`, [unique]);
    for (const row of rows) owners.set(row.invoice_id, row.customer_id);
    return owners;
  }

  async execute(tx: SqlClient, command: AccountCommand, context: ExecuteContext = {}): Promise<WriteOutcome> {
    const customerId = command.data.customerId;
    const { state, version } = await this.load(tx, customerId, context.cache);
    const foreign = await this.foreignInvoice(tx, command, state, context.owners);
    if (foreign) return { kind: 'rejected', rejection: foreign, state };
    const decision = decide(command, state, this.options.policy);
    if (isRejection(decision)) return { kind: 'rejected', rejection: decision, state };
    if (decision.length === 0) {
      // Time passed and nothing was due after all (a deadline computed under another policy): look again later.
      if (command.type === 'CheckDeadlines') await this.storeDeadline(tx, customerId, state);
      return { kind: 'unchanged', state };
    }

    const now = this.options.clock();
    const events: IdentifiedEvent[] = decision.map((event) => ({ eventId: this.newId(), event }));
    const after = decision.reduce(evolve, state);
    const metadata = { command: command.type, decidedAt: command.metadata.now, ...(context.origin ? { origin: describeOrigin(context.origin) } : {}) };
    const outbox: OutboxMessage[] = toOutboxMessages(this.options.invoicesTopic, toIntegrationEvents(state, events, now));
    outbox.push(...(await this.deadLetterDroppedHolds(tx, customerId, decision, now)));

    const result = await this.store.append(
      tx,
      accountStreamId(customerId),
      version,
      events.map((identified): NewEvent => ({ eventId: identified.eventId, type: identified.event.type, data: identified.event.data, metadata })),
      { outbox },
    );
    await this.project(tx, customerId, decision, state, after, result.nextExpectedVersion, now, context);
    context.cache?.set(customerId, { state: after, version: result.nextExpectedVersion });
    return { kind: 'applied', events, before: state, after };
  }

  /**
   * Invoice ids are unique across customers (GET /invoices/{id} names one invoice): a command
   * naming an invoice of another customer is refused here, before the account decides, instead of
   * waiting for an invoice that will never come to this account.
   */
  private async foreignInvoice(tx: SqlClient, command: AccountCommand, state: AccountState, owners: InvoiceOwners | undefined): Promise<Rejection | undefined> {
    const invoiceId = 'invoiceId' in command.data ? command.data.invoiceId : undefined;
    if (invoiceId === undefined || command.type === 'CheckDeadlines') return undefined;
    // An invoice of this account has its `invoices` row under this customer (project() refuses to
    // write it otherwise, and rows are never deleted): only an id the account does not know can be another's.
    if (state.invoices[invoiceId] !== undefined) return undefined;
    const owner = owners?.has(invoiceId) ? (owners.get(invoiceId) ?? undefined) : await this.ownerOf(tx, invoiceId);
    if (owner === undefined || owner === command.data.customerId) return undefined;
    return command.type === 'IssueInvoice'
      ? { kind: 'rejection', code: 'invoice-id-reused', reason: `invoice ${invoiceId} was already issued to another customer; an invoice id names one invoice` }
      : { kind: 'rejection', code: 'invoice-of-another-customer', reason: `${command.type} for customer ${command.data.customerId} names invoice ${invoiceId}, which belongs to another customer` };
  }

  private async ownerOf(tx: SqlClient, invoiceId: string): Promise<string | undefined> {
    const { rows } = await tx.query<{ customer_id: string }>(`SELECT customer_id FROM ${this.s}.invoices WHERE invoice_id = $1`, [invoiceId]);
    return rows[0]?.customer_id;
  }

  /** Dropped holds go to the billing topic's DLQ (through the outbox, with this append) and to dead_letters. */
  private async deadLetterDroppedHolds(tx: SqlClient, customerId: string, decision: readonly AccountEvent[], now: Date): Promise<OutboxMessage[]> {
    const dropped = decision.flatMap((event) => (event.type === 'HeldEventDropped' ? [event.data] : []));
    if (dropped.length === 0) return [];
    const { rows } = await tx.query<HeldRow>(
      `SELECT hold_id, origin, record_key, record_value, record_headers FROM ${this.s}.held_events WHERE customer_id = $1 AND hold_id = ANY($2::text[])`,
      [customerId, dropped.map((d) => d.holdId)],
    );
    const byHold = new Map(rows.map((row) => [row.hold_id, row]));
    const messages: OutboxMessage[] = [];
    for (const drop of dropped) {
      const row = byHold.get(drop.holdId);
      if (!row) throw new Error(`held event ${drop.holdId} of customer ${customerId} has no held_events row`);
      const origin: Origin = { ...row.origin, customerId, record: { key: row.record_key, value: row.record_value, headers: row.record_headers } };
      const cause = { errorClass: 'HeldEventDropped', code: drop.code, reason: drop.reason };
      await this.deadLetters.record(tx, { channel: 'hold', origin, ...cause, at: now });
      messages.push({
        topic: deadLetterTopicOf(this.options.billingTopic),
        key: row.record_key ?? customerId,
        messageId: `dlq:${customerId}:${drop.holdId}:${now.toISOString()}`,
        value: row.record_value ?? Buffer.alloc(0),
        headers: deadLetterHeaders(origin, this.options.consumerGroup, cause, now),
      });
    }
    return messages;
  }

  /** The read models, changed in the same transaction as the append. */
  private async project(
    tx: SqlClient,
    customerId: string,
    events: readonly AccountEvent[],
    before: AccountState,
    after: AccountState,
    version: number,
    now: Date,
    { origin, owners, pendingInvoices }: ExecuteContext,
  ): Promise<void> {
    const touched = new Set(events.map(invoiceIdOf).filter((id): id is string => id !== undefined));
    for (const invoiceId of touched) {
      const invoice = after.invoices[invoiceId];
      if (!invoice) continue;
      const row: InvoiceRow = {
        invoice_id: invoiceId,
        customer_id: customerId,
        status: invoice.status,
        currency: invoice.amount.currency,
        amount_minor: invoice.amount.minor,
        balance_minor: invoice.balance.minor,
        due_date: invoice.dueDate,
        issued_at: invoice.issuedAt,
        state: invoice,
        stream_version: version,
        updated_at: now.toISOString(),
      };
      owners?.set(invoiceId, customerId);
      if (pendingInvoices) {
        // As consecutive upserts would leave it: the columns an update sets from the last row, the others from the first.
        const first = pendingInvoices.get(invoiceId);
        pendingInvoices.set(invoiceId, first ? { ...first, status: row.status, balance_minor: row.balance_minor, state: row.state, stream_version: row.stream_version, updated_at: row.updated_at } : row);
      } else await this.writeInvoices(tx, new Map([[invoiceId, row]]));
    }
    for (const event of events) {
      switch (event.type) {
        case 'EventHeld': {
          if (!origin) throw new Error('a held event needs its origin, to be dead-lettered if its invoice never comes');
          const { record, ...coordinates } = origin;
          await tx.query(
            `INSERT INTO ${this.s}.held_events (customer_id, hold_id, invoice_id, held_at, expires_at, origin, record_key, record_value, record_headers)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [customerId, event.data.holdId, event.data.invoiceId ?? null, event.data.heldAt, event.data.expiresAt, JSON.stringify(coordinates), record.key, record.value, JSON.stringify(record.headers)],
          );
          break;
        }
        case 'HeldEventReleased':
        case 'HeldEventDropped':
          await tx.query(`DELETE FROM ${this.s}.held_events WHERE customer_id = $1 AND hold_id = $2`, [customerId, event.data.holdId]);
          break;
        case 'CustomerDetailsChanged': {
          const sealed = event.data.contact;
          if (sealed === undefined) break;
          await tx.query(
            `INSERT INTO ${this.s}.customer_contacts (customer_id, key_id, sealed_contact, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (customer_id) DO UPDATE SET key_id = EXCLUDED.key_id, sealed_contact = EXCLUDED.sealed_contact, updated_at = EXCLUDED.updated_at`,
            [customerId, keyIdOfSealed(sealed), sealed, now],
          );
          break;
        }
        case 'PersonalDataErased':
          await tx.query(`DELETE FROM ${this.s}.customer_contacts WHERE customer_id = $1`, [customerId]);
          break;
        default:
          break;
      }
    }
    // Whether an account has a deadline at all does not depend on the policy (only when it falls
    // does), and every append stored it for the state it produced: none before and none after
    // means there is no row to delete.
    if (nextDeadline(before, this.options.policy) === undefined && nextDeadline(after, this.options.policy) === undefined) return;
    await this.storeDeadline(tx, customerId, after);
  }

  /**
   * Upserts invoice rows in one statement. An id whose row belongs to another customer is not
   * written: two customers issued the same invoice id at the same moment, and this transaction
   * lost (InvoiceIdTakenError: its retry is refused by foreignInvoice).
   */
  async writeInvoices(tx: SqlClient, rows: PendingInvoices): Promise<void> {
    if (rows.size === 0) return;
    const written = await tx.query<{ invoice_id: string }>(
      `INSERT INTO ${this.s}.invoices (invoice_id, customer_id, status, currency, amount_minor, balance_minor, due_date, issued_at, state, stream_version, updated_at)
       SELECT r.invoice_id, r.customer_id, r.status, r.currency, r.amount_minor, r.balance_minor, r.due_date, r.issued_at, r.state, r.stream_version, r.updated_at
         FROM jsonb_to_recordset($1::jsonb) AS r(invoice_id text, customer_id text, status text, currency text, amount_minor bigint, balance_minor bigint,
                                                  due_date date, issued_at timestamptz, state jsonb, stream_version integer, updated_at timestamptz)
       ON CONFLICT (invoice_id) DO UPDATE SET status = EXCLUDED.status, balance_minor = EXCLUDED.balance_minor, state = EXCLUDED.state,
         stream_version = EXCLUDED.stream_version, updated_at = EXCLUDED.updated_at
       WHERE invoices.customer_id = EXCLUDED.customer_id
       RETURNING invoice_id`,
      [JSON.stringify([...rows.values()])],
    );
    if (written.rows.length === rows.size) return;
    const done = new Set(written.rows.map((row) => row.invoice_id));
    const lost = [...rows.keys()].find((id) => !done.has(id));
    throw new InvoiceIdTakenError(lost ?? '?');
  }

  private async storeDeadline(tx: SqlClient, customerId: string, state: AccountState): Promise<void> {
    const due = nextDeadline(state, this.options.policy);
    if (due === undefined) await tx.query(`DELETE FROM ${this.s}.account_deadlines WHERE customer_id = $1`, [customerId]);
    else {
      await tx.query(
        `INSERT INTO ${this.s}.account_deadlines (customer_id, due_at) VALUES ($1, $2) ON CONFLICT (customer_id) DO UPDATE SET due_at = EXCLUDED.due_at`,
        [customerId, due],
      );
    }
  }
}

