import type { Span } from '@opentelemetry/api';
import { Outbox } from '@dunning/event-store';
import { inTransaction, type SqlClient, type SqlPool } from '@dunning/messaging';
import { DunningAttributes as D, withSpan, type TelemetryAttributes } from '@dunning/telemetry';
import { countryOf, decideSend, localDateOf, renderMessage, type Channel, type SendRules, type TemplateCatalog } from '../domain';
import { ProviderError, type MessageProvider, type OutboundMessage } from '../channels/provider';
import { outcomeOfDlr } from '../channels/kannel-sms.provider';
import type { ContactDirectory, ContactLookup } from './contact-directory';
import { DeliveryStore, reachabilityOf, type DeliveryRow } from './delivery-store';
import { toIntegrationEvent, toOutboxMessage, type DeliveryOutcome } from './outcome-events';
import { inSpanOf, TracedProvider } from '../telemetry';

/** Where a dispatch left the delivery: `dunning.delivery.status` and `.reason` of its span. */
interface DispatchResult {
  readonly status: 'sent' | 'skipped' | 'deferred' | 'failed' | 'sending' | 'pending' | 'not-pending';
  readonly reason?: string;
}

type Prepared = { readonly kind: 'send'; readonly row: DeliveryRow; readonly message: OutboundMessage; readonly provider: MessageProvider } | { readonly kind: 'done'; readonly result: DispatchResult };

/** Named points where a test may crash the process (kill -9 on itself), never set in production. */
export type FaultPoint = 'after-provider-accepted';

export interface DispatcherOptions {
  readonly pool: SqlPool;
  readonly schema: string;
  readonly catalog: TemplateCatalog;
  readonly providers: readonly MessageProvider[];
  readonly contacts: ContactDirectory;
  readonly rules: Omit<SendRules, 'timeZone'>;
  readonly deliveriesTopic: string;
  readonly defaultBrand: string;
  /** `https://pay.example/i/{invoiceId}`: the customer's payment link. */
  readonly paymentLinkTemplate: string;
  /** How long an attempt in `sending` belongs to the worker that started it before anyone reconciles it. */
  readonly leaseMs: number;
  /** Retries of a message the provider certainly did not take, then `failed` (retries-exhausted). */
  readonly maxAttempts: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly batchSize?: number;
  /**
   * How many customers' due deliveries a pass works on at once (default 8). Deliveries of one
   * customer always go one after another, in the order claimed: the contact cap and the
   * send-time checks read that customer's earlier attempts, which must be recorded first.
   */
  readonly dispatchConcurrency?: number;
  readonly clock?: () => Date;
  readonly faultInjection?: (point: FaultPoint) => void;
  /** Logs without personal data: only ids, codes and states reach it. */
  readonly log?: (message: string, fields: Readonly<Record<string, string | number | boolean>>) => void;
}

/**
 * Turns accepted action requests into messages, exactly once per action:
 *   1. read the delivery and the facts of the send-time checks (one statement), run the checks, and
 *      either skip/defer it or record the attempt as `sending` (with a lease) — before any provider
 *      call, and only if the delivery is still the version read (a compare-and-set on its row version);
 *   2. call the provider (its idempotency key: the delivery id, in the Message-ID / DLR URL / file name);
 *   3. in one transaction: record `sent` and the outbox event.
 * A crash between 2 and 3 leaves `sending`; once the lease runs out, `reconcile` asks the provider
 * whether it has the message (lookup by Message-ID, a delivery report, the letter's manifest) and
 * records `sent` without sending again, or sends again only when the provider certainly lacks it.
 */
export class DeliveryDispatcher {
  private readonly store: DeliveryStore;
  private readonly outbox: Outbox;
  private readonly clock: () => Date;
  private readonly providers: ReadonlyMap<Channel, MessageProvider>;
  private working = 0;

  constructor(private readonly options: DispatcherOptions) {
    this.store = new DeliveryStore(options.schema);
    this.clock = options.clock ?? (() => new Date());
    this.outbox = new Outbox({ schema: options.schema, clock: this.clock });
    // Every provider call and reconciliation gets its own span, whatever the provider.
    this.providers = new Map(options.providers.map((p) => [p.channel, new TracedProvider(p)]));
  }

  /** One pass: reconcile expired attempts, then work through due deliveries. Returns how many were handled. */
  async runOnce(): Promise<number> {
    return (await this.runPass()).handled;
  }

