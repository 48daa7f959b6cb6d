import type { PaydayRule } from './calendar';
import type { Weighted } from './random';

// Every parameter of the simulated customer base, in one typed object. `DEFAULT_CONFIG` holds the
// defaults (documented, with the reasoning, in docs/simulator.md); a JSON file or CLI flags override
// any part of it (`mergeConfig`), and `validateConfig` lists every problem before a run starts.
// Money is integer minor units (öre, cents) everywhere; rates are probabilities in [0, 1].

export type HiddenType = 'reliable' | 'forgetful' | 'short-of-money' | 'unwilling' | 'unable';
export const HIDDEN_TYPES: readonly HiddenType[] = ['reliable', 'forgetful', 'short-of-money', 'unwilling', 'unable'];

export type CustomerType = 'consumer' | 'business';
export type Channel = 'sms' | 'email' | 'letter';

export interface PlanPrice {
  readonly name: string;
  /** The monthly price per subscription, in minor units of the brand's currency. */
  readonly monthlyMinor: number;
}

export interface BrandConfig {
  /** Sent as `brand` on every invoice. */
  readonly id: string;
  readonly name: string;
  /** ISO 3166-1 alpha-2; picks names, addresses, phone numbers and the payday rules. */
  readonly country: string;
  /** ISO 4217; every invoice of the brand is in it. */
  readonly currency: string;
  /** Relative size of the brand's customer base. */
  readonly weight: number;
  /** Share of business customers. */
  readonly businessShare: number;
  readonly locales: readonly Weighted<string>[];
  readonly timeZones: readonly Weighted<string>[];
  /** Days of the month on which invoices are issued; each customer gets one. */
  readonly billingCycleDays: readonly number[];
  /** Days from issue to due date. */
  readonly paymentTermDays: number;
  readonly consumerPlans: readonly Weighted<PlanPrice>[];
  readonly businessPlans: readonly Weighted<PlanPrice>[];
  /** Subscriptions on a business invoice: uniform in [min, max]. */
  readonly businessSubscriptions: { readonly min: number; readonly max: number };
  /** Usage beyond the plan (roaming, extra data) on some invoices. */
  readonly extraUsage: { readonly probability: number; readonly minMinor: number; readonly maxMinor: number };
}

export interface CountryConfig {
  /** When people get their salary; the short-of-money type pays right after it. */
  readonly paydays: readonly Weighted<PaydayRule>[];
  /**
   * Fictional phone numbers: the prefix, then `phoneDigits` digits from the customer number. The
   * default prefixes lie in the ranges regulators reserve for fiction (Sweden's 070-17406xx, PTS;
   * Germany's 030-23125xxx, Bundesnetzagentur) and the result is longer than the national numbering
   * plan allows, so a number can never reach a real handset.
   */
  readonly phonePrefix: string;
  readonly phoneDigits: number;
  readonly firstNames: readonly string[];
  readonly lastNames: readonly string[];
  readonly companySuffix: string;
  readonly streets: readonly string[];
  readonly cities: readonly { readonly city: string; readonly postalCode: string }[];
  /** The second address line, e.g. "lgh {n}" (Swedish apartment numbers); {n} makes it unique. */
  readonly unitLine: string;
  readonly paymentMethods: readonly Weighted<string>[];
}

export interface ReminderResponse {
  /** Chance a customer notices a message on each channel (the rest go unread). */
  readonly noticeProbability: { readonly sms: number; readonly email: number; readonly letter: number };
  /** The daily pay probability added the day after a noticed reminder. */
  readonly peakHazard: number;
  /** The added probability halves every this many days. */
  readonly halfLifeDays: number;
}

export interface DemandResponse {
  /** The daily pay probability added the day after a collection demand (always noticed). */
  readonly peakHazard: number;
  readonly halfLifeDays: number;
}

