import type { Customer, PostalAddress } from './population';

/**
 * Maps the contact data the simulator generated back to its customers: an e-mail address, a phone
 * number or a postal address (name + lines + postal code). It knows only what the simulator itself
 * handed to billing, including earlier addresses of customers who moved; it never asks the platform.
 */
export class ContactDirectory {
  private readonly byEmail = new Map<string, string>();
  private readonly byPhone = new Map<string, string>();
  private readonly byAddress = new Map<string, string>();
  private readonly byPaymentReference = new Map<string, { customerId: string; invoiceId: string }>();
  private readonly invoiceIds = new Map<string, string>();

  static of(customers: readonly Customer[]): ContactDirectory {
    const directory = new ContactDirectory();
    for (const customer of customers) {
      if (customer.contact.email) directory.addEmail(customer.contact.email, customer.id);
      if (customer.contact.phone) directory.addPhone(customer.contact.phone, customer.id);
      directory.addAddress(customer.contact.name, customer.contact.postalAddress, customer.id);
    }
    return directory;
  }

  addEmail(email: string, customerId: string): void {
    this.byEmail.set(email.toLowerCase(), customerId);
  }

  addPhone(phone: string, customerId: string): void {
    this.byPhone.set(normalisePhone(phone), customerId);
  }

  addAddress(name: string, address: Pick<PostalAddress, 'lines' | 'postalCode'>, customerId: string): void {
    this.byAddress.set(addressKey(name, address), customerId);
  }

  addInvoice(invoiceId: string, paymentReference: string, customerId: string): void {
    this.byPaymentReference.set(paymentReference, { customerId, invoiceId });
    this.invoiceIds.set(invoiceId, customerId);
  }

  customerByEmail(email: string): string | undefined {
    return this.byEmail.get(email.trim().toLowerCase());
  }

  customerByPhone(phone: string): string | undefined {
    return this.byPhone.get(normalisePhone(phone));
  }

  customerByAddress(name: string, address: { readonly lines: readonly string[]; readonly postalCode?: string | undefined }): string | undefined {
    return this.byAddress.get(addressKey(name, address));
  }

  invoiceByPaymentReference(reference: string): { customerId: string; invoiceId: string } | undefined {
    return this.byPaymentReference.get(reference);
  }

  customerOfInvoice(invoiceId: string): string | undefined {
    return this.invoiceIds.get(invoiceId);
  }

  /** Every payment reference and invoice id of a customer that occurs in a text, for messages that name their invoice. */
  invoicesMentionedIn(text: string, customerId: string): string[] {
    const found = new Set<string>();
    for (const token of text.match(/[A-Za-z0-9-]{6,}/g) ?? []) {
      const byReference = this.byPaymentReference.get(token);
      if (byReference?.customerId === customerId) found.add(byReference.invoiceId);
      if (this.invoiceIds.get(token) === customerId) found.add(token);
    }
    return [...found];
  }
}

const normalisePhone = (phone: string): string => phone.replace(/[^\d+]/g, '').replace(/^00/, '+');

const addressKey = (name: string, address: { readonly lines: readonly string[]; readonly postalCode?: string | undefined }): string =>
  [name, ...address.lines, address.postalCode ?? ''].map((part) => part.trim().toLowerCase()).join('|');