  /**
   * One pass, and whether it took everything that was due when it began (`complete`): a pass that
   * claimed fewer than a batch of each kind leaves nothing behind, so no further pass is needed
   * to find that out.
   */
  async runPass(): Promise<{ readonly handled: number; readonly complete: boolean }> {
    const limit = this.options.batchSize ?? 20;
    const { expired, due } = await this.store.claim(this.options.pool, this.clock(), limit);
    for (const row of expired) await this.tracked(() => this.reconcile(row.deliveryId));
    await this.dispatchByCustomer(due);
    return { handled: expired.length + due.length, complete: expired.length < limit && due.length < limit };
  }

  /**
   * The due deliveries of a pass, concurrently across customers (at most `dispatchConcurrency`
   * at once) and one at a time within a customer. The provider calls are I/O-bound, so a day's
   * batch no longer waits for each SMTP session or HTTP call in turn. The pass ends only when
   * every started dispatch has ended (passes never overlap); after a failure no further
   * customer is started and the first error is rethrown, as the one-by-one loop did.
   */
  private async dispatchByCustomer(due: readonly DeliveryRow[]): Promise<void> {
    const byCustomer = new Map<string, DeliveryRow[]>();
    for (const row of due) {
      const queue = byCustomer.get(row.customerId);
      if (queue) queue.push(row);
      else byCustomer.set(row.customerId, [row]);
    }
    const queues = [...byCustomer.values()];
    const width = Math.min(queues.length, Math.max(1, Math.floor(this.options.dispatchConcurrency ?? 8)));
    let next = 0;
    let failure: { readonly error: unknown } | undefined;
    const lane = async (): Promise<void> => {
      for (let queue = queues[next++]; queue && !failure; queue = queues[next++]) {
        for (const row of queue) {
          if (failure) return;
          try {
            await this.tracked(() => this.dispatch(row));
          } catch (error) {
            failure ??= { error };
            return;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: width }, lane));
    if (failure) throw failure.error;
  }

  /** Deliveries this process is dispatching or reconciling this moment (in `sending`, no longer counted as due). */
  get inProgress(): number {
    return this.working;
  }

  private async tracked(work: () => Promise<void>): Promise<void> {
    this.working += 1;
    try {
      await work();
    } finally {
      this.working -= 1;
    }
  }

  /**
   * Steps 1–3 for one pending delivery as the pass claimed it, in a span that continues the
   * request's trace. Step 1 reads its state again and writes only if the row is unchanged since
   * that read (the version check in `checked`), not under a lock.
   */
  async dispatch(pending: DeliveryRow): Promise<void> {
    if (pending.state !== 'pending') return;
    await inSpanOf(pending.traceContext, 'notifier dispatch', { ...spanIdentity(pending), [D.delivery.attempt]: pending.attempts + 1 }, async (span) => {
      const result = await this.dispatchPending(pending);
      span.setAttributes(resultAttributes(result));
    });
  }

  private async dispatchPending(pending: DeliveryRow): Promise<DispatchResult> {
    const { deliveryId } = pending;
    // The contact is asked for outside the transaction (an HTTP call) and never stored.
    let contact: ContactLookup;
    try {
      contact = await withSpan('notifier contact lookup', { [D.customer.id]: pending.customerId }, () => this.options.contacts.lookup(pending.customerId));
    } catch {
      this.options.log?.('contact directory unavailable', { deliveryId });
      await this.store.defer(this.options.pool, deliveryId, new Date(this.clock().getTime() + this.options.backoff.initialMs), 'contacts-unavailable', this.clock());
      return { status: 'deferred', reason: 'contacts-unavailable' };
    }
    const prepared = await withSpan('notifier send-time checks', { [D.delivery.id]: deliveryId, [D.action.channel]: pending.requestedChannel }, (span) =>
      this.checked(deliveryId, contact, span),
    );
    if (prepared.kind === 'done') return prepared.result;
    const { row, message, provider } = prepared;

    let providerRef: string;
    try {
      providerRef = (await provider.send(message)).providerRef;
    } catch (error) {
      return this.afterFailedSend(row, provider, error);
    }
    this.options.faultInjection?.('after-provider-accepted');
    return inTransaction(this.options.pool, async (client): Promise<DispatchResult> => {
      const current = await this.store.lockOne(client, deliveryId);
      if (current?.state !== 'sending') return { status: 'not-pending' };
      await this.recordSent(client, current, provider.name, providerRef);
      return { status: 'sent' };
    });
  }

  /**
   * The send-time checks on current state; their outcome goes on `span` (`dunning.decision.*`).
   * No lock is held while they run: the state is read in one statement and the write that records
   * the outcome (an attempt, a deferral, a skip) applies only to the version read, so a delivery
   * that changed in between is left as it is (`not-pending`), as if it had been locked.
   */
  private async checked(deliveryId: string, contact: ContactLookup, span: Span): Promise<Prepared> {
    const notPending: Prepared = { kind: 'done', result: { status: 'not-pending' } };
    const now = this.clock();
    const since = new Date(now.getTime() - this.options.rules.contactCap.perDays * 86_400_000);
    const facts = await this.store.readForDispatch(this.options.pool, deliveryId, since);
    if (facts?.row.state !== 'pending') return notPending;
    const { row, version, invoice, customer, recentContacts } = facts;
    const request = row.request;
    const timeZone = customer?.timeZone ?? 'UTC';
    const decision = decideSend({
      now,
      channel: request.channel,
      fallbackChannels: request.fallbackChannels.filter((c) => this.providers.has(c)),
      ...(request.sendWindow ? { sendWindow: { notBefore: new Date(request.sendWindow.notBefore), notAfter: new Date(request.sendWindow.notAfter) } } : {}),
      invoice: invoice?.standing,
      reachability: reachabilityOf(contact),
      recentContacts,
      rules: { ...this.options.rules, timeZone },
    });
    this.options.log?.('send-time decision', { deliveryId: row.deliveryId, decision: decision.kind, ...('reason' in decision ? { reason: decision.reason } : {}) });
    span.setAttributes({
      [D.decision.outcome]: decision.kind,
      ...('reason' in decision ? { [D.decision.reason]: decision.reason } : {}),
      ...(decision.kind === 'send' ? { [D.delivery.channel]: decision.channel } : {}),
    });

    if (decision.kind === 'skip') {
      const skipped = await inTransaction(this.options.pool, (client) => this.finishWith(client, row, request.channel, { kind: 'skipped', reasonCode: decision.reason, at: now }, version));
      return skipped ? { kind: 'done', result: { status: 'skipped', reason: decision.reason } } : notPending;
    }
    if (decision.kind === 'defer') {
      const deferred = await this.store.defer(this.options.pool, row.deliveryId, decision.until, `deferred-${decision.reason}`, now, version);
      return deferred ? { kind: 'done', result: { status: 'deferred', reason: decision.reason } } : notPending;
    }
    const provider = this.providers.get(decision.channel);
    const recipient = contact.status === 'ok' ? contact.recipient : undefined;
    // decideSend only says send when these exist.
    if (!invoice || !recipient || !provider) return { kind: 'done', result: { status: 'pending', reason: 'nothing-to-send' } };
    const country = countryOf(customer?.country, request.locale);
    const rendered = renderMessage(this.options.catalog, {
      templateId: request.templateId,
      channel: decision.channel,
      locale: request.locale,
      ...(country ? { country } : {}),
      customerType: customer?.customerType ?? 'consumer',
      brand: invoice.brand ?? this.options.defaultBrand,
      recipientName: recipient.name,
      invoice: { invoiceId: invoice.invoiceId, dueDate: invoice.dueDate, amount: invoice.amount, balance: invoice.standing.balance, ...(invoice.paymentReference ? { paymentReference: invoice.paymentReference } : {}) },
      ...(request.fee ? { fee: request.fee } : {}),
      ...(request.businessCompensation ? { businessCompensation: request.businessCompensation } : {}),
      ...(request.interest ? { interest: request.interest } : {}),
      ...(request.payBy ? { payBy: request.payBy } : {}),
      sendDate: localDateOf(now, timeZone),
      paymentLink: this.options.paymentLinkTemplate.replace('{invoiceId}', encodeURIComponent(invoice.invoiceId)),
    });
    if (!rendered.ok) {
      this.options.log?.('template refused', { deliveryId: row.deliveryId, templateId: request.templateId, problems: rendered.problems.length });
      const failed = await inTransaction(this.options.pool, (client) => this.finishWith(client, row, decision.channel, { kind: 'failed', errorCode: 'template-invalid', permanent: true, at: now }, version));
      return failed ? { kind: 'done', result: { status: 'failed', reason: 'template-invalid' } } : notPending;
    }
    if (!(await this.store.startAttempt(this.options.pool, row.deliveryId, version, decision.channel, provider.name, now, new Date(now.getTime() + this.options.leaseMs)))) return notPending;
    const reference = { invoiceId: invoice.invoiceId, ...(invoice.paymentReference ? { paymentReference: invoice.paymentReference } : {}), ...(request.fee ? { fee: request.fee } : {}) };
    const message: OutboundMessage = { deliveryId: row.deliveryId, channel: decision.channel, brand: invoice.brand ?? this.options.defaultBrand, recipient, content: rendered.message, reference };
    return { kind: 'send', row: { ...row, channel: decision.channel, attempts: row.attempts + 1 }, message, provider };
  }

  private async afterFailedSend(row: DeliveryRow, provider: MessageProvider, error: unknown): Promise<DispatchResult> {
    const failure = error instanceof ProviderError ? error : new ProviderError('ambiguous', 'unexpected-error', 'unexpected error while sending');
    this.options.log?.('provider error', { deliveryId: row.deliveryId, provider: provider.name, kind: failure.kind, code: failure.code });
    return inTransaction(this.options.pool, async (client): Promise<DispatchResult> => {
      const current = await this.store.lockOne(client, row.deliveryId);
      if (current?.state !== 'sending') return { status: 'not-pending' };
      const now = this.clock();
      if (failure.kind === 'permanent') {
        await this.finishWith(client, current, provider.channel, { kind: 'failed', errorCode: failure.code, permanent: true, at: now });
        return { status: 'failed', reason: failure.code };
      }
      if (failure.kind === 'ambiguous') {
        // Maybe taken: never send blindly again; reconcile once the lease (with backoff) runs out.
        await this.store.extendLease(client, current.deliveryId, new Date(now.getTime() + this.backoffMs(current.attempts)), failure.code, now);
        return { status: 'sending', reason: failure.code };
      }
      return this.retryOrGiveUp(client, current, failure.code, now);
    });
  }

  private async retryOrGiveUp(client: SqlClient, row: DeliveryRow, code: string, now: Date): Promise<DispatchResult> {
    if (row.attempts >= this.options.maxAttempts) {
      const errorCode = `retries-exhausted-${code}`.slice(0, 100);
      await this.finishWith(client, row, row.channel ?? row.requestedChannel, { kind: 'failed', errorCode, permanent: false, at: now });
      return { status: 'failed', reason: errorCode };
    }
    await this.store.defer(client, row.deliveryId, new Date(now.getTime() + this.backoffMs(row.attempts)), code, now);
    return { status: 'deferred', reason: code };
  }

  private backoffMs(attempts: number): number {
    return Math.min(this.options.backoff.maxMs, this.options.backoff.initialMs * 2 ** Math.max(0, attempts - 1));
  }

  /** An attempt whose outcome was never recorded: ask the provider (in a span of the request's trace). */
  async reconcile(deliveryId: string): Promise<void> {
    await inTransaction(this.options.pool, async (client) => {
      const row = await this.store.lockOne(client, deliveryId);
      if (row?.state !== 'sending' || !row.channel) return;
      const provider = this.providers.get(row.channel);
      if (!provider) return;
      await inSpanOf(row.traceContext, 'notifier reconcile', { ...spanIdentity(row), [D.delivery.attempt]: row.attempts }, async (span) => {
        const result = await this.reconcileAttempt(client, row, provider);
        span.setAttributes(resultAttributes(result));
      });
    });
  }

  private async reconcileAttempt(client: SqlClient, row: DeliveryRow, provider: MessageProvider): Promise<DispatchResult> {
    const { deliveryId } = row;
    const now = this.clock();
    const verdict = await provider.reconcile({ deliveryId, startedAt: row.sendingStartedAt ?? now }, now);
    this.options.log?.('reconciled attempt', { deliveryId, provider: provider.name, verdict: verdict.kind });
    switch (verdict.kind) {
      case 'accepted':
        await this.recordSent(client, row, provider.name, verdict.providerRef);
        return { status: 'sent', reason: 'reconciled' };
      case 'not-accepted':
        // Certainly not sent: back to pending, so the send-time checks run again on today's state.
        return this.retryOrGiveUp(client, row, 'not-accepted-after-crash', now);
      case 'unknown':
        await this.store.extendLease(client, deliveryId, new Date(now.getTime() + this.options.backoff.initialMs), 'reconcile-pending', now);
        return { status: 'sending', reason: 'reconcile-pending' };
      case 'indeterminate':
        await this.finishWith(client, row, provider.channel, { kind: 'failed', errorCode: 'outcome-unknown', permanent: false, at: now });
        return { status: 'failed', reason: 'outcome-unknown' };
      default: {
        const unknown: never = verdict;
        throw new Error(`unknown verdict ${JSON.stringify(unknown)}`);
      }
    }
  }

  private async recordSent(client: SqlClient, row: DeliveryRow, provider: string, providerRef: string): Promise<void> {
    const now = this.clock();
    const reports = await this.store.markSent(client, row.deliveryId, providerRef, now);
    const channel = row.channel ?? row.requestedChannel;
    await this.emit(client, row, channel, { kind: 'sent', provider, templateId: row.templateId, at: now });
    // Reports that arrived before `sent` was recorded (a crash, a fast SMSC) apply now.
    for (const type of reports) {
      const outcome = outcomeOfDlr(type);
      if (outcome === 'delivered' || outcome === 'failed') {
        await this.applyFinalReport(client, { ...row, channel, state: 'sent' }, outcome, type, now);
        break;
      }
    }
  }

  /** A delivery report from a provider (Kannel's dlr-url). Stored first: it is also reconciliation evidence. */
  async onDeliveryReport(deliveryId: string, reportType: number): Promise<'recorded' | 'unknown-delivery'> {
    const outcome = outcomeOfDlr(reportType);
    if (outcome !== 'delivered' && outcome !== 'failed') {
      // A report that changes no state (queued, accepted by the SMSC) is only evidence: stored in one
      // statement, without waiting for the delivery's lock. recordSent applies final reports only.
      const now = this.clock();
      const stored = await this.store.lockAndRecordReport(this.options.pool, deliveryId, reportType, now, { lock: false });
      if (!stored) return 'unknown-delivery';
      return inSpanOf(stored.row.traceContext, 'notifier delivery report', { ...spanIdentity(stored.row), [D.delivery.reportType]: reportType }, (span) => {
        span.setAttribute(D.delivery.status, stored.row.state);
        return 'recorded' as const;
      });
    }
    return inTransaction(this.options.pool, async (client) => {
      const now = this.clock();
      const locked = await this.store.lockAndRecordReport(client, deliveryId, reportType, now);
      if (!locked) return 'unknown-delivery';
      const { row } = locked;
      return inSpanOf(row.traceContext, 'notifier delivery report', { ...spanIdentity(row), [D.delivery.reportType]: reportType }, async (span) => {
        if (locked.report === 'repeat') {
          span.setAttribute(D.delivery.status, row.state);
          return 'recorded' as const;
        }
        const final = row.state === 'sent' && (outcome === 'delivered' || outcome === 'failed');
        if (final) await this.applyFinalReport(client, row, outcome, reportType, now);
        span.setAttribute(D.delivery.status, final ? outcome : row.state);
        return 'recorded' as const;
      });
    });
  }

  private async applyFinalReport(client: SqlClient, row: DeliveryRow, outcome: 'delivered' | 'failed', reportType: number, now: Date): Promise<void> {
    const channel = row.channel ?? row.requestedChannel;
    if (outcome === 'delivered') {
      await this.store.finish(client, row.deliveryId, 'delivered', null, now);
      await this.emit(client, row, channel, { kind: 'delivered', at: now });
    } else {
      const code = reportType === 16 ? 'smsc-rejected' : 'undelivered';
      await this.store.finish(client, row.deliveryId, 'failed', code, now);
      await this.emit(client, row, channel, { kind: 'failed', errorCode: code, permanent: true, at: now });
    }
  }

  /** With `version`: only if the delivery is still that version (see readForDispatch); false and nothing written otherwise. */
  private async finishWith(client: SqlClient, row: DeliveryRow, channel: Channel, outcome: Extract<DeliveryOutcome, { kind: 'failed' | 'skipped' }>, version?: string): Promise<boolean> {
    const code = outcome.kind === 'failed' ? outcome.errorCode : outcome.reasonCode;
    if (!(await this.store.finish(client, row.deliveryId, outcome.kind, code, outcome.at, channel, version))) return false;
    await this.emit(client, row, channel, outcome);
    return true;
  }

  private async emit(client: SqlClient, row: DeliveryRow, channel: Channel, outcome: DeliveryOutcome): Promise<void> {
    const event = toIntegrationEvent({ deliveryId: row.deliveryId, actionId: row.actionId, invoiceId: row.invoiceId, customerId: row.customerId, channel }, outcome);
    await this.outbox.enqueue(client, [toOutboxMessage(this.options.deliveriesTopic, event)]);
  }
}

/** Ids and codes of a delivery for its spans: never the recipient or the text. */
function spanIdentity(row: DeliveryRow): TelemetryAttributes {
  return {
    [D.delivery.id]: row.deliveryId,
    [D.action.id]: row.actionId,
    [D.invoice.id]: row.invoiceId,
    [D.customer.id]: row.customerId,
    [D.action.channel]: row.requestedChannel,
    [D.delivery.template]: row.templateId,
    ...(row.channel ? { [D.delivery.channel]: row.channel } : {}),
  };
}

function resultAttributes(result: DispatchResult): TelemetryAttributes {
  return { [D.delivery.status]: result.status, ...(result.reason ? { [D.delivery.reason]: result.reason } : {}) };
}