export interface PaydayBinding {
  /** The customer has money for bills on payday and this many days after it. */
  readonly cashWindowDays: number;
  /** Daily pay probability inside the cash window, when the money suffices that month. */
  readonly cashWindowHazard: number;
  /** Chance, per payday, that the money suffices for the open bills. */
  readonly affordProbability: number;
  /** The same after a collection demand: a demand is paid before other bills. */
  readonly affordProbabilityAfterDemand: number;
  /** Every pay probability outside the cash window (and in a month the money does not suffice) is multiplied by this. */
  readonly outsideWindowFactor: number;
}

export interface TypeBehaviour {
  /** Share of the type among consumers and among businesses. */
  readonly share: { readonly consumer: number; readonly business: number };
  /**
   * Chance that an invoice is not paid as planned before the due date (forgotten, postponed, not
   * intended). The rest are paid on a planned day between issue and due date. Ignored for
   * payday-bound types, whose plan is their next cash window.
   */
  readonly offPlanProbability: number;
  /**
   * Chance that a planned payment does not happen on its day after all (away, busy, forgot): the
   * invoice goes off plan then, typically close to the due date and after the reminders before it.
   */
  readonly slipProbability: number;
  /** Daily pay probability of an off-plan invoice without any message (remembering on one's own). */
  readonly spontaneousHazard: number;
  readonly reminder: ReminderResponse;
  readonly collectionDemand: DemandResponse;
  /** Multiplies the pay probability while a reminder fee is on the invoice: < 1 when it makes paying harder, > 1 when it deters. */
  readonly feeHazardMultiplier: number;
  /** Money only around payday; null for types whose paying does not depend on it. */
  readonly payday: PaydayBinding | null;
  /** Chance that a payment covers only part of the balance (30–70 %, whole currency units). */
  readonly partialPaymentProbability: number;
  /** Chance per invoice of a dispute. */
  readonly disputeProbability: number;
  /** Chance, per noticed reminder after the due date or collection demand, to ask for a payment plan. */
  readonly paymentPlanProbability: number;
  /** Chance to pay each installment of an agreed plan (a missed one breaks the plan). */
  readonly installmentKeepProbability: number;
  /** Multiplies the baseline churn hazard. */
  readonly churnMultiplier: number;
}

export interface ChurnConfig {
  /** Baseline chance per month that a customer leaves. */
  readonly baseMonthlyHazard: { readonly consumer: number; readonly business: number };
  /** Billogram: the risk of leaving about doubles after a reminder past the due date … */
  readonly afterPastDueReminder: { readonly multiplier: number; readonly days: number };
  /** … and is about five times as high after a collection demand. */
  readonly afterCollectionDemand: { readonly multiplier: number; readonly days: number };
  /** A customer who left pays what is still open at this fraction of their usual pay probability. */
  readonly payFactorAfterLeaving: number;
}

export interface EventRates {
  /** Chance per invoice of a goodwill credit (10–100 % of the amount) in the first days after issue. */
  readonly goodwillCreditProbability: number;
  /** Chance that a dispute is upheld (the invoice is then credited in full). */
  readonly disputeUpheldProbability: number;
  /** Days from dispute to resolution: uniform in [min, max]. */
  readonly disputeResolutionDays: { readonly min: number; readonly max: number };
  /** Chance per customer and month of a change of details (consent, address, language). */
  readonly customerUpdateMonthlyProbability: number;
  /** Chance that a payment names only the payment reference, not the invoice id (a bank transfer with OCR). */
  readonly referenceOnlyPaymentProbability: number;
  readonly paymentPlanInstallments: number;
  /** Share of consumers without an e-mail address / phone number on file. */
  readonly missingEmailShare: number;
  readonly missingPhoneShare: number;
}

export interface ReferenceArm {
  /** As in the orchestrator's policy (seeds-experiment.yaml); also the flow the arm follows. */
  readonly id: string;
  readonly weight: number;
  readonly label: string;
  /** `collection` (the control, as before), `treatment`, or `no-action` (the holdout). */
  readonly role: 'collection' | 'treatment' | 'no-action';
}

