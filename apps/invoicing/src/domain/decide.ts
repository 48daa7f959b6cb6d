import { creditIn, evolve, type AccountState, type HeldEntry } from './account';
import { addDays, addMs, dateIsOverEverywhere, earliestLocalDate, instantMs } from './calendar';
import type {
  AccountCommand,
  AgreePaymentPlan,
  CheckDeadlines,
  CreditInvoice,
  DisputeInvoice,
  ErasePersonalData,
  HoldableCommand,
  IssueInvoice,
  RecordHandoff,
  RecordPayment,
  RecordRecall,
  ResolveDispute,
  TerminateCustomer,
  UpdateCustomer,
} from './commands';
import type { AccountEvent, CustomerCreditAdded, CustomerProfile, CustomerProfilePatch, EventHeld, HoldableCommandSnapshot, InvoiceSettled, PaymentMatch } from './events';
import { activePlan, isDisputed, openDispute, type InvoiceState } from './invoice';
import { matchPayment } from './match-payment';
import { add, canAdd, compare, equals, format, isPositive, isZero, min, subtract, zero, type Money } from './money';
import { DEFAULT_ACCOUNT_POLICY, type AccountPolicy } from './policy';
import { isRejection, reject, type Rejection, type RejectionCode } from './rejection';

/**
 * The account's decisions: `decide(command, state) → events | rejection`. An empty list means
 * "nothing changes" (a duplicate, or a fact the account already holds). Pure: the clock is
 * `command.metadata.now`, the rules are `policy`, and nothing is read from anywhere else.
 */
export type Decision = readonly AccountEvent[] | Rejection;

