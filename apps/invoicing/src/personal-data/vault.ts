import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import type { SqlClient } from '@dunning/event-store';

/**
 * Crypto-shredding: every piece of a customer's personal data that invoicing stores (the contact in
 * the event log and in `customer_contacts`, free-text reasons in events) is sealed with an
 * AES-256-GCM key of that customer alone. Erasure destroys the key: the sealed values, wherever
 * they were copied (event log, backups of it, replays), can no longer be opened, while the
 * amounts and history around them stay intact.
 *
 * Sealed text: `pd1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url), the customer id and key id
 * bound as additional data so a value cannot be moved to another customer.
 *
 * With a key-encryption key (INVOICING_PERSONAL_DATA_KEK) the customer keys are stored wrapped
 * by it, so a copy of the database alone opens nothing.
 */
const SEALED_PREFIX = 'pd1';

export interface CustomerKey {
  readonly keyId: string;
  readonly key: Buffer;
}

/** The columns of a `customer_keys` row that hold the key. */
export interface CustomerKeyRow {
  readonly key_id: string;
  readonly key_material: Buffer | null;
  readonly wrapped_with: string;
}

export class PersonalDataErasedError extends Error {
  constructor(readonly customerId: string) {
    super(`the personal data of customer ${customerId} was erased`);
    this.name = 'PersonalDataErasedError';
  }
}

const b64 = (bytes: Buffer): string => bytes.toString('base64url');

function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: string): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