/** The built-in dunning of the standalone mode: the seeds' three arms, in memory. */
export interface ReferenceDunningConfig {
  readonly experimentId: string;
  readonly arms: readonly ReferenceArm[];
  /** The reminder fee the letter carries, per currency, after the country's rules (SE: none unless agreed; DE: actual costs). */
  readonly letterFeeMinor: Readonly<Record<string, number>>;
  /** Days between the hand-off and the agency's demand reaching the customer. */
  readonly demandDelayDays: number;
  readonly contactCap: { readonly maxContacts: number; readonly perDays: number };
  readonly minDaysBetweenContacts: number;
}

export interface SimulatorConfig {
  readonly seed: number;
  readonly customers: number;
  /** Months in which invoices are issued (the cases of the report). */
  readonly months: number;
  /** Days simulated after the last month, so the last cases' outcomes are seen (payments, churn). */
  readonly followUpDays: number;
  /** First simulated day (YYYY-MM-DD). */
  readonly startDate: string;
  /** Distinguishes runs against the same platform: a prefix of every id (customers, invoices, events). */
  readonly runTag: string;
  /** CloudEvents `source` of everything the simulator produces. */
  readonly eventSource: string;
  /** Domain of the fictional e-mail addresses: c<customer number>@<domain>. */
  readonly emailDomain: string;
  /** Tenure at the start: uniform in [0, maxTenureMonths] months, skewed towards short tenures. */
  readonly maxTenureMonths: number;
  readonly brands: readonly BrandConfig[];
  readonly countries: Readonly<Record<string, CountryConfig>>;
  readonly types: Readonly<Record<HiddenType, TypeBehaviour>>;
  readonly churn: ChurnConfig;
  readonly rates: EventRates;
  readonly referenceDunning: ReferenceDunningConfig;
}

const w = <T>(value: T, weight: number): Weighted<T> => ({ value, weight });

const reminder = (sms: number, email: number, letter: number, peakHazard: number, halfLifeDays: number): ReminderResponse => ({
  noticeProbability: { sms, email, letter },
  peakHazard,
  halfLifeDays,
});

