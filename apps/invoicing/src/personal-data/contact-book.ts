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

/** A customer's `customer_keys` row joined with their contact. */
export interface ContactRow extends CustomerKeyRow {
  readonly destroyed_at: Date | null;
  readonly sealed_contact: string | null;
}

/** Rows read ahead, by customer id; null: the customer has no key row. */
export type ContactRows = Map<string, ContactRow | null>;

export const fieldsOf = (contact: Contact): string[] => CONTACT_FIELDS.filter((field) => contact[field] !== undefined);

export class ContactBook {
  private readonly contacts: string;
  private readonly keys: string;
  private readonly selectRows: string;

  constructor(
    schema: string,
    private readonly vault: PersonalDataVault,
  ) {
    this.contacts = `"${schema}".customer_contacts`;
    this.keys = `"${schema}".customer_keys`;
    this.selectRows = `SELECT k.customer_id, k.key_id, k.key_material, k.wrapped_with, k.destroyed_at, c.sealed_contact
         FROM ${this.keys} k LEFT JOIN ${this.contacts} c ON c.customer_id = k.customer_id`;
  }

  async current(tx: SqlClient, customerId: string, ahead?: ContactRows): Promise<CurrentContact> {
    return (await this.read(tx, customerId, ahead)).current;
  }

  /** The sealed contact to record if `next` differs from what is on file; undefined when nothing changed. */
  async sealIfChanged(tx: SqlClient, customerId: string, next: Contact, ahead?: ContactRows): Promise<{ sealed: string; fields: string[] } | undefined> {
    const { current, key } = await this.read(tx, customerId, ahead);
    if (current.status === 'on-file' && canonicalContact(current.contact) === canonicalContact(next)) return undefined;
    if (current.status !== 'on-file' && fieldsOf(next).length === 0) return undefined;
    // The projection of the command will write the contact (and createKey may write a key): read it anew next time.
    ahead?.delete(customerId);
    const sealWith = key ?? (await this.vault.createKey(tx, customerId));
    return { sealed: this.vault.seal(customerId, sealWith, canonicalContact(next)), fields: fieldsOf(next) };
  }

  /** Free text that may hold personal data (a dispute reason), sealed with the customer's key. */
  async sealText(tx: SqlClient, customerId: string, text: string | undefined, ahead?: ContactRows): Promise<string | undefined> {
    if (text === undefined || text.length === 0) return undefined;
    const { key } = await this.read(tx, customerId, ahead);
    if (key) return this.vault.seal(customerId, key, text);
    ahead?.delete(customerId);
    return this.vault.seal(customerId, await this.vault.createKey(tx, customerId), text);
  }

  /**
   * The key and contact rows of several customers in one statement, for a batch that would read
   * them one by one. Valid only in the transaction that read them, and only for a customer whose
   * account, loaded later in that transaction, is not erased: an erasure that commits in between
   * destroys the key but has appended to the account (which then shows erased, or fails the append
   * as a concurrent write), except a repeated erasure, which finds the account erased already.
   */
  async readAhead(tx: SqlClient, customerIds: readonly string[]): Promise<ContactRows> {
    const unique = [...new Set(customerIds)];
    const ahead: ContactRows = new Map(unique.map((id) => [id, null]));
    if (unique.length === 0) return ahead;
    const { rows } = await tx.query<ContactRow & { customer_id: string }>(`${this.selectRows} WHERE k.customer_id = ANY($1::text[])`, [unique]);
    for (const row of rows) ahead.set(row.customer_id, row);
    return ahead;
  }

  /**
   * Creates, in one statement, the keys that sealing will create for these customers (those
   * `ahead` shows without a live key), and puts them in `ahead`. A customer another transaction
   * gave a key meanwhile leaves `ahead`: their row is read when needed.
   */
  async createKeysAhead(tx: SqlClient, ahead: ContactRows, customerIds: readonly string[]): Promise<void> {
    const keyless = [...new Set(customerIds)].filter((id) => {
      const row = ahead.get(id);
      return row === null || (row !== undefined && row.key_material === null);
    });
    const created = await this.vault.createKeys(tx, keyless);
    for (const customerId of keyless) {
      const key = created.get(customerId);
      if (key) ahead.set(customerId, { ...key, destroyed_at: null, sealed_contact: ahead.get(customerId)?.sealed_contact ?? null });
      else ahead.delete(customerId);
    }
  }

  /** The contact on file and the live key that opens it, in one statement (both are needed to compare and to seal). */
  private async read(tx: SqlClient, customerId: string, ahead?: ContactRows): Promise<{ current: CurrentContact; key: CustomerKey | undefined }> {
    let row = ahead?.get(customerId);
    if (row === undefined) {
      const { rows } = await tx.query<ContactRow>(`${this.selectRows} WHERE k.customer_id = $1`, [customerId]);
      row = rows[0] ?? null;
    }
    if (row === null) return { current: { status: 'none' }, key: undefined };
    if (row.destroyed_at !== null) return { current: { status: 'erased' }, key: undefined };
    const key = this.vault.liveKeyOf(customerId, row);
    if (row.sealed_contact === null) return { current: { status: 'none' }, key };
    const opened = this.vault.open(customerId, key, row.sealed_contact);
    return { current: opened === undefined ? { status: 'erased' } : { status: 'on-file', contact: JSON.parse(opened) as Contact }, key };
  }

  /** Opens a sealed value of the customer; undefined once their key is destroyed. */
  async open(tx: SqlClient, customerId: string, sealed: string): Promise<string | undefined> {
    return this.vault.open(customerId, await this.vault.currentKey(tx, customerId), sealed);
  }
}
