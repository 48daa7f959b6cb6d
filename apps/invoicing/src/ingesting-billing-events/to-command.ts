import type { BillingCustomer, BillingEvent } from '@dunning/contracts';
import type { SqlClient } from '@dunning/event-store';
import type { AccountCommand } from '../domain/commands';
import type { CustomerProfilePatch } from '../domain/events';
import { money } from '../domain/money';
import type { Contact, ContactBook, ContactRows, PostalAddress } from '../personal-data/contact-book';

/**
 * A validated billing event (libs/contracts) as a command of the customer's account. This is
 * where personal data leaves the clear: the contact is sealed with the customer's key (and only
 * when it changed), free-text reasons are sealed, and what decisions may know (type, locale,
 * time zone, country, consent, which contacts exist) becomes the non-personal profile.
 */
const toMoney = (amount: { minor: number; currency: string }) => money(amount.minor, amount.currency);

function addressOf(address: { lines: string[]; postalCode?: string | undefined; city: string; country: string }): PostalAddress {
  return { lines: address.lines, city: address.city, country: address.country, ...(address.postalCode === undefined ? {} : { postalCode: address.postalCode }) };
}

function contactOf(customer: BillingCustomer): Contact {
  return {
    name: customer.name,
    ...(customer.email === undefined ? {} : { email: customer.email }),
    ...(customer.phone === undefined ? {} : { phone: customer.phone }),
    ...(customer.postalAddress === undefined ? {} : { postalAddress: addressOf(customer.postalAddress) }),
  };
}

const onFile = (contact: Contact): NonNullable<CustomerProfilePatch['contactOnFile']> => ({
  email: contact.email !== undefined,
  phone: contact.phone !== undefined,
  postalAddress: contact.postalAddress !== undefined,
});

/** Applies an update: absent fields stay, null removes (the contract's customer.updated semantics). */
function mergeContact(current: Contact, patch: { name?: string | undefined; email?: string | null | undefined; phone?: string | null | undefined; postalAddress?: Parameters<typeof addressOf>[0] | null | undefined }): Contact {
  const merged: { -readonly [K in keyof Contact]?: Contact[K] } = { ...current };
  if (patch.name !== undefined) merged.name = patch.name;
  if (patch.email === null) delete merged.email;
  else if (patch.email !== undefined) merged.email = patch.email;
  if (patch.phone === null) delete merged.phone;
  else if (patch.phone !== undefined) merged.phone = patch.phone;
  if (patch.postalAddress === null) delete merged.postalAddress;
  else if (patch.postalAddress !== undefined) merged.postalAddress = addressOf(patch.postalAddress);
  return merged;
}

/** `ahead`: the customer's key and contact rows when a batch read them already (see ContactBook.readAhead). */
export async function toCommand(tx: SqlClient, event: BillingEvent, contacts: ContactBook, now: Date, ahead?: ContactRows): Promise<AccountCommand> {
  const metadata = { now: now.toISOString() };
  switch (event.type) {
    case 'billing.invoice.issued': {
      const { invoiceId, customerId, issuedAt, dueDate, amount, customer, brand, paymentReference } = event.data;
      const contact = contactOf(customer);
      const change = await contacts.sealIfChanged(tx, customerId, contact, ahead);
      const profile: CustomerProfilePatch = {
        type: customer.type,
        locale: customer.locale,
        timeZone: customer.timeZone,
        ...(customer.customerSince === undefined ? {} : { customerSince: customer.customerSince }),
        ...(customer.postalAddress === undefined ? {} : { country: customer.postalAddress.country }),
        contactOnFile: onFile(contact),
      };
      return {
        type: 'IssueInvoice',
        data: {
          invoiceId,
          customerId,
          issuedAt,
          dueDate,
          amount: toMoney(amount),
          ...(brand === undefined ? {} : { brand }),
          ...(paymentReference === undefined ? {} : { paymentReference }),
          profile,
          ...(change ? { contact: change.sealed, contactFields: change.fields } : {}),
        },
        metadata,
      };
    }
    case 'billing.payment.received': {
      const { paymentId, customerId, amount, receivedAt, invoiceId, paymentReference, method } = event.data;
      return {
        type: 'RecordPayment',
        data: {
          paymentId,
          customerId,
          amount: toMoney(amount),
          receivedAt,
          ...(invoiceId === undefined ? {} : { invoiceId }),
          ...(paymentReference === undefined ? {} : { paymentReference }),
          ...(method === undefined ? {} : { method }),
        },
        metadata,
      };
    }
    case 'billing.invoice.credited': {
      const { creditNoteId, invoiceId, customerId, amount, creditedAt, reason } = event.data;
      const sealed = await contacts.sealText(tx, customerId, reason, ahead);
      return {
        type: 'CreditInvoice',
        data: { creditNoteId, invoiceId, customerId, amount: toMoney(amount), creditedAt, ...(sealed === undefined ? {} : { reason: sealed }) },
        metadata,
      };
    }
    case 'billing.invoice.disputed': {
      const { invoiceId, customerId, disputedAt, reason } = event.data;
      const sealed = await contacts.sealText(tx, customerId, reason, ahead);
      return { type: 'DisputeInvoice', data: { invoiceId, customerId, disputedAt, ...(sealed === undefined ? {} : { reason: sealed }) }, metadata };
    }
    case 'billing.invoice.dispute-resolved': {
      const { invoiceId, customerId, resolvedAt, outcome } = event.data;
      return { type: 'ResolveDispute', data: { invoiceId, customerId, resolvedAt, outcome }, metadata };
    }
    case 'billing.payment-plan.agreed': {
      const { planId, invoiceId, customerId, agreedAt, installments } = event.data;
      return {
        type: 'AgreePaymentPlan',
        data: { planId, invoiceId, customerId, agreedAt, installments: installments.map((i) => ({ dueDate: i.dueDate, amount: toMoney(i.amount) })) },
        metadata,
      };
    }
    case 'billing.customer.updated': {
      const { customerId, updatedAt, customer, consent } = event.data;
      const current = await contacts.current(tx, customerId, ahead);
      const base: Contact = current.status === 'on-file' ? current.contact : {};
      const next = mergeContact(base, customer);
      const change = await contacts.sealIfChanged(tx, customerId, next, ahead);
      const profile: CustomerProfilePatch = {
        ...(customer.type === undefined ? {} : { type: customer.type }),
        ...(customer.locale === undefined ? {} : { locale: customer.locale }),
        ...(customer.timeZone === undefined ? {} : { timeZone: customer.timeZone }),
        ...(customer.customerSince === undefined ? {} : { customerSince: customer.customerSince }),
        ...(customer.postalAddress ? { country: customer.postalAddress.country } : {}),
        ...(consent === undefined ? {} : { consent }),
        contactOnFile: onFile(next),
      };
      return {
        type: 'UpdateCustomer',
        data: { customerId, updatedAt, profile, ...(change ? { contact: change.sealed, contactFields: change.fields } : {}) },
        metadata,
      };
    }
    case 'billing.customer.terminated': {
      const { customerId, terminatedAt, reason } = event.data;
      const sealed = await contacts.sealText(tx, customerId, reason, ahead);
      return { type: 'TerminateCustomer', data: { customerId, terminatedAt, ...(sealed === undefined ? {} : { reason: sealed }) }, metadata };
    }
    default: {
      const unknown: never = event;
      throw new Error(`no command for billing event ${(unknown as { type: string }).type}`);
    }
  }
}