export function decide(command: AccountCommand, state: AccountState, policy: AccountPolicy = DEFAULT_ACCOUNT_POLICY): Decision {
  if (state.customerId !== undefined && command.data.customerId !== state.customerId) {
    return reject('customer-mismatch', `${command.type} names customer ${command.data.customerId}, but this account belongs to ${state.customerId}`);
  }
  const { type } = command;
  switch (type) {
    case 'IssueInvoice':
      return issueInvoice(command, state, policy);
    case 'RecordPayment':
      return recordPayment(command, state, policy);
    case 'CreditInvoice':
      return creditInvoice(command, state, policy);
    case 'DisputeInvoice':
      return disputeInvoice(command, state, policy);
    case 'ResolveDispute':
      return resolveDispute(command, state, policy);
    case 'AgreePaymentPlan':
      return agreePaymentPlan(command, state, policy);
    case 'UpdateCustomer':
      return updateCustomer(command, state);
    case 'TerminateCustomer':
      return terminateCustomer(command, state);
    case 'RecordHandoff':
      return recordHandoff(command, state);
    case 'RecordRecall':
      return recordRecall(command, state);
    case 'ErasePersonalData':
      return erasePersonalData(command, state);
    case 'CheckDeadlines':
      return checkDeadlines(command, state, policy);
    default: {
      const unknownType: never = type;
      throw new Error(`unknown command type ${String(unknownType)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Holding events that arrive before their invoice

export function holdIdOf(command: HoldableCommand): string {
  switch (command.type) {
    case 'RecordPayment':
      return `payment:${command.data.paymentId}`;
    case 'CreditInvoice':
      return `credit-note:${command.data.creditNoteId}`;
    case 'DisputeInvoice':
      return `dispute:${command.data.invoiceId}:${command.data.disputedAt}`;
    case 'ResolveDispute':
      return `dispute-resolution:${command.data.invoiceId}:${command.data.resolvedAt}`;
    case 'AgreePaymentPlan':
      return `payment-plan:${command.data.planId}`;
  }
}

function describeHoldable(command: HoldableCommandSnapshot): string {
  const data = command.data as Record<string, string | undefined>;
  switch (command.type) {
    case 'RecordPayment':
      return `payment ${data['paymentId']}`;
    case 'CreditInvoice':
      return `credit note ${data['creditNoteId']}`;
    case 'DisputeInvoice':
      return `dispute of invoice ${data['invoiceId']}`;
    case 'ResolveDispute':
      return `dispute resolution of invoice ${data['invoiceId']}`;
    case 'AgreePaymentPlan':
      return `payment plan ${data['planId']}`;
  }
}

/** Key-order independent JSON, to tell a repeated command from a different one under the same id. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const snapshotOf = (command: HoldableCommand): HoldableCommandSnapshot => ({ type: command.type, data: { ...command.data } });

/**
 * What makes two commands under one hold id the same fact. Sealed free text is left out: sealing
 * the same reason twice gives different ciphertexts.
 */
function fingerprint(command: HoldableCommandSnapshot): string {
  const data = command.data as Record<string, unknown>;
  switch (command.type) {
    case 'RecordPayment':
      return canonical([data['amount'], data['invoiceId'], data['paymentReference']]);
    case 'CreditInvoice':
      return canonical([data['amount'], data['invoiceId']]);
    case 'DisputeInvoice':
      return canonical([data['invoiceId'], data['disputedAt']]);
    case 'ResolveDispute':
      return canonical([data['invoiceId'], data['resolvedAt'], data['outcome']]);
    case 'AgreePaymentPlan':
      return canonical([data['invoiceId'], data['installments']]);
  }
}

const REUSE_CODE: Record<HoldableCommand['type'], RejectionCode> = {
  RecordPayment: 'payment-id-reused',
  CreditInvoice: 'credit-note-id-reused',
  DisputeInvoice: 'dispute-already-resolved',
  ResolveDispute: 'dispute-already-resolved',
  AgreePaymentPlan: 'plan-id-reused',
};

/** A command that is already waiting: the same one again changes nothing; a different one under its id is refused. */
function alreadyHeld(command: HoldableCommand, state: AccountState): Decision | undefined {
  const held = state.held[holdIdOf(command)];
  if (!held) return undefined;
  if (fingerprint(held.command) === fingerprint(snapshotOf(command))) return [];
  return reject(REUSE_CODE[command.type], `${describeHoldable(held.command)} is already waiting for its invoice with different content; the same id cannot carry two facts`);
}

function hold(command: HoldableCommand, policy: AccountPolicy, why: EventHeld['data']['why'], invoiceId: string | undefined): EventHeld {
  const { now } = command.metadata;
  return {
    type: 'EventHeld',
    data: {
      holdId: holdIdOf(command),
      customerId: command.data.customerId,
      ...(invoiceId === undefined ? {} : { invoiceId }),
      heldAt: now,
      expiresAt: addMs(now, policy.holdWindowMs),
      why,
      command: snapshotOf(command),
    },
  };
}

const restore = (entry: HeldEntry, now: string): HoldableCommand =>
  ({ type: entry.command.type, data: entry.command.data, metadata: { now } }) as unknown as HoldableCommand;

// ---------------------------------------------------------------------------------------------
// Invoices

function sameIssue(invoice: InvoiceState, data: IssueInvoice['data']): boolean {
  return (
    equals(invoice.amount, data.amount) &&
    invoice.dueDate === data.dueDate &&
    instantMs(invoice.issuedAt) === instantMs(data.issuedAt) &&
    invoice.paymentReference === data.paymentReference
  );
}

function issueInvoice(command: IssueInvoice, state: AccountState, policy: AccountPolicy): Decision {
  const { data } = command;
  const existing = state.invoices[data.invoiceId];
  if (existing) {
    if (sameIssue(existing, data)) return [];
    return reject(
      'invoice-id-reused',
      `invoice ${data.invoiceId} was already issued for ${format(existing.amount)} due ${existing.dueDate}; ` +
        `this one says ${format(data.amount)} due ${data.dueDate} (an invoice id cannot be issued twice)`,
    );
  }
  if (data.dueDate < earliestLocalDate(data.issuedAt)) {
    return reject('due-date-before-issue-date', `invoice ${data.invoiceId} is due ${data.dueDate}, before it was issued (${data.issuedAt})`);
  }
  const events: AccountEvent[] = [];
  const customerChange = customerDetailsChange(state, data.customerId, data.issuedAt, data);
  if (customerChange) events.push(customerChange);
  events.push({
    type: 'InvoiceIssued',
    data: {
      invoiceId: data.invoiceId,
      customerId: data.customerId,
      issuedAt: data.issuedAt,
      dueDate: data.dueDate,
      amount: data.amount,
      ...(data.paymentReference === undefined ? {} : { paymentReference: data.paymentReference }),
      ...(data.brand === undefined ? {} : { brand: data.brand }),
    },
  });
  const afterIssue = events.reduce(evolve, state);
  const released = releaseHeld(afterIssue, data.invoiceId, command.metadata.now, policy);
  const afterRelease = released.reduce(evolve, afterIssue);
  return [...events, ...released, ...useCustomerCredit(afterRelease, data.invoiceId, data.issuedAt)];
}

/** Credit the customer holds in the invoice's currency pays what it can of a new invoice. */
function useCustomerCredit(state: AccountState, invoiceId: string, at: string): AccountEvent[] {
  const invoice = state.invoices[invoiceId];
  if (!invoice || isZero(invoice.balance)) return [];
  const available = creditIn(state, invoice.amount.currency);
  if (!isPositive(available)) return [];
  const used = min(available, invoice.balance);
  const balanceAfter = subtract(invoice.balance, used);
  const events: AccountEvent[] = [
    { type: 'CustomerCreditUsed', data: { customerId: invoice.customerId, invoiceId, amount: used, balanceAfter, creditAfter: subtract(available, used), at } },
  ];
  if (isZero(balanceAfter)) events.push(settled(invoice, at, 'payment'));
  return events;
}

/** Decide, in arrival order, every held event that waited for this invoice (or for any invoice of the customer). */
function releaseHeld(afterIssue: AccountState, invoiceId: string, now: string, policy: AccountPolicy): AccountEvent[] {
  const waiting = Object.values(afterIssue.held)
    .filter((entry) => entry.invoiceId === invoiceId || entry.why === 'customer-has-no-invoices')
    .sort((a, b) => instantMs(a.heldAt) - instantMs(b.heldAt) || (a.holdId < b.holdId ? -1 : 1));
  const events: AccountEvent[] = [];
  let state = afterIssue;
  for (const entry of waiting) {
    const released: AccountEvent = { type: 'HeldEventReleased', data: { holdId: entry.holdId, customerId: afterIssue.customerId ?? '', releasedAt: now } };
    const candidate = evolve(state, released);
    const outcome = decide(restore(entry, now), candidate, policy);
    if (isRejection(outcome)) {
      const dropped: AccountEvent = {
        type: 'HeldEventDropped',
        data: { holdId: entry.holdId, customerId: released.data.customerId, droppedAt: now, code: outcome.code, reason: outcome.reason },
      };
      events.push(dropped);
      state = evolve(state, dropped);
    } else if (outcome.some((event) => event.type === 'EventHeld')) {
      continue;
    } else {
      events.push(released, ...outcome);
      state = outcome.reduce(evolve, candidate);
    }
  }
  return events;
}

// ---------------------------------------------------------------------------------------------
// Payments and credits

function recordPayment(command: RecordPayment, state: AccountState, policy: AccountPolicy): Decision {
  const { data } = command;
  const known = state.payments[data.paymentId];
  if (known) {
    const same = equals(known.amount, data.amount) && known.requestedInvoiceId === data.invoiceId && known.paymentReference === data.paymentReference;
    if (same) return [];
    return reject(
      'payment-id-reused',
      `payment ${data.paymentId} was already received for ${format(known.amount)}${known.requestedInvoiceId ? ` on invoice ${known.requestedInvoiceId}` : ''}; ` +
        `this one says ${format(data.amount)}${data.invoiceId ? ` on invoice ${data.invoiceId}` : ''}`,
    );
  }
  const held = alreadyHeld(command, state);
  if (held) return held;

  const destination = matchPayment(data, Object.values(state.invoices));
  switch (destination.kind) {
    case 'hold':
      return [hold(command, policy, destination.why, data.invoiceId)];
    case 'only-other-currencies-open':
      return reject(
        'currency-mismatch',
        `payment ${data.paymentId} of ${format(data.amount)} names no invoice, and the customer's open invoices are in ${destination.currencies.join(', ')}`,
      );
    case 'customer-credit': {
      const surplus = creditAdded(state, data.customerId, data.amount, { kind: 'payment-surplus', paymentId: data.paymentId }, data.receivedAt);
      if (isRejection(surplus)) return surplus;
      return [paymentReceived(data, 'no-open-invoice', undefined), surplus];
    }
    case 'invoice': {
      const invoice = state.invoices[destination.invoiceId] as InvoiceState;
      if (invoice.amount.currency !== data.amount.currency) {
        return reject(
          'currency-mismatch',
          `payment ${data.paymentId} is in ${data.amount.currency}, but invoice ${invoice.invoiceId} (matched by ${destination.matchedBy}) is in ${invoice.amount.currency}`,
        );
      }
      const applied = min(data.amount, invoice.balance);
      const surplusAmount = subtract(data.amount, applied);
      const balanceAfter = subtract(invoice.balance, applied);
      const events: AccountEvent[] = [paymentReceived(data, destination.matchedBy, invoice.invoiceId)];
      if (isPositive(applied)) {
        events.push({
          type: 'PaymentApplied',
          data: {
            paymentId: data.paymentId,
            invoiceId: invoice.invoiceId,
            customerId: data.customerId,
            amount: applied,
            balanceAfter,
            receivedAt: data.receivedAt,
            matchedBy: destination.matchedBy,
          },
        });
        if (isZero(balanceAfter)) events.push(settled(invoice, data.receivedAt, 'payment'));
      }
      if (isPositive(surplusAmount)) {
        const surplus = creditAdded(state, data.customerId, surplusAmount, { kind: 'payment-surplus', paymentId: data.paymentId, invoiceId: invoice.invoiceId }, data.receivedAt);
        if (isRejection(surplus)) return surplus;
        events.push(surplus);
      }
      return events;
    }
  }
}

function paymentReceived(data: RecordPayment['data'], matchedBy: PaymentMatch, invoiceId: string | undefined): AccountEvent {
  return {
    type: 'PaymentReceived',
    data: {
      paymentId: data.paymentId,
      customerId: data.customerId,
      amount: data.amount,
      receivedAt: data.receivedAt,
      ...(data.invoiceId === undefined ? {} : { requestedInvoiceId: data.invoiceId }),
      ...(data.paymentReference === undefined ? {} : { paymentReference: data.paymentReference }),
      ...(data.method === undefined ? {} : { method: data.method }),
      matchedBy,
      ...(invoiceId === undefined ? {} : { invoiceId }),
    },
  };
}

function settled(invoice: InvoiceState, at: string, by: 'payment' | 'credit'): InvoiceSettled {
  return { type: 'InvoiceSettled', data: { invoiceId: invoice.invoiceId, customerId: invoice.customerId, settledAt: at, settledBy: by, amount: invoice.amount } };
}

function creditAdded(state: AccountState, customerId: string, amount: Money, cause: CustomerCreditAdded['data']['cause'], at: string): CustomerCreditAdded | Rejection {
  const before = creditIn(state, amount.currency);
  if (!canAdd(before, amount)) {
    return reject('amount-out-of-range', `customer credit in ${amount.currency} would exceed the largest amount this service can hold`);
  }
  return { type: 'CustomerCreditAdded', data: { customerId, amount, creditAfter: add(before, amount), cause, at } };
}

function creditInvoice(command: CreditInvoice, state: AccountState, policy: AccountPolicy): Decision {
  const { data } = command;
  const known = state.creditNotes[data.creditNoteId];
  if (known) {
    if (known.invoiceId === data.invoiceId && equals(known.amount, data.amount)) return [];
    return reject(
      'credit-note-id-reused',
      `credit note ${data.creditNoteId} was already applied: ${format(known.amount)} on invoice ${known.invoiceId}; this one says ${format(data.amount)} on invoice ${data.invoiceId}`,
    );
  }
  const held = alreadyHeld(command, state);
  if (held) return held;
  const invoice = state.invoices[data.invoiceId];
  if (!invoice) return [hold(command, policy, 'invoice-not-yet-seen', data.invoiceId)];
  if (invoice.amount.currency !== data.amount.currency) {
    return reject('currency-mismatch', `credit note ${data.creditNoteId} is in ${data.amount.currency}, but invoice ${invoice.invoiceId} is in ${invoice.amount.currency}`);
  }
  if (!canAdd(invoice.creditedTotal, data.amount) || compare(add(invoice.creditedTotal, data.amount), invoice.amount) > 0) {
    const after = canAdd(invoice.creditedTotal, data.amount) ? format(add(invoice.creditedTotal, data.amount)) : 'more than can be represented';
    return reject(
      'credit-exceeds-invoice-amount',
      `credit note ${data.creditNoteId} of ${format(data.amount)} would bring the credits on invoice ${invoice.invoiceId} to ${after}, above its amount of ${format(invoice.amount)}` +
        (isZero(invoice.creditedTotal) ? '' : ` (already credited ${format(invoice.creditedTotal)})`),
    );
  }
  const appliedToBalance = min(data.amount, invoice.balance);
  const surplusAmount = subtract(data.amount, appliedToBalance);
  const balanceAfter = subtract(invoice.balance, appliedToBalance);
  const events: AccountEvent[] = [
    {
      type: 'InvoiceCredited',
      data: {
        creditNoteId: data.creditNoteId,
        invoiceId: invoice.invoiceId,
        customerId: data.customerId,
        amount: data.amount,
        appliedToBalance,
        balanceAfter,
        creditedTotal: add(invoice.creditedTotal, data.amount),
        creditedAt: data.creditedAt,
        ...(data.reason === undefined ? {} : { reason: data.reason }),
      },
    },
  ];
  if (isPositive(appliedToBalance) && isZero(balanceAfter)) events.push(settled(invoice, data.creditedAt, 'credit'));
  if (isPositive(surplusAmount)) {
    const surplus = creditAdded(state, data.customerId, surplusAmount, { kind: 'credit-note-surplus', creditNoteId: data.creditNoteId, invoiceId: invoice.invoiceId }, data.creditedAt);
    if (isRejection(surplus)) return surplus;
    events.push(surplus);
  }
  return events;
}

// ---------------------------------------------------------------------------------------------
// Disputes and payment plans

function disputeInvoice(command: DisputeInvoice, state: AccountState, policy: AccountPolicy): Decision {
  const { data } = command;
  const held = alreadyHeld(command, state);
  if (held) return held;
  const invoice = state.invoices[data.invoiceId];
  if (!invoice) return [hold(command, policy, 'invoice-not-yet-seen', data.invoiceId)];
  const sameDispute = invoice.disputes.some((dispute) => instantMs(dispute.disputedAt) === instantMs(data.disputedAt));
  if (sameDispute || isDisputed(invoice)) return [];
  return [
    {
      type: 'InvoiceDisputed',
      data: { invoiceId: data.invoiceId, customerId: data.customerId, disputedAt: data.disputedAt, ...(data.reason === undefined ? {} : { reason: data.reason }) },
    },
  ];
}

function resolveDispute(command: ResolveDispute, state: AccountState, policy: AccountPolicy): Decision {
  const { data } = command;
  const held = alreadyHeld(command, state);
  if (held) return held;
  const invoice = state.invoices[data.invoiceId];
  if (!invoice) return [hold(command, policy, 'invoice-not-yet-seen', data.invoiceId)];
  const sameResolution = invoice.disputes.find((dispute) => dispute.resolvedAt !== undefined && instantMs(dispute.resolvedAt) === instantMs(data.resolvedAt));
  if (sameResolution) {
    if (sameResolution.outcome === data.outcome) return [];
    return reject('dispute-already-resolved', `the dispute of invoice ${data.invoiceId} was already resolved at ${data.resolvedAt} as ${sameResolution.outcome}, not ${data.outcome}`);
  }
  const open = openDispute(invoice);
  if (!open) return reject('invoice-not-disputed', `invoice ${data.invoiceId} has no open dispute to resolve`);
  if (instantMs(data.resolvedAt) < instantMs(open.disputedAt)) {
    return reject('resolved-before-disputed', `the dispute of invoice ${data.invoiceId} was opened at ${open.disputedAt}; it cannot be resolved earlier (${data.resolvedAt})`);
  }
  return [{ type: 'DisputeResolved', data: { invoiceId: data.invoiceId, customerId: data.customerId, resolvedAt: data.resolvedAt, outcome: data.outcome } }];
}

function agreePaymentPlan(command: AgreePaymentPlan, state: AccountState, policy: AccountPolicy): Decision {
  const { data } = command;
  const known = Object.values(state.invoices)
    .flatMap((invoice) => invoice.plans.map((plan) => ({ invoice, plan })))
    .find(({ plan }) => plan.planId === data.planId);
  if (known) {
    if (known.invoice.invoiceId === data.invoiceId && canonical(known.plan.installments) === canonical(data.installments)) return [];
    return reject('plan-id-reused', `payment plan ${data.planId} was already agreed for invoice ${known.invoice.invoiceId} with other installments`);
  }
  const held = alreadyHeld(command, state);
  if (held) return held;
  const invoice = state.invoices[data.invoiceId];
  if (!invoice) return [hold(command, policy, 'invoice-not-yet-seen', data.invoiceId)];
  if (invoice.status === 'settled') return reject('invoice-settled', `invoice ${data.invoiceId} is settled; there is nothing left to pay in installments`);
  const currency = invoice.amount.currency;
  const foreign = data.installments.findIndex((installment) => installment.amount.currency !== currency);
  if (foreign >= 0) {
    return reject('currency-mismatch', `installment ${foreign + 1} of payment plan ${data.planId} is in ${data.installments[foreign]?.amount.currency}, but invoice ${data.invoiceId} is in ${currency}`);
  }
  for (let i = 1; i < data.installments.length; i++) {
    const previous = data.installments[i - 1];
    const current = data.installments[i];
    if (previous && current && current.dueDate <= previous.dueDate) {
      return reject('installments-out-of-order', `installment ${i + 1} of payment plan ${data.planId} is due ${current.dueDate}, not after installment ${i} (${previous.dueDate})`);
    }
  }
  const first = data.installments[0];
  if (first && first.dueDate < earliestLocalDate(data.agreedAt)) {
    return reject('installment-due-before-agreement', `installment 1 of payment plan ${data.planId} is due ${first.dueDate}, before the plan was agreed (${data.agreedAt})`);
  }
  let total = zero(currency);
  for (const installment of data.installments) {
    if (!canAdd(total, installment.amount)) return reject('amount-out-of-range', `the installments of payment plan ${data.planId} add up to more than this service can hold`);
    total = add(total, installment.amount);
  }
  if (compare(total, invoice.balance) > 0) {
    return reject(
      'payment-plan-exceeds-balance',
      `the installments of payment plan ${data.planId} add up to ${format(total)}, more than the open balance of invoice ${data.invoiceId} (${format(invoice.balance)})`,
    );
  }
  const superseded = activePlan(invoice);
  return [
    {
      type: 'PaymentPlanAgreed',
      data: {
        planId: data.planId,
        invoiceId: data.invoiceId,
        customerId: data.customerId,
        agreedAt: data.agreedAt,
        installments: data.installments,
        balanceAtAgreement: invoice.balance,
        ...(superseded ? { supersedesPlanId: superseded.planId } : {}),
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The customer

function applyProfilePatch(profile: CustomerProfile, patch: CustomerProfilePatch | undefined): CustomerProfile {
  if (!patch) return profile;
  const { consent, contactOnFile, ...fields } = patch;
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return {
    ...profile,
    ...defined,
    consent: { ...profile.consent, ...Object.fromEntries(Object.entries(consent ?? {}).filter(([, value]) => value !== undefined)) },
    contactOnFile: contactOnFile ?? profile.contactOnFile,
  };
}

function customerDetailsChange(
  state: AccountState,
  customerId: string,
  changedAt: string,
  change: { contact?: string; contactFields?: readonly string[]; profile?: CustomerProfilePatch },
): AccountEvent | undefined {
  const profile = applyProfilePatch(state.profile, change.profile);
  if (change.contact === undefined && canonical(profile) === canonical(state.profile)) return undefined;
  return {
    type: 'CustomerDetailsChanged',
    data: {
      customerId,
      changedAt,
      ...(change.contact === undefined ? {} : { contact: change.contact, contactFields: change.contactFields ?? [] }),
      profile,
    },
  };
}

function updateCustomer(command: UpdateCustomer, state: AccountState): Decision {
  const change = customerDetailsChange(state, command.data.customerId, command.data.updatedAt, command.data);
  return change ? [change] : [];
}

function terminateCustomer(command: TerminateCustomer, state: AccountState): Decision {
  if (state.terminatedAt !== undefined) return [];
  const { customerId, terminatedAt, reason } = command.data;
  return [{ type: 'CustomerTerminated', data: { customerId, terminatedAt, ...(reason === undefined ? {} : { reason }) } }];
}

function erasePersonalData(command: ErasePersonalData, state: AccountState): Decision {
  if (state.contact.erased) return [];
  return [{ type: 'PersonalDataErased', data: { customerId: command.data.customerId, erasedAt: command.metadata.now } }];
}

// ---------------------------------------------------------------------------------------------
// Collection (facts from collection-handoff)

function recordHandoff(command: RecordHandoff, state: AccountState): Decision {
  const { data } = command;
  const invoice = state.invoices[data.invoiceId];
  if (!invoice) return reject('unknown-invoice', `collection case ${data.caseId} names invoice ${data.invoiceId}, which invoicing does not know`);
  // The same case again (even after its recall) is a repeat: a recalled case is never reopened under its id.
  if (invoice.collection.status !== 'none' && invoice.collection.caseId === data.caseId) return [];
  return [
    {
      type: 'InvoiceHandedOff',
      data: {
        invoiceId: data.invoiceId,
        customerId: data.customerId,
        caseId: data.caseId,
        handedOffAt: data.handedOffAt,
        amount: data.amount,
        ...(data.agencyId === undefined ? {} : { agencyId: data.agencyId }),
      },
    },
  ];
}

function recordRecall(command: RecordRecall, state: AccountState): Decision {
  const { data } = command;
  const invoice = state.invoices[data.invoiceId];
  if (!invoice) return reject('unknown-invoice', `collection case ${data.caseId} names invoice ${data.invoiceId}, which invoicing does not know`);
  const { collection } = invoice;
  if (collection.status === 'recalled' && collection.caseId === data.caseId) return [];
  if (collection.status !== 'handed-off' || collection.caseId !== data.caseId) {
    return reject('not-handed-off', `invoice ${data.invoiceId} is not handed off under collection case ${data.caseId}; there is nothing to recall`);
  }
  return [
    {
      type: 'InvoiceRecalled',
      data: { invoiceId: data.invoiceId, customerId: data.customerId, caseId: data.caseId, recalledAt: data.recalledAt, reasonCode: data.reasonCode },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Time passing

function checkDeadlines(command: CheckDeadlines, state: AccountState, policy: AccountPolicy): Decision {
  const { now } = command.metadata;
  const { customerId } = command.data;
  const events: AccountEvent[] = [];
  const expired = Object.values(state.held)
    .filter((entry) => instantMs(entry.expiresAt) <= instantMs(now))
    .sort((a, b) => instantMs(a.heldAt) - instantMs(b.heldAt) || (a.holdId < b.holdId ? -1 : 1));
  for (const entry of expired) {
    const hours = Math.round((instantMs(entry.expiresAt) - instantMs(entry.heldAt)) / 3_600_000);
    const what = describeHoldable(entry.command);
    const [code, reason] =
      entry.why === 'invoice-not-yet-seen'
        ? (['invoice-not-seen-within-window', `${what} names invoice ${entry.invoiceId}, which did not arrive within ${hours} h (held since ${entry.heldAt})`] as const)
        : (['no-invoice-within-window', `${what} names no invoice and the customer had no invoice within ${hours} h (held since ${entry.heldAt})`] as const);
    events.push({ type: 'HeldEventDropped', data: { holdId: entry.holdId, customerId, droppedAt: now, code, reason } });
  }
  for (const invoice of Object.values(state.invoices)) {
    const plan = activePlan(invoice);
    if (!plan) continue;
    const reduction = subtract(plan.balanceAtAgreement, invoice.balance);
    let required = zero(invoice.amount.currency);
    for (const [index, installment] of plan.installments.entries()) {
      required = add(required, installment.amount);
      if (compare(reduction, required) >= 0) continue;
      if (!dateIsOverEverywhere(installment.dueDate, now)) break;
      const number = index + 1;
      const shortfall = subtract(required, reduction);
      if (!plan.missed.includes(number)) {
        events.push({
          type: 'InstallmentMissed',
          data: { planId: plan.planId, invoiceId: invoice.invoiceId, customerId, installmentNumber: number, dueDate: installment.dueDate, shortfall, detectedAt: now },
        });
      }
      if (dateIsOverEverywhere(addDays(installment.dueDate, policy.planBreakGraceDays), now)) {
        events.push({ type: 'PaymentPlanBroken', data: { planId: plan.planId, invoiceId: invoice.invoiceId, customerId, brokenAt: now, installmentNumber: number, shortfall } });
        break;
      }
    }
  }
  return events;
}