export const DEFAULT_CONFIG: SimulatorConfig = {
  seed: 1,
  customers: 5_000,
  months: 6,
  followUpDays: 90,
  startDate: '2026-01-01',
  runTag: '',
  eventSource: 'urn:simulator:telecom-billing',
  emailDomain: 'sim.example',
  maxTenureMonths: 120,
  brands: [
    {
      id: 'norrsken-mobil',
      name: 'Norrsken Mobil',
      country: 'SE',
      currency: 'SEK',
      weight: 35,
      businessShare: 0.08,
      locales: [w('sv-SE', 92), w('en-SE', 6), w('fi-SE', 2)],
      timeZones: [w('Europe/Stockholm', 98), w('Europe/Helsinki', 2)],
      billingCycleDays: [1, 15],
      paymentTermDays: 20,
      consumerPlans: [
        w({ name: 'Bas 5 GB', monthlyMinor: 14900 }, 15),
        w({ name: 'Smart 20 GB', monthlyMinor: 24900 }, 30),
        w({ name: 'Plus 50 GB', monthlyMinor: 29900 }, 25),
        w({ name: 'Obegränsad', monthlyMinor: 39900 }, 20),
        w({ name: 'Familj', monthlyMinor: 59900 }, 10),
      ],
      businessPlans: [w({ name: 'Företag 30 GB', monthlyMinor: 29900 }, 60), w({ name: 'Företag Obegränsad', monthlyMinor: 44900 }, 40)],
      businessSubscriptions: { min: 1, max: 12 },
      extraUsage: { probability: 0.22, minMinor: 1000, maxMinor: 30000 },
    },
    {
      id: 'fjallnet',
      name: 'Fjällnet',
      country: 'SE',
      currency: 'SEK',
      weight: 20,
      businessShare: 0.2,
      locales: [w('sv-SE', 95), w('en-SE', 5)],
      timeZones: [w('Europe/Stockholm', 100)],
      billingCycleDays: [1],
      paymentTermDays: 30,
      consumerPlans: [
        w({ name: 'Mobil 10 GB', monthlyMinor: 19900 }, 40),
        w({ name: 'Mobil + Bredband', monthlyMinor: 44900 }, 40),
        w({ name: 'Bredband 1000', monthlyMinor: 52900 }, 20),
      ],
      businessPlans: [w({ name: 'Företag Bredband', monthlyMinor: 69900 }, 50), w({ name: 'Företag Mobil', monthlyMinor: 34900 }, 50)],
      businessSubscriptions: { min: 1, max: 20 },
      extraUsage: { probability: 0.15, minMinor: 1000, maxMinor: 20000 },
    },
    {
      id: 'spreewelle',
      name: 'Spreewelle Mobilfunk',
      country: 'DE',
      currency: 'EUR',
      weight: 30,
      businessShare: 0.08,
      locales: [w('de-DE', 90), w('en-DE', 5), w('tr-DE', 5)],
      timeZones: [w('Europe/Berlin', 98), w('Europe/Vienna', 2)],
      billingCycleDays: [1, 8, 15, 22],
      paymentTermDays: 14,
      consumerPlans: [
        w({ name: 'Basic 5 GB', monthlyMinor: 999 }, 20),
        w({ name: 'Smart 15 GB', monthlyMinor: 1499 }, 30),
        w({ name: 'Allnet 30 GB', monthlyMinor: 1999 }, 25),
        w({ name: 'Unlimited', monthlyMinor: 2999 }, 15),
        w({ name: 'Unlimited Max', monthlyMinor: 4999 }, 10),
      ],
      businessPlans: [w({ name: 'Business 20 GB', monthlyMinor: 2499 }, 60), w({ name: 'Business Unlimited', monthlyMinor: 3999 }, 40)],
      businessSubscriptions: { min: 1, max: 12 },
      extraUsage: { probability: 0.2, minMinor: 100, maxMinor: 3000 },
    },
    {
      id: 'alpenfunk',
      name: 'Alpenfunk',
      country: 'DE',
      currency: 'EUR',
      weight: 15,
      businessShare: 0.15,
      locales: [w('de-DE', 97), w('en-DE', 3)],
      timeZones: [w('Europe/Berlin', 100)],
      billingCycleDays: [1, 15],
      paymentTermDays: 14,
      consumerPlans: [
        w({ name: 'DSL 100', monthlyMinor: 3499 }, 40),
        w({ name: 'DSL 250 + Mobil', monthlyMinor: 5499 }, 35),
        w({ name: 'Glasfaser 1000', monthlyMinor: 6999 }, 25),
      ],
      businessPlans: [w({ name: 'Business DSL', monthlyMinor: 4999 }, 60), w({ name: 'Business Glasfaser', monthlyMinor: 8999 }, 40)],
      businessSubscriptions: { min: 1, max: 5 },
      extraUsage: { probability: 0.1, minMinor: 100, maxMinor: 2000 },
    },
  ],
  countries: {
    SE: {
      paydays: [w({ kind: 'day-of-month', day: 25 }, 85), w({ kind: 'last-banking-day' }, 15)],
      phonePrefix: '+467017406',
      phoneDigits: 5,
      firstNames: ['Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Johan', 'Sara', 'Anders', 'Emma', 'Mikael', 'Elin', 'Ali', 'Fatima', 'Oskar', 'Linnea', 'Nils', 'Aino', 'Omar'],
      lastNames: ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Lindqvist', 'Berg', 'Hosseini', 'Virtanen'],
      companySuffix: 'AB',
      streets: ['Storgatan', 'Kungsgatan', 'Drottninggatan', 'Skolgatan', 'Björkvägen', 'Ringvägen', 'Åsgatan', 'Sjövägen'],
      cities: [
        { city: 'Stockholm', postalCode: '116 40' },
        { city: 'Göteborg', postalCode: '413 01' },
        { city: 'Malmö', postalCode: '211 20' },
        { city: 'Uppsala', postalCode: '753 10' },
        { city: 'Umeå', postalCode: '903 26' },
        { city: 'Örebro', postalCode: '702 10' },
      ],
      unitLine: 'lgh {n}',
      paymentMethods: [w('bank-transfer', 55), w('autogiro', 25), w('card', 12), w('swish', 8)],
    },
    DE: {
      paydays: [w({ kind: 'last-banking-day' }, 85), w({ kind: 'day-of-month', day: 15 }, 15)],
      phonePrefix: '+493023125',
      phoneDigits: 5,
      firstNames: ['Anna', 'Lukas', 'Mia', 'Jonas', 'Lea', 'Felix', 'Sophie', 'Paul', 'Emine', 'Mehmet', 'Hannah', 'Max', 'Katarzyna', 'Leon'],
      lastNames: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Hoffmann', 'Yılmaz', 'Kowalski', 'Schäfer'],
      companySuffix: 'GmbH',
      streets: ['Hauptstraße', 'Schulstraße', 'Gartenstraße', 'Bahnhofstraße', 'Lindenweg', 'Bergstraße', 'Am Markt', 'Ringstraße'],
      cities: [
        { city: 'Berlin', postalCode: '10115' },
        { city: 'Hamburg', postalCode: '20095' },
        { city: 'München', postalCode: '80331' },
        { city: 'Köln', postalCode: '50667' },
        { city: 'Leipzig', postalCode: '04109' },
        { city: 'Stuttgart', postalCode: '70173' },
      ],
      unitLine: 'Whg. {n}',
      paymentMethods: [w('bank-transfer', 45), w('direct-debit', 40), w('card', 10), w('paypal', 5)],
    },
  },
  types: {
    reliable: {
      share: { consumer: 0.767, business: 0.835 },
      offPlanProbability: 0.02,
      slipProbability: 0.08,
      spontaneousHazard: 0.08,
      reminder: reminder(0.9, 0.7, 0.95, 0.7, 2),
      collectionDemand: { peakHazard: 0.9, halfLifeDays: 2 },
      feeHazardMultiplier: 1,
      payday: null,
      partialPaymentProbability: 0,
      disputeProbability: 0.002,
      paymentPlanProbability: 0,
      installmentKeepProbability: 0.98,
      churnMultiplier: 0.8,
    },
    forgetful: {
      share: { consumer: 0.15, business: 0.12 },
      offPlanProbability: 0.45,
      slipProbability: 0.1,
      spontaneousHazard: 0.06,
      reminder: reminder(0.6, 0.35, 0.8, 0.5, 2),
      collectionDemand: { peakHazard: 0.8, halfLifeDays: 3 },
      feeHazardMultiplier: 1,
      payday: null,
      partialPaymentProbability: 0.02,
      disputeProbability: 0.003,
      paymentPlanProbability: 0,
      installmentKeepProbability: 0.9,
      churnMultiplier: 1,
    },
    'short-of-money': {
      share: { consumer: 0.06, business: 0.03 },
      offPlanProbability: 0,
      slipProbability: 0,
      spontaneousHazard: 0.01,
      reminder: reminder(0.8, 0.5, 0.85, 0.3, 3),
      collectionDemand: { peakHazard: 0.3, halfLifeDays: 5 },
      feeHazardMultiplier: 0.85,
      payday: { cashWindowDays: 5, cashWindowHazard: 0.5, affordProbability: 0.55, affordProbabilityAfterDemand: 0.57, outsideWindowFactor: 0.1 },
      partialPaymentProbability: 0.15,
      disputeProbability: 0.003,
      paymentPlanProbability: 0.05,
      installmentKeepProbability: 0.8,
      churnMultiplier: 1.3,
    },
    unwilling: {
      share: { consumer: 0.015, business: 0.01 },
      offPlanProbability: 0.35,
      slipProbability: 0.1,
      spontaneousHazard: 0.004,
      reminder: reminder(0.5, 0.3, 0.7, 0.03, 5),
      collectionDemand: { peakHazard: 0.01, halfLifeDays: 10 },
      feeHazardMultiplier: 1.2,
      payday: null,
      partialPaymentProbability: 0.05,
      disputeProbability: 0.04,
      paymentPlanProbability: 0.02,
      installmentKeepProbability: 0.6,
      churnMultiplier: 2,
    },
    unable: {
      share: { consumer: 0.008, business: 0.005 },
      offPlanProbability: 0.9,
      slipProbability: 0.1,
      spontaneousHazard: 0.002,
      reminder: reminder(0.8, 0.5, 0.9, 0.01, 5),
      collectionDemand: { peakHazard: 0.003, halfLifeDays: 15 },
      feeHazardMultiplier: 1,
      payday: null,
      partialPaymentProbability: 0.2,
      disputeProbability: 0.005,
      paymentPlanProbability: 0.08,
      installmentKeepProbability: 0.6,
      churnMultiplier: 2.5,
    },
  },
  churn: {
    baseMonthlyHazard: { consumer: 0.012, business: 0.008 },
    afterPastDueReminder: { multiplier: 2, days: 180 },
    afterCollectionDemand: { multiplier: 5, days: 365 },
    payFactorAfterLeaving: 0.6,
  },
  rates: {
    goodwillCreditProbability: 0.01,
    disputeUpheldProbability: 0.5,
    disputeResolutionDays: { min: 5, max: 21 },
    customerUpdateMonthlyProbability: 0.005,
    referenceOnlyPaymentProbability: 0.2,
    paymentPlanInstallments: 3,
    missingEmailShare: 0.1,
    missingPhoneShare: 0.05,
  },
  referenceDunning: {
    experimentId: 'collection-vs-friendly',
    arms: [
      { id: 'collection-as-before', weight: 1, label: 'collection as before', role: 'collection' },
      { id: 'friendly-sms', weight: 1, label: 'friendlier SMS', role: 'treatment' },
      { id: 'no-action', weight: 1, label: 'no action', role: 'no-action' },
    ],
    letterFeeMinor: { SEK: 0, EUR: 150 },
    demandDelayDays: 1,
    contactCap: { maxContacts: 2, perDays: 7 },
    minDaysBetweenContacts: 2,
  },
};