function gcmDecrypt(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(`${SEALED_PREFIX}.`);

export function keyIdOfSealed(sealed: string): string | undefined {
  const parts = sealed.split('.');
  return parts.length === 5 && parts[0] === SEALED_PREFIX ? parts[1] : undefined;
}

export class PersonalDataVault {
  private readonly table: string;

  constructor(
    schema: string,
    private readonly kek: Buffer | undefined,
    private readonly clock: () => Date,
  ) {
    this.table = `"${schema}".customer_keys`;
  }

  private wrap(customerId: string, keyId: string, key: Buffer): Buffer {
    if (!this.kek) return key;
    const { iv, ciphertext, tag } = gcmEncrypt(this.kek, key, `${customerId}/${keyId}`);
    return Buffer.concat([iv, tag, ciphertext]);
  }

  private unwrap(customerId: string, keyId: string, material: Buffer, wrappedWith: string): Buffer {
    if (wrappedWith === 'none') return material;
    if (!this.kek) throw new Error(`customer keys are wrapped (${wrappedWith}) but INVOICING_PERSONAL_DATA_KEK is not set`);
    return gcmDecrypt(this.kek, material.subarray(0, 12), material.subarray(28), material.subarray(12, 28), `${customerId}/${keyId}`);
  }

  /** The customer's live key, or undefined if there is none (never created, or destroyed). */
  async currentKey(tx: SqlClient, customerId: string): Promise<CustomerKey | undefined> {
    const { rows } = await tx.query<CustomerKeyRow>(`SELECT key_id, key_material, wrapped_with FROM ${this.table} WHERE customer_id = $1`, [customerId]);
    return this.liveKeyOf(customerId, rows[0]);
  }

  /** The live key in a `customer_keys` row a caller read itself (joined with what it needs), or undefined. */
  liveKeyOf(customerId: string, row: CustomerKeyRow | undefined): CustomerKey | undefined {
    if (!row || row.key_material === null) return undefined;
    return { keyId: row.key_id, key: this.unwrap(customerId, row.key_id, row.key_material, row.wrapped_with) };
  }

  /**
   * A new key for a customer the caller found without a live one: on first use, and again after an
   * erasure (a new key; the old values stay unreadable). Should another transaction have created
   * one since, that one is returned instead (it may already seal values).
   */
  async createKey(tx: SqlClient, customerId: string): Promise<CustomerKey> {
    const keyId = randomUUID();
    const key = randomBytes(32);
    const { rows } = await tx.query<{ key_id: string }>(
      `INSERT INTO ${this.table} (customer_id, key_id, key_material, wrapped_with, created_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (customer_id) DO UPDATE
         SET key_id = EXCLUDED.key_id, key_material = EXCLUDED.key_material, wrapped_with = EXCLUDED.wrapped_with,
             created_at = EXCLUDED.created_at, destroyed_at = NULL
         WHERE ${this.table}.key_material IS NULL
       RETURNING key_id`,
      [customerId, keyId, this.wrap(customerId, keyId, key), this.kek ? 'kek-aes-256-gcm' : 'none', this.clock()],
    );
    if (rows.length === 0) {
      // Another transaction created it first; use theirs.
      const theirs = await this.currentKey(tx, customerId);
      if (!theirs) throw new Error(`no key for customer ${customerId} after a concurrent creation`);
      return theirs;
    }
    return { keyId, key };
  }

  /**
   * {@link createKey} for several customers in one statement. Returns the rows it wrote; a
   * customer missing from them got a key from another transaction meanwhile (read it).
   */
  async createKeys(tx: SqlClient, customerIds: readonly string[]): Promise<Map<string, CustomerKeyRow>> {
    const created = new Map<string, CustomerKeyRow>();
    const unique = [...new Set(customerIds)];
    if (unique.length === 0) return created;
    const rows = unique.map((customerId) => {
      const keyId = randomUUID();
      return { customerId, keyId, material: this.wrap(customerId, keyId, randomBytes(32)) };
    });
    const wrappedWith = this.kek ? 'kek-aes-256-gcm' : 'none';
    const { rows: written } = await tx.query<{ customer_id: string }>(
      `INSERT INTO ${this.table} (customer_id, key_id, key_material, wrapped_with, created_at)
       SELECT r.customer_id, r.key_id, r.key_material, $4, $5 FROM unnest($1::text[], $2::uuid[], $3::bytea[]) AS r(customer_id, key_id, key_material)
       ON CONFLICT (customer_id) DO UPDATE
         SET key_id = EXCLUDED.key_id, key_material = EXCLUDED.key_material, wrapped_with = EXCLUDED.wrapped_with,
             created_at = EXCLUDED.created_at, destroyed_at = NULL
         WHERE ${this.table}.key_material IS NULL
       RETURNING customer_id`,
      [rows.map((r) => r.customerId), rows.map((r) => r.keyId), rows.map((r) => r.material), wrappedWith, this.clock()],
    );
    const byCustomer = new Map(rows.map((r) => [r.customerId, r]));
    for (const { customer_id: customerId } of written) {
      const row = byCustomer.get(customerId);
      if (row) created.set(customerId, { key_id: row.keyId, key_material: row.material, wrapped_with: wrappedWith });
    }
    return created;
  }

  seal(customerId: string, key: CustomerKey, plaintext: string): string {
    const { iv, ciphertext, tag } = gcmEncrypt(key.key, Buffer.from(plaintext, 'utf8'), `${customerId}/${key.keyId}`);
    return [SEALED_PREFIX, key.keyId, b64(iv), b64(ciphertext), b64(tag)].join('.');
  }

  /** Opens a sealed value with the customer's live key; undefined when that key is gone (erased). */
  open(customerId: string, key: CustomerKey | undefined, sealed: string): string | undefined {
    const [prefix, keyId, iv, ciphertext, tag] = sealed.split('.');
    if (prefix !== SEALED_PREFIX || !keyId || !iv || !ciphertext || !tag) throw new Error('not a sealed value');
    if (!key || key.keyId !== keyId) return undefined;
    return gcmDecrypt(key.key, Buffer.from(iv, 'base64url'), Buffer.from(ciphertext, 'base64url'), Buffer.from(tag, 'base64url'), `${customerId}/${keyId}`).toString('utf8');
  }

  /** Destroys the customer's key. Returns whether a live key was destroyed. */
  async destroy(tx: SqlClient, customerId: string): Promise<boolean> {
    const { rowCount } = await tx.query(
      `UPDATE ${this.table} SET key_material = NULL, destroyed_at = $2 WHERE customer_id = $1 AND key_material IS NOT NULL`,
      [customerId, this.clock()],
    );
    return (rowCount ?? 0) > 0;
  }
}
