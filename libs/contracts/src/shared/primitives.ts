import { z } from 'zod';

// The building blocks every event contract uses. Each schema carries its own error message in the
// words a producer needs ("expected …"); the codec appends what it received, unless the field holds
// personal data (see ./issue-formatting.ts).

/** "the invoice id" → "The invoice id." */
const sentence = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}${text.endsWith('.') ? '' : '.'}`;

const knownCurrencies: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** True for an ISO 4217 code the runtime's ICU data knows (e.g. SEK, EUR); funds codes like XXX are not. */
export function isKnownCurrency(code: string): boolean {
  return knownCurrencies.has(code);
}

// Constructing an Intl.DateTimeFormat costs tens of microseconds, and every invoice event carries a
// zone: remember the answers (a few hundred real zones; bounded so junk input cannot grow it forever).
const timeZoneVerdicts = new Map<string, boolean>();

/** True for an IANA time zone name (e.g. Europe/Stockholm, UTC); numeric offsets like +01:00 are not zones. */
export function isIanaTimeZone(name: string): boolean {
  const known = timeZoneVerdicts.get(name);
  if (known !== undefined) return known;
  let verdict = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(name);
  if (verdict) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: name });
    } catch {
      verdict = false;
    }
  }
  if (timeZoneVerdicts.size < 2_000) timeZoneVerdicts.set(name, verdict);
  return verdict;
}

/** True for a well-formed BCP 47 language tag (e.g. sv-SE, en, de-DE); `sv_SE` is not one. */
export function isBcp47Locale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** True for an ISO 3166-1 alpha-2 country code the runtime knows (e.g. SE, DE). */
export function isKnownCountry(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && code !== 'ZZ' && regionNames.of(code) !== undefined;
}

export const entityId = (what: string) =>
  z
    .string({ error: `expected ${what} as a non-empty string` })
    .min(1, { error: `expected ${what} as a non-empty string` })
    .max(200, { error: `expected ${what} of at most 200 characters` })
    .meta({ description: sentence(what) });

/** The customer's id in the billing system. Also the Kafka record key of every event, so a customer's events stay ordered. */
export const customerId = entityId('the customer id').meta({
  description: "The customer's id in the billing system. Also the Kafka record key, so a customer's events stay in order.",
});

const minorUnitsMessage = 'expected a non-negative integer number of minor units (a safe integer)';
const positiveMinorUnitsMessage = 'expected a positive integer number of minor units (at least 1, a safe integer)';

export const currencyCode = z
  .string({ error: 'expected an ISO 4217 currency code as a string' })
  .regex(/^[A-Z]{3}$/, { error: 'expected an ISO 4217 currency code of three uppercase letters (e.g. SEK)', abort: true })
  .refine(isKnownCurrency, { error: 'expected a known ISO 4217 currency code (e.g. SEK, EUR)' })
  .meta({ description: 'ISO 4217 currency code, three uppercase letters, e.g. SEK, EUR.', examples: ['SEK'] });

/** Money as integer minor units (öre, cents) and a currency; never a floating-point amount. Zero allowed (a balance, a fee that may be 0). */
export const money = z
  .object({
    minor: z
      .int({ error: minorUnitsMessage })
      .min(0, { error: minorUnitsMessage })
      .meta({ description: 'Amount in minor units of the currency (1 SEK = 100 öre). Integer, never a float.' }),
    currency: currencyCode,
  })
  .meta({ description: 'Money: integer minor units and an ISO 4217 currency.' });

/** Money that must be at least one minor unit: an invoice, a payment, a credit, an instalment of zero makes no sense. */
export const positiveMoney = z
  .object({
    minor: z
      .int({ error: positiveMinorUnitsMessage })
      .min(1, { error: positiveMinorUnitsMessage })
      .meta({ description: 'Amount in minor units of the currency (1 SEK = 100 öre). Integer >= 1, never a float.' }),
    currency: currencyCode,
  })
  .meta({ description: 'A positive amount of money: integer minor units (>= 1) and an ISO 4217 currency.' });

/** A calendar date without time (YYYY-MM-DD) that exists; read in the customer's time zone. */
export const calendarDate = z.iso
  .date({ error: 'expected a real calendar date as YYYY-MM-DD' })
  .meta({ description: "A calendar date (YYYY-MM-DD) in the customer's time zone.", examples: ['2026-03-31'] });

/** An instant: ISO 8601 date-time with seconds and an explicit offset or Z. */
export const instant = z.iso
  .datetime({ offset: true, error: 'expected an ISO 8601 instant with seconds and an offset or Z (e.g. 2026-03-01T09:30:00Z)' })
  .meta({ description: 'An instant: ISO 8601 date-time with an offset or Z.', examples: ['2026-03-01T09:30:00Z'] });

export const phoneE164 = z
  .e164({ error: 'expected a phone number in E.164 form (+ then 7 to 15 digits, e.g. +46701234567)' })
  .meta({ description: 'Phone number in E.164 form, e.g. +46701234567. Personal data.' });

export const emailAddress = z
  .email({ error: 'expected an e-mail address' })
  .max(320, { error: 'expected an e-mail address of at most 320 characters' })
  .meta({ description: 'E-mail address. Personal data.' });

export const bcp47Locale = z
  .string({ error: 'expected a BCP 47 language tag as a string' })
  .min(2, { error: 'expected a BCP 47 language tag (e.g. sv-SE)', abort: true })
  .max(35, { error: 'expected a BCP 47 language tag (e.g. sv-SE)', abort: true })
  .refine(isBcp47Locale, { error: 'expected a BCP 47 language tag (e.g. sv-SE, not sv_SE)' })
  .meta({ description: 'BCP 47 language tag, e.g. sv-SE.', examples: ['sv-SE'] });

export const ianaTimeZone = z
  .string({ error: 'expected an IANA time zone name as a string' })
  .refine(isIanaTimeZone, { error: 'expected an IANA time zone name (e.g. Europe/Stockholm), not an offset' })
  .meta({ description: 'IANA time zone name, e.g. Europe/Stockholm.', examples: ['Europe/Stockholm'] });

export const countryCode = z
  .string({ error: 'expected an ISO 3166-1 alpha-2 country code as a string' })
  .regex(/^[A-Z]{2}$/, { error: 'expected an ISO 3166-1 alpha-2 country code of two uppercase letters (e.g. SE)', abort: true })
  .refine(isKnownCountry, { error: 'expected a known ISO 3166-1 alpha-2 country code (e.g. SE, DE)' })
  .meta({ description: 'ISO 3166-1 alpha-2 country code, e.g. SE.', examples: ['SE'] });

export const customerType = z
  .enum(['consumer', 'business'], { error: "expected 'consumer' or 'business'" })
  .meta({ description: 'Consumer or business customer; the law treats them differently (fees, interest).' });

/** A short label or reference (brand, payment reference, method): no personal data expected. */
export const shortText = (what: string) =>
  z
    .string({ error: `expected ${what} as a string` })
    .min(1, { error: `expected ${what} as a non-empty string` })
    .max(200, { error: `expected ${what} of at most 200 characters` })
    .meta({ description: sentence(what) });

/** Free text written by people (a dispute reason): may contain personal data, never echoed in errors. */
export const freeText = (what: string) =>
  z
    .string({ error: `expected ${what} as a string` })
    .max(2000, { error: `expected ${what} of at most 2000 characters` })
    .meta({ description: `${sentence(what)} Free text; may contain personal data.` });

/** A machine-readable reason or outcome code in kebab-case, e.g. `invoice-settled`. New codes may appear within v1. */
export const reasonCode = (what: string, known: readonly string[]) =>
  z
    .string({ error: `expected ${what} as a kebab-case code` })
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: `expected ${what} as a kebab-case code (e.g. ${known[0] ?? 'some-code'})` })
    .max(100, { error: `expected ${what} of at most 100 characters` })
    .meta({
      description: `${sentence(what).slice(0, -1)}: a kebab-case code. Known values: ${known.join(', ')}. New codes may be added within this version; treat unknown ones as "other".`,
      examples: known.slice(0, 1),
    });

export const probability = z
  .number({ error: 'expected a probability as a number between 0 and 1' })
  .min(0, { error: 'expected a probability between 0 and 1' })
  .max(1, { error: 'expected a probability between 0 and 1' });

export const versionLabel = (what: string) =>
  z
    .string({ error: `expected ${what} as a string` })
    .min(1, { error: `expected ${what} as a non-empty string` })
    .max(100, { error: `expected ${what} of at most 100 characters` })
    .meta({ description: sentence(what) });

export type Money = z.infer<typeof money>;
export type PositiveMoney = z.infer<typeof positiveMoney>;
export type CurrencyCode = z.infer<typeof currencyCode>;
export type CalendarDate = z.infer<typeof calendarDate>;
export type Instant = z.infer<typeof instant>;
export type CustomerType = z.infer<typeof customerType>;
