import { INVOICING_SOURCE, DUNNING_SOURCE, type DunningEvent, type InvoicingEvent, type InvoicingEventOf } from '@dunning/contracts';

// Builders of valid invoicing.invoices.v1 and dunning.actions.v1 events for tests and benchmarks.

export interface CustomerOptions {
  readonly customerId: string;
  readonly timeZone?: string;
  readonly customerSince?: string;
  readonly currency?: string;
}

let sequence = 0;
const nextId = (prefix: string): string => `${prefix}-${(++sequence).toString(36)}`;

const envelope = <T extends InvoicingEvent['type']>(type: T, time: string, data: InvoicingEventOf<T>['data']): InvoicingEventOf<T> =>
  ({ specversion: '1.0', id: nextId('evt'), source: INVOICING_SOURCE, type, time, data }) as unknown as InvoicingEventOf<T>;

/** Writes a customer's invoice history as events, in the order invoicing would publish them. */
export class CustomerScript {
  readonly events: InvoicingEvent[] = [];
  readonly customerId: string;
  private readonly timeZone: string;
  private readonly currency: string;
  private readonly customerSince: string | undefined;
  private readonly balances = new Map<string, number>();

  constructor(options: CustomerOptions) {
    this.customerId = options.customerId;
    this.timeZone = options.timeZone ?? 'Europe/Stockholm';
    this.currency = options.currency ?? 'SEK';
    this.customerSince = options.customerSince;
  }

  open(invoiceId: string, issuedAt: string, dueDate: string, amountMinor: number): this {
    this.balances.set(invoiceId, amountMinor);
    this.events.push(
      envelope('invoicing.invoice.opened.v1', issuedAt, {
        invoiceId,
        customerId: this.customerId,
        issuedAt,
        dueDate,
        amount: { minor: amountMinor, currency: this.currency },
        balance: { minor: amountMinor, currency: this.currency },
        customer: {
          type: 'consumer',
          locale: 'sv-SE',
          timeZone: this.timeZone,
          country: 'SE',
          ...(this.customerSince ? { customerSince: this.customerSince } : {}),
          reachableChannels: ['sms', 'email'],
        },
      }),
    );
    return this;
  }

  /** Pays `amountMinor` (default: the whole balance); settles the invoice when the balance reaches zero. */
  pay(invoiceId: string, receivedAt: string, amountMinor?: number): this {
    const balance = this.balances.get(invoiceId) ?? 0;
    const applied = Math.min(balance, amountMinor ?? balance);
    const remaining = balance - applied;
    this.balances.set(invoiceId, remaining);
    this.events.push(
      envelope('invoicing.payment.applied.v1', receivedAt, {
        invoiceId,
        customerId: this.customerId,
        paymentId: nextId('pay'),
        appliedAmount: { minor: applied, currency: this.currency },
        remainingBalance: { minor: remaining, currency: this.currency },
        receivedAt,
        matchedBy: 'invoice-id',
      }),
    );
    if (remaining === 0) this.events.push(envelope('invoicing.invoice.settled.v1', receivedAt, { invoiceId, customerId: this.customerId, settledAt: receivedAt, settledBy: 'payment' }));
    return this;
  }

  credit(invoiceId: string, creditedAt: string): this {
    const balance = this.balances.get(invoiceId) ?? 0;
    this.balances.set(invoiceId, 0);
    this.events.push(
      envelope('invoicing.invoice.credited.v1', creditedAt, {
        invoiceId,
        customerId: this.customerId,
        creditNoteId: nextId('cn'),
        creditedAmount: { minor: Math.max(1, balance), currency: this.currency },
        remainingBalance: { minor: 0, currency: this.currency },
        creditedAt,
      }),
    );
    this.events.push(envelope('invoicing.invoice.settled.v1', creditedAt, { invoiceId, customerId: this.customerId, settledAt: creditedAt, settledBy: 'credit' }));
    return this;
  }

  dispute(invoiceId: string, disputedAt: string): this {
    this.events.push(envelope('invoicing.invoice.disputed.v1', disputedAt, { invoiceId, customerId: this.customerId, disputedAt }));
    return this;
  }

  resolveDispute(invoiceId: string, resolvedAt: string, outcome: 'upheld' | 'rejected'): this {
    this.events.push(envelope('invoicing.invoice.dispute-resolved.v1', resolvedAt, { invoiceId, customerId: this.customerId, resolvedAt, outcome }));
    return this;
  }

  handOff(invoiceId: string, handedOffAt: string): this {
    const balance = this.balances.get(invoiceId) ?? 1;
    this.events.push(
      envelope('invoicing.invoice.handed-off.v1', handedOffAt, {
        invoiceId,
        customerId: this.customerId,
        collectionCaseId: nextId('case'),
        handedOffAt,
        amount: { minor: Math.max(1, balance), currency: this.currency },
      }),
    );
    return this;
  }
}

export function armAssigned(
  customerId: string,
  invoiceId: string,
  experimentId: string,
  arm: string,
  assignedAt: string,
  flow: { flowId?: string; flowChosenBy?: 'arm' | 'segment' } = {},
): DunningEvent {
  return {
    specversion: '1.0',
    id: nextId('dun'),
    source: DUNNING_SOURCE,
    type: 'dunning.experiment.arm-assigned.v1',
    time: assignedAt,
    data: { experimentId, arm, unit: 'invoice', caseId: `case-${invoiceId}`, invoiceId, customerId, assignedAt, policyVersion: 'default@1.0', ...flow },
  } as DunningEvent;
}

export function smsReminderRequested(customerId: string, invoiceId: string, experimentId: string, arm: string, requestedAt: string): DunningEvent {
  return {
    specversion: '1.0',
    id: nextId('dun'),
    source: DUNNING_SOURCE,
    type: 'dunning.reminder.requested.v1',
    time: requestedAt,
    data: {
      actionId: nextId('act'),
      caseId: `case-${invoiceId}`,
      invoiceId,
      customerId,
      requestedAt,
      channel: 'sms',
      templateId: 'friendly-nudge',
      locale: 'sv-SE',
      stepId: 'sms-1',
      policyVersion: 'default@1.0',
      experiment: { experimentId, arm },
    },
  } as DunningEvent;
}

export function handoffRequested(customerId: string, invoiceId: string, experimentId: string, arm: string, requestedAt: string): DunningEvent {
  return {
    specversion: '1.0',
    id: nextId('dun'),
    source: DUNNING_SOURCE,
    type: 'dunning.handoff.requested.v1',
    time: requestedAt,
    data: {
      actionId: nextId('act'),
      caseId: `case-${invoiceId}`,
      invoiceId,
      customerId,
      requestedAt,
      amountDue: { minor: 10000, currency: 'SEK' },
      stepId: 'collection',
      policyVersion: 'default@1.0',
      experiment: { experimentId, arm },
    },
  } as DunningEvent;
}
