import type { z } from 'zod';

// Why a record was rejected, in words a producer can act on, and never with personal data in them:
// reasons end up in dead-letter headers, logs and span events (DESIGN.md, promise 7).

export const DECODE_ERROR_CODES = [
  /** The value is null or has no bytes (a tombstone, or a producer bug). */
  'empty_value',
  /** The value is not JSON. */
  'invalid_json',
  /** content-type (or datacontenttype / data_base64) is not something this contract speaks. */
  'unsupported_content_type',
  /** A required CloudEvents attribute (header in binary mode, member in structured mode) is absent. */
  'missing_attribute',
  /** A CloudEvents attribute is present but malformed (empty, not a string, repeated, not an instant). */
  'invalid_attribute',
  /** specversion is not 1.0. */
  'unsupported_specversion',
  /** The type is not one this topic carries. */
  'unknown_type',
  /** A structured-mode value that is not a JSON object. */
  'invalid_envelope',
  /** The data does not satisfy the schema of its type. */
  'invalid_data',
  /** The record has no key; the key must be data.customerId. */
  'missing_key',
  /** The record key is not data.customerId. */
  'key_mismatch',
] as const;
export type DecodeErrorCode = (typeof DECODE_ERROR_CODES)[number];

export interface DecodeError {
  readonly code: DecodeErrorCode;
  /** One line, human-readable, free of personal data. */
  readonly reason: string;
  /** The attribute or data path that failed, e.g. `ce_id` or `data.amount.minor`. */
  readonly field?: string;
  /** What is known about the event so far (never personal data), for dead-letter headers and tracing. */
  readonly event?: { readonly id?: string; readonly source?: string; readonly type?: string };
}

export type DecodeResult<E> = { readonly ok: true; readonly event: E } | { readonly ok: false; readonly error: DecodeError };

/**
 * Fields whose values are personal data (or free text that may hold it). A reason names them and says what was
 * expected, but never shows what was received, at any depth (customer.name, postalAddress.city, …).
 */
export const PERSONAL_DATA_FIELDS: ReadonlySet<string> = new Set(['name', 'email', 'phone', 'postalAddress', 'reason']);

const MAX_ISSUES_IN_REASON = 3;
const MAX_ECHOED_LENGTH = 64;

/** A string that could be a phone number (+46 70-174 06 05, 0046701740605), but not a date. */
function looksLikePhoneNumber(text: string): boolean {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) return false;
  return /^(?:\+|00)?\d{7,15}$/.test(text.replace(/[\s().-]/g, ''));
}

/**
 * Whether a received string may be quoted in a reason. Codes, dates, ids and currency codes pass; anything with
 * spaces, an @, control characters, what looks like a phone number, or of some length does not, so a name, an
 * e-mail or a phone number sent in the wrong field is not echoed either.
 */
export function isSafeToEcho(text: string): boolean {
  return text.length > 0 && text.length <= MAX_ECHOED_LENGTH && /^[\x21-\x7E]+$/.test(text) && !text.includes('@') && !looksLikePhoneNumber(text);
}

/** Quote a value for a reason if it is safe to, else describe it. */
export function quoteIfSafe(text: string): string {
  return isSafeToEcho(text) ? `'${text}'` : `a string of ${text.length} characters (not shown)`;
}

export function renderPath(path: readonly PropertyKey[]): string {
  let rendered = '';
  for (const segment of path) {
    if (typeof segment === 'number') rendered += `[${segment}]`;
    else rendered += rendered === '' ? String(segment) : `.${String(segment)}`;
  }
  return rendered;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

export function describeReceived(value: unknown, personal: boolean): string {
  if (personal) return `got ${kindOf(value)} (value not shown: personal data)`;
  if (typeof value === 'number' || typeof value === 'boolean') return `got ${String(value)}`;
  if (typeof value === 'string') return value === '' ? 'got an empty string' : `got ${quoteIfSafe(value)}`;
  return `got ${kindOf(value)}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

const isPersonalPath = (path: readonly PropertyKey[]): boolean =>
  path.some((segment) => typeof segment === 'string' && PERSONAL_DATA_FIELDS.has(segment));

const withArticle = (noun: string): string => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);

const expectedNames: Record<string, string> = { int: 'integer', nonoptional: 'value' };

/**
 * Default wording for issues whose schema brought no message of its own. Passed per parse (never set globally
 * with z.config, which would change every other zod user in the process).
 */
export const expectationWording: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${withArticle(expectedNames[issue.expected] ?? issue.expected)}`;
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'expected a non-empty string' : `expected at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return issue.minimum === 1 ? 'expected a non-empty array' : `expected at least ${issue.minimum} items`;
      return `expected a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `expected at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `expected at most ${issue.maximum} items`;
      return `expected a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => `'${String(v)}'`).join(' or ')}`;
    case 'invalid_format':
      return `expected a string in ${issue.format} format`;
    default:
      return undefined;
  }
};

export interface FormattedIssues {
  readonly reason: string;
  readonly field: string;
}

/**
 * Turn zod issues into one reason: `data.amount.minor: expected a positive integer …, got -5`.
 * `input` is what was parsed, so the received value can be shown when it is safe.
 * `renderField` maps a path to the producer's name for it (e.g. `subject` → `ce_subject` in binary mode).
 */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  renderField: (path: readonly PropertyKey[]) => string = renderPath,
): FormattedIssues {
  const sentences = issues.slice(0, MAX_ISSUES_IN_REASON).map((issue) => {
    const field = renderField(issue.path) || 'value';
    const received = valueAt(input, issue.path);
    if (issue.code === 'invalid_type' && received === undefined) return `${field}: required field is missing (${issue.message})`;
    return `${field}: ${issue.message}, ${describeReceived(received, isPersonalPath(issue.path))}`;
  });
  const more = issues.length - MAX_ISSUES_IN_REASON;
  if (more > 0) sentences.push(`and ${more} more problem${more === 1 ? '' : 's'}`);
  const first = issues[0];
  return { reason: sentences.join('; '), field: first ? renderField(first.path) : '' };
}
