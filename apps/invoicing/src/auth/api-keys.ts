import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * API keys with scopes. Keys come from configuration (INVOICING_API_KEYS), never from code;
 * only their SHA-256 is kept in memory, and a presented key is compared against every
 * configured hash in constant time.
 *
 * Accepted forms:
 * - compact: `key:scope+scope,key2:scope` — optionally `name=key:scope+scope` to name a client
 *   (the name, never the key, appears in logs and as the HTTP event source);
 *   `name=sha256/<64 hex>:scope` configures a key by its hash only;
 * - JSON: `[{"name":"billing-a","key":"…","scopes":["write"]}, {"name":"ops","sha256":"…","scopes":["read","admin"]}]`.
 */
export const SCOPES = ['read', 'write', 'admin', 'contacts'] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  read: 'read invoices, their history, customers’ invoices and dead letters',
  write: 'submit billing events over HTTP',
  admin: 'erase a customer’s personal data',
  contacts: 'read a customer’s contact details (the notifier, at send time)',
};

export interface ApiKey {
  readonly name: string;
  readonly sha256: Buffer;
  readonly scopes: ReadonlySet<Scope>;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

function scopesFrom(raw: readonly string[], where: string): Set<Scope> {
  const scopes = new Set<Scope>();
  for (const scope of raw) {
    if (!(SCOPES as readonly string[]).includes(scope)) throw new Error(`INVOICING_API_KEYS: unknown scope '${scope}' in ${where}; known: ${SCOPES.join(', ')}`);
    scopes.add(scope as Scope);
  }
  if (scopes.size === 0) throw new Error(`INVOICING_API_KEYS: ${where} has no scope`);
  return scopes;
}

function hashOf(secret: { key?: string; sha256?: string }, where: string): Buffer {
  if (secret.sha256 !== undefined) {
    if (!/^[0-9a-f]{64}$/i.test(secret.sha256)) throw new Error(`INVOICING_API_KEYS: ${where} sha256 must be 64 hex digits`);
    return Buffer.from(secret.sha256, 'hex');
  }
  if (secret.key === undefined || secret.key.length < 16) throw new Error(`INVOICING_API_KEYS: ${where} needs a key of at least 16 characters`);
  return sha256(secret.key);
}

export function parseApiKeys(raw: string | undefined): ApiKey[] {
  if (raw === undefined || raw.trim() === '') return [];
  const text = raw.trim();
  const keys: ApiKey[] = [];
  if (text.startsWith('[')) {
    const entries = JSON.parse(text) as { name?: string; key?: string; sha256?: string; scopes?: string[] }[];
    entries.forEach((entry, index) => {
      const name = entry.name ?? `key-${index + 1}`;
      keys.push({ name, sha256: hashOf(entry, `entry ${name}`), scopes: scopesFrom(entry.scopes ?? [], `entry ${name}`) });
    });
  } else {
    text.split(',').forEach((part, index) => {
      const entry = part.trim();
      const colon = entry.lastIndexOf(':');
      if (colon <= 0) throw new Error(`INVOICING_API_KEYS: entry ${index + 1} must look like key:scope+scope`);
      const secretPart = entry.slice(0, colon);
      const equals = secretPart.indexOf('=');
      const name = equals > 0 ? secretPart.slice(0, equals) : `key-${index + 1}`;
      const secret = equals > 0 ? secretPart.slice(equals + 1) : secretPart;
      const hash = secret.startsWith('sha256/') ? hashOf({ sha256: secret.slice(7) }, `entry ${name}`) : hashOf({ key: secret }, `entry ${name}`);
      keys.push({ name, sha256: hash, scopes: scopesFrom(entry.slice(colon + 1).split('+').map((s) => s.trim()), `entry ${name}`) });
    });
  }
  const names = new Set(keys.map((key) => key.name));
  if (names.size !== keys.length) throw new Error('INVOICING_API_KEYS: key names must be unique');
  return keys;
}

/** The configured key matching `presented`, comparing against every key so timing reveals nothing. */
export function verifyApiKey(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  const hash = sha256(presented);
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.sha256, hash) && found === undefined) found = key;
  }
  return found;
}
