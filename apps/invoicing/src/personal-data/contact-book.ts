import type { SqlClient } from '@dunning/event-store';
import type { CustomerKey, CustomerKeyRow, PersonalDataVault } from './vault';

/**
 * A customer's contact: the personal data invoicing keeps (name, e-mail, phone, postal address).
 * It exists in the clear only in memory, between a billing event and the vault; what is stored
 * is sealed with the customer's key.
 */
export interface PostalAddress {
  readonly lines: readonly string[];
  readonly postalCode?: string;
  readonly city: string;
  readonly country: string;
}

export interface Contact {
  readonly name?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly postalAddress?: PostalAddress;
}

export type CurrentContact = { readonly status: 'none' } | { readonly status: 'erased' } | { readonly status: 'on-file'; readonly contact: Contact };

export const CONTACT_FIELDS = ['name', 'email', 'phone', 'postalAddress'] as const;

function canonicalContact(contact: Contact): string {
  const ordered: Record<string, unknown> = {};
  for (const field of CONTACT_FIELDS) if (contact[field] !== undefined) ordered[field] = contact[field];
  return JSON.stringify(ordered);
}

export const fieldsOf = (contact: Contact): string[] => CONTACT_FIELDS.filter((field) => contact[field] !== undefined);

export class ContactBook {
  private readonly contacts: string;
  private readonly keys: string;

  constructor(
    schema: string,
    private readonly vault: PersonalDataVault,
  ) {
    this.contacts = `"${schema}".customer_contacts`;
    this.keys = `"${schema}".customer_keys`;
  }

  async current(tx: SqlClient, customerId: string): Promise<CurrentContact> {
    return (await this.read(tx, customerId)).current;
  }

  /** The sealed contact to record if `next` differs from what is on file; undefined when nothing changed. */
  async sealIfChanged(tx: SqlClient, customerId: string, next: Contact): Promise<{ sealed: string; fields: string[] } | undefined> {
    const { current, key } = await this.read(tx, customerId);
    if (current.status === 'on-file' && canonicalContact(current.contact) === canonicalContact(next)) return undefined;
    if (current.status !== 'on-file' && fieldsOf(next).length === 0) return undefined;
    const sealWith = key ?? (await this.vault.createKey(tx, customerId));
    return { sealed: this.vault.seal(customerId, sealWith, canonicalContact(next)), fields: fieldsOf(next) };
  }

  /** The contact on file and the live key that opens it, in one statement (both are needed to compare and to seal). */
  private async read(tx: SqlClient, customerId: string): Promise<{ current: CurrentContact; key: CustomerKey | undefined }> {
    const { rows } = await tx.query<CustomerKeyRow & { sealed_contact: string | null; destroyed_at: Date | null }>(
      `SELECT k.key_id, k.key_material, k.wrapped_with, k.destroyed_at, c.sealed_contact
         FROM ${this.keys} k LEFT JOIN ${this.contacts} c ON c.customer_id = k.customer_id
        WHERE k.customer_id = $1`,
      [customerId],
    );
    const row = rows[0];
    if (!row) return { current: { status: 'none' }, key: undefined };
    if (row.destroyed_at !== null) return { current: { status: 'erased' }, key: undefined };
    const key = this.vault.liveKeyOf(customerId, row);
    if (row.sealed_contact === null) return { current: { status: 'none' }, key };
    const opened = this.vault.open(customerId, key, row.sealed_contact);
    return { current: opened === undefined ? { status: 'erased' } : { status: 'on-file', contact: JSON.parse(opened) as Contact }, key };
  }

  /** Free text that may hold personal data (a dispute reason), sealed with the customer's key. */
  async sealText(tx: SqlClient, customerId: string, text: string | undefined): Promise<string | undefined> {
    if (text === undefined || text.length === 0) return undefined;
    return this.vault.seal(customerId, await this.vault.keyFor(tx, customerId), text);
  }

  /** Opens a sealed value of the customer; undefined once their key is destroyed. */
  async open(tx: SqlClient, customerId: string, sealed: string): Promise<string | undefined> {
    return this.vault.open(customerId, await this.vault.currentKey(tx, customerId), sealed);
  }
}
