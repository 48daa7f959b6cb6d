import type { Channel } from '../domain';
import type { PostalAddress, Recipient } from '../channels/provider';

/**
 * Where the notifier gets a customer's contact at send time. Invoicing owns personal data (sealed
 * with the customer's own key) and hands it out only on request (GET /customers/:id/contact,
 * scope `contacts`); the notifier keeps no copy, so an erasure in invoicing needs nothing here.
 */
export type ContactLookup =
  | { readonly status: 'ok'; readonly recipient: Recipient | undefined; readonly consent: Partial<Record<Channel, boolean>> }
  | { readonly status: 'unknown' }
  | { readonly status: 'erased' };

export interface ContactDirectory {
  /** Throws when the directory cannot answer (then the delivery waits and asks again). */
  lookup(customerId: string): Promise<ContactLookup>;
}

interface InvoicingContactAnswer {
  readonly status: 'ok';
  readonly contact: { name?: string; email?: string; phone?: string; postalAddress?: PostalAddress } | null;
  readonly profile?: { consent?: Partial<Record<Channel, boolean>> };
}

/** The invoicing service's contact endpoint, with an API key of scope `contacts`. */
export class InvoicingContactDirectory implements ContactDirectory {
  constructor(private readonly config: { readonly baseUrl: string; readonly apiKey: string; readonly timeoutMs: number }) {}

  async lookup(customerId: string): Promise<ContactLookup> {
    const url = `${this.config.baseUrl.replace(/\/$/, '')}/customers/${encodeURIComponent(customerId)}/contact`;
    const response = await fetch(url, { headers: { 'x-api-key': this.config.apiKey, accept: 'application/json' }, signal: AbortSignal.timeout(this.config.timeoutMs) });
    if (response.status === 404) return { status: 'unknown' };
    if (response.status === 410) return { status: 'erased' };
    // Any other failure is the directory's, not the customer's: no detail from the body is kept.
    if (!response.ok) throw new Error(`contact directory answered ${response.status}`);
    const answer = (await response.json()) as InvoicingContactAnswer;
    const contact = answer.contact;
    const recipient: Recipient | undefined = contact
      ? { name: contact.name ?? '', ...(contact.email ? { email: contact.email } : {}), ...(contact.phone ? { phone: contact.phone } : {}), ...(contact.postalAddress ? { postalAddress: contact.postalAddress } : {}) }
      : undefined;
    return { status: 'ok', recipient, consent: answer.profile?.consent ?? {} };
  }
}