/** A deep partial: what a JSON override file may contain. Arrays replace, objects merge. */
export type ConfigOverrides = { readonly [K in keyof SimulatorConfig]?: DeepPartial<SimulatorConfig[K]> };
type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { readonly [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Defaults with overrides on top: objects are merged key by key, arrays and values replaced. */
export function mergeConfig(base: SimulatorConfig, ...overrides: readonly ConfigOverrides[]): SimulatorConfig {
  return overrides.reduce<SimulatorConfig>((config, override) => deepMerge(config, override) as SimulatorConfig, base);
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (key === '$comment') continue;
    result[key] = deepMerge(base[key], value);
  }
  return result;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every problem of a configuration, as `path: what is wrong`; empty when it can run. */
export function validateConfig(config: SimulatorConfig): string[] {
  const problems: string[] = [];
  const probability = (path: string, value: unknown): void => {
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) problems.push(`${path}: expected a probability in [0, 1], got ${String(value)}`);
  };
  const positiveInteger = (path: string, value: unknown, min = 1): void => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) problems.push(`${path}: expected an integer of at least ${min}, got ${String(value)}`);
  };
  const positive = (path: string, value: unknown): void => {
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) problems.push(`${path}: expected a positive number, got ${String(value)}`);
  };

  if (!Number.isSafeInteger(config.seed)) problems.push(`seed: expected an integer, got ${String(config.seed)}`);
  positiveInteger('customers', config.customers);
  if (config.customers > 999_999) problems.push('customers: at most 999999 (six-digit customer numbers)');
  positiveInteger('months', config.months);
  positiveInteger('followUpDays', config.followUpDays, 0);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(config.startDate)) problems.push(`startDate: expected YYYY-MM-DD, got '${config.startDate}'`);
  if (!/^[a-z0-9]{0,12}$/.test(config.runTag)) problems.push('runTag: lower-case letters and digits, at most 12');
  if (config.brands.length === 0) problems.push('brands: at least one brand');
  positiveInteger('maxTenureMonths', config.maxTenureMonths, 0);

  config.brands.forEach((brand, i) => {
    const at = `brands[${i}] (${brand.id})`;
    if (!/^[a-z0-9-]{1,60}$/.test(brand.id)) problems.push(`${at}.id: lower-case letters, digits and dashes`);
    if (!config.countries[brand.country]) problems.push(`${at}.country: no entry '${brand.country}' under countries`);
    if (!/^[A-Z]{3}$/.test(brand.currency)) problems.push(`${at}.currency: expected ISO 4217, got '${brand.currency}'`);
    positive(`${at}.weight`, brand.weight);
    probability(`${at}.businessShare`, brand.businessShare);
    if (brand.billingCycleDays.length === 0 || brand.billingCycleDays.some((d) => !Number.isInteger(d) || d < 1 || d > 28)) {
      problems.push(`${at}.billingCycleDays: days of the month 1–28`);
    }
    positiveInteger(`${at}.paymentTermDays`, brand.paymentTermDays);
    for (const [name, plans] of [['consumerPlans', brand.consumerPlans], ['businessPlans', brand.businessPlans]] as const) {
      if (plans.length === 0) problems.push(`${at}.${name}: at least one plan`);
      plans.forEach((plan, j) => positiveInteger(`${at}.${name}[${j}].monthlyMinor`, plan.value.monthlyMinor));
    }
    positiveInteger(`${at}.businessSubscriptions.min`, brand.businessSubscriptions.min);
    if (brand.businessSubscriptions.max < brand.businessSubscriptions.min) problems.push(`${at}.businessSubscriptions: max below min`);
    probability(`${at}.extraUsage.probability`, brand.extraUsage.probability);
    positiveInteger(`${at}.extraUsage.minMinor`, brand.extraUsage.minMinor, 0);
    if (!Number.isSafeInteger(brand.extraUsage.maxMinor) || brand.extraUsage.maxMinor < brand.extraUsage.minMinor) problems.push(`${at}.extraUsage.maxMinor: an integer ≥ minMinor`);
    for (const zone of brand.timeZones) if (!isTimeZone(zone.value)) problems.push(`${at}.timeZones: unknown IANA zone '${zone.value}'`);
    for (const locale of brand.locales) if (!isLocale(locale.value)) problems.push(`${at}.locales: not a BCP 47 tag '${locale.value}'`);
  });

  for (const [code, country] of Object.entries(config.countries)) {
    if (!/^\+\d{4,12}$/.test(country.phonePrefix)) problems.push(`countries.${code}.phonePrefix: '+' and digits`);
    if (country.phonePrefix.length - 1 + country.phoneDigits > 15) problems.push(`countries.${code}: prefix + phoneDigits exceed the 15 digits of E.164`);
    if (10 ** country.phoneDigits < config.customers) problems.push(`countries.${code}.phoneDigits: too few for ${config.customers} customers`);
    if (country.paydays.length === 0) problems.push(`countries.${code}.paydays: at least one rule`);
    for (const list of ['firstNames', 'lastNames', 'streets', 'cities', 'paymentMethods'] as const) {
      if (country[list].length === 0) problems.push(`countries.${code}.${list}: at least one entry`);
    }
    if (!country.unitLine.includes('{n}')) problems.push(`countries.${code}.unitLine: must contain {n}`);
  }

  for (const customerType of ['consumer', 'business'] as const) {
    const total = Object.values(config.types).reduce((sum, t) => sum + t.share[customerType], 0);
    if (Math.abs(total - 1) > 1e-9) problems.push(`types.*.share.${customerType}: shares add up to ${Number(total.toFixed(6))}, expected 1`);
  }
  for (const [name, t] of Object.entries(config.types)) {
    const at = `types.${name}`;
    probability(`${at}.offPlanProbability`, t.offPlanProbability);
    probability(`${at}.slipProbability`, t.slipProbability);
    probability(`${at}.spontaneousHazard`, t.spontaneousHazard);
    for (const channel of ['sms', 'email', 'letter'] as const) probability(`${at}.reminder.noticeProbability.${channel}`, t.reminder.noticeProbability[channel]);
    probability(`${at}.reminder.peakHazard`, t.reminder.peakHazard);
    positive(`${at}.reminder.halfLifeDays`, t.reminder.halfLifeDays);
    probability(`${at}.collectionDemand.peakHazard`, t.collectionDemand.peakHazard);
    positive(`${at}.collectionDemand.halfLifeDays`, t.collectionDemand.halfLifeDays);
    positive(`${at}.feeHazardMultiplier`, t.feeHazardMultiplier);
    probability(`${at}.partialPaymentProbability`, t.partialPaymentProbability);
    probability(`${at}.disputeProbability`, t.disputeProbability);
    probability(`${at}.paymentPlanProbability`, t.paymentPlanProbability);
    probability(`${at}.installmentKeepProbability`, t.installmentKeepProbability);
    positive(`${at}.churnMultiplier`, t.churnMultiplier);
    if (t.payday) {
      positiveInteger(`${at}.payday.cashWindowDays`, t.payday.cashWindowDays);
      probability(`${at}.payday.cashWindowHazard`, t.payday.cashWindowHazard);
      probability(`${at}.payday.affordProbability`, t.payday.affordProbability);
      probability(`${at}.payday.affordProbabilityAfterDemand`, t.payday.affordProbabilityAfterDemand);
      probability(`${at}.payday.outsideWindowFactor`, t.payday.outsideWindowFactor);
    }
  }

  probability('churn.baseMonthlyHazard.consumer', config.churn.baseMonthlyHazard.consumer);
  probability('churn.baseMonthlyHazard.business', config.churn.baseMonthlyHazard.business);
  positive('churn.afterPastDueReminder.multiplier', config.churn.afterPastDueReminder.multiplier);
  positiveInteger('churn.afterPastDueReminder.days', config.churn.afterPastDueReminder.days);
  positive('churn.afterCollectionDemand.multiplier', config.churn.afterCollectionDemand.multiplier);
  positiveInteger('churn.afterCollectionDemand.days', config.churn.afterCollectionDemand.days);
  probability('churn.payFactorAfterLeaving', config.churn.payFactorAfterLeaving);

  const r = config.rates;
  probability('rates.goodwillCreditProbability', r.goodwillCreditProbability);
  probability('rates.disputeUpheldProbability', r.disputeUpheldProbability);
  positiveInteger('rates.disputeResolutionDays.min', r.disputeResolutionDays.min);
  if (r.disputeResolutionDays.max < r.disputeResolutionDays.min) problems.push('rates.disputeResolutionDays: max below min');
  probability('rates.customerUpdateMonthlyProbability', r.customerUpdateMonthlyProbability);
  probability('rates.referenceOnlyPaymentProbability', r.referenceOnlyPaymentProbability);
  positiveInteger('rates.paymentPlanInstallments', r.paymentPlanInstallments);
  probability('rates.missingEmailShare', r.missingEmailShare);
  probability('rates.missingPhoneShare', r.missingPhoneShare);

  const d = config.referenceDunning;
  if (d.arms.length === 0) problems.push('referenceDunning.arms: at least one arm');
  d.arms.forEach((arm, i) => {
    positive(`referenceDunning.arms[${i}].weight`, arm.weight);
    if (!['collection', 'treatment', 'no-action'].includes(arm.role)) problems.push(`referenceDunning.arms[${i}].role: collection, treatment or no-action`);
    if (!arm.label) problems.push(`referenceDunning.arms[${i}].label: a label for the report`);
  });
  for (const [currency, fee] of Object.entries(d.letterFeeMinor)) positiveInteger(`referenceDunning.letterFeeMinor.${currency}`, fee, 0);
  positiveInteger('referenceDunning.demandDelayDays', d.demandDelayDays, 0);
  positiveInteger('referenceDunning.contactCap.maxContacts', d.contactCap.maxContacts);
  positiveInteger('referenceDunning.contactCap.perDays', d.contactCap.perDays);
  positiveInteger('referenceDunning.minDaysBetweenContacts', d.minDaysBetweenContacts, 0);
  return problems;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}
