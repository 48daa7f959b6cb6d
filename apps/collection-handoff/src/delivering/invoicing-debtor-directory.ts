import type { DebtorContact, DebtorDirectory } from '../agency/agency-gateway';

interface ContactAnswer {
  contact?: { name?: string; email?: string; phone?: string; postalAddress?: { lines?: string[]; postalCode?: string; city?: string; country?: string } } | null;
}

/**
 * Debtor details from invoicing's GET /customers/:id/contact (scope `contacts`), fetched at
 * delivery time and passed straight to the agency — never stored or logged here. An erased or
 * unknown customer has no contact: the claim goes without one and the agency asks the creditor.
 */
export class InvoicingDebtorDirectory implements DebtorDirectory {
  constructor(private readonly options: { readonly baseUrl: string; readonly apiKey: string; readonly timeoutMs?: number }) {}

  async contactOf(customerId: string): Promise<DebtorContact | undefined> {
    const response = await fetch(`${this.options.baseUrl.replace(/\/+$/, '')}/customers/${encodeURIComponent(customerId)}/contact`, {
      headers: { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json' },
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
    });
    if (response.status === 404 || response.status === 410) return undefined;
    if (!response.ok) throw new Error(`invoicing contact lookup answered HTTP ${response.status}`);
    const contact = ((await response.json()) as ContactAnswer).contact;
    if (!contact?.name) return undefined;
    const address = contact.postalAddress;
    return {
      name: contact.name,
      email: contact.email,
      phone: contact.phone,
      postalAddress: address ? [...(address.lines ?? []), [address.postalCode, address.city].filter(Boolean).join(' '), address.country].filter(Boolean).join(', ') : undefined,
    };
  }
}
