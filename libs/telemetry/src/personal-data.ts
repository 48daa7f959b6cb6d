/**
 * Personal-data redaction shared by the logger and the span/metric attribute guards.
 *
 * Two rules: a value under a personal-data key (name, e-mail, phone, address, …) is replaced
 * whole, wherever it sits in an object; and any string is scrubbed of e-mail addresses and
 * international (E.164-like) phone numbers, because free text such as an error message can quote
 * what a customer sent. Names inside free text cannot be recognised by pattern, which is why code
 * logs structured fields and never interpolates customer data into messages.
 */

export const REDACTED = '[redacted]';
export const EMAIL_PLACEHOLDER = '[email]';
export const PHONE_PLACEHOLDER = '[phone]';

/** Compared after lower-casing and removing `_`, `-` and `.`, so `postal_address` = `postalAddress`. */
const PERSONAL_DATA_KEYS: ReadonlySet<string> = new Set([
  'name',
  'firstname',
  'lastname',
  'middlename',
  'fullname',
  'givenname',
  'familyname',
  'displayname',
  'customername',
  'email',
  'emailaddress',
  'phone',
  'phonenumber',
  'mobile',
  'mobilenumber',
  'msisdn',
  'telephone',
  'address',
  'postaladdress',
  'streetaddress',
  'billingaddress',
  'street',
  'addressline',
  'addressline1',
  'addressline2',
  'postalcode',
  'postcode',
  'zipcode',
  'city',
]);

// Bounded quantifiers and a domain label class without dots keep these linear on long input.
const EMAIL_PATTERN = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+/g;
// E.164: '+', a non-zero country digit, 6–14 more digits; single spaces, dots or dashes between
// digits are tolerated because people write +46 70-123 45 67.
const PHONE_PATTERN = /\+[1-9](?:[ .-]?\d){6,14}(?!\d)/g;

const MAX_DEPTH = 12;

export function isPersonalDataKey(key: string): boolean {
  return PERSONAL_DATA_KEYS.has(key.toLowerCase().replace(/[_\-.]/g, ''));
}

export function containsContactData(text: string): boolean {
  EMAIL_PATTERN.lastIndex = 0;
  PHONE_PATTERN.lastIndex = 0;
  return EMAIL_PATTERN.test(text) || PHONE_PATTERN.test(text);
}

/**
 * Replaces e-mail addresses and phone numbers in free text. A string holding a JSON object or
 * array (a raw Kafka payload, say) is parsed and redacted field by field instead, so that the
 * names in it go too.
 */
export function scrubText(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const parsed = tryParseJson(text);
    if (parsed !== undefined) return JSON.stringify(redactPersonalData(parsed));
  }
  return text.replace(EMAIL_PATTERN, EMAIL_PLACEHOLDER).replace(PHONE_PATTERN, PHONE_PLACEHOLDER);
}

/**
 * Returns a redacted deep copy of `value`: personal-data keys replaced by {@link REDACTED},
 * strings scrubbed, errors reduced to their scrubbed type, message and stack, binary payloads
 * reduced to their size. The input is never modified.
 */
export function redactPersonalData(value: unknown): unknown {
  return redact(value, 0, new WeakSet<object>());
}

function redact(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (value instanceof Date) return value;
    if (value instanceof Uint8Array) return `[binary ${value.byteLength} bytes]`;
    if (value instanceof Error) return redactError(value, depth, seen);
    if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
    if (value instanceof Map) return redactEntries([...value.entries()].map(([k, v]) => [String(k), v]), depth, seen);
    if (value instanceof Set) return [...value].map((item) => redact(item, depth + 1, seen));
    return redactEntries(Object.entries(value), depth, seen);
  } finally {
    seen.delete(value);
  }
}

function redactEntries(entries: Array<[string, unknown]>, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, entryValue] of entries) {
    result[key] = isPersonalDataKey(key) && entryValue !== undefined && entryValue !== null ? REDACTED : redact(entryValue, depth + 1, seen);
  }
  return result;
}

function redactError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const ownFields = redactEntries(Object.entries(error), depth, seen);
  const cause = (error as { cause?: unknown }).cause;
  return {
    ...ownFields,
    type: error.name,
    message: scrubText(error.message),
    ...(error.stack === undefined ? {} : { stack: scrubText(error.stack) }),
    ...(cause === undefined ? {} : { cause: redact(cause, depth + 1, seen) }),
  };
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
