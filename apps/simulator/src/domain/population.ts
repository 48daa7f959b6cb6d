import { addMonths, epochDayOf, partsOf, dayInMonth, type EpochDay, type PaydayRule } from './calendar';
import { HIDDEN_TYPES, type BrandConfig, type CountryConfig, type CustomerType, type HiddenType, type PlanPrice, type SimulatorConfig } from './config';
import { PURPOSE, pickWeighted, type Dice, type RandomStream, type Weighted } from './random';

/** A postal address as the ingress contract carries it. */
export interface PostalAddress {
  readonly lines: readonly string[];
  readonly postalCode: string;
  readonly city: string;
  readonly country: string;
}

/** The fictional contact data the simulator hands to billing; the only way it recognises its customers' messages. */
export interface ContactData {
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
  readonly postalAddress: PostalAddress;
}

export interface Customer {
  /** 0-based position in the base; fixes the customer's dice. */
  readonly index: number;
  readonly id: string;
  readonly brand: BrandConfig;
  readonly country: string;
  readonly currency: string;
  readonly type: CustomerType;
  readonly locale: string;
  readonly timeZone: string;
  readonly customerSince: EpochDay;
  /** The behaviour type: never sent anywhere, the platform has to infer it from behaviour. */
  readonly hiddenType: HiddenType;
  readonly payday: PaydayRule;
  readonly billingCycleDay: number;
  readonly plan: PlanPrice;
  readonly subscriptions: number;
  readonly contact: ContactData;
}

/** Customer ids, e-mail addresses and phone numbers are all built from the customer number. */
export function customerIdOf(index: number, runTag: string): string {
  return `c${runTag}${String(index + 1).padStart(6, '0')}`;
}

export function emailOf(customerId: string, domain: string): string {
  return `${customerId}@${domain}`;
}

export function phoneOf(index: number, country: CountryConfig): string {
  return `${country.phonePrefix}${String(index + 1).padStart(country.phoneDigits, '0')}`;
}

/** The address line that makes an address unique: one unit number per customer. */
export function unitLineOf(index: number, country: CountryConfig, move = 0): string {
  return country.unitLine.replace('{n}', String(1001 + index + move * 1_000_000));
}

export function generateCustomers(config: SimulatorConfig, dice: Dice): Customer[] {
  const brands = config.brands.map((brand) => ({ value: brand, weight: brand.weight }));
  const start = epochDayOf(config.startDate);
  const customers: Customer[] = [];
  for (let index = 0; index < config.customers; index += 1) {
    customers.push(generateCustomer(index, config, brands, start, dice.stream(PURPOSE.customer, index)));
  }
  return customers;
}

function generateCustomer(index: number, config: SimulatorConfig, brands: readonly Weighted<BrandConfig>[], start: EpochDay, random: RandomStream): Customer {
  const brand = random.weighted(brands);
  const country = config.countries[brand.country];
  if (!country) throw new Error(`brand ${brand.id}: no country '${brand.country}'`);
  const type: CustomerType = random.chance(brand.businessShare) ? 'business' : 'consumer';
  const hiddenType = pickWeighted(
    HIDDEN_TYPES.map((t) => ({ value: t, weight: config.types[t].share[type] })),
    random.next(),
  );
  // Tenure: many recent customers, a long tail of loyal ones (the square of a uniform number).
  const tenureMonths = Math.floor(random.next() ** 2 * (config.maxTenureMonths + 1));
  const sinceMonth = addMonths(partsOf(start), -tenureMonths);
  const customerSince = dayInMonth(sinceMonth.year, sinceMonth.month, random.integer(1, 28));
  const id = customerIdOf(index, config.runTag);
  const contact = contactOf(index, id, type, country, brand.country, config, random);
  const plan = random.weighted(type === 'business' ? brand.businessPlans : brand.consumerPlans);
  return {
    index,
    id,
    brand,
    country: brand.country,
    currency: brand.currency,
    type,
    locale: random.weighted(brand.locales),
    timeZone: random.weighted(brand.timeZones),
    customerSince: Math.min(customerSince, start),
    hiddenType,
    payday: random.weighted(country.paydays),
    billingCycleDay: random.pick(brand.billingCycleDays),
    plan,
    subscriptions: type === 'business' ? random.integer(brand.businessSubscriptions.min, brand.businessSubscriptions.max) : 1,
    contact,
  };
}

function contactOf(
  index: number,
  id: string,
  type: CustomerType,
  country: CountryConfig,
  countryCode: string,
  config: SimulatorConfig,
  random: RandomStream,
): ContactData {
  const first = random.pick(country.firstNames);
  const last = random.pick(country.lastNames);
  const name = type === 'business' ? `${last} ${random.pick(['Bygg', 'Consulting', 'Handel', 'Service', 'Design', 'Logistik'])} ${country.companySuffix}` : `${first} ${last}`;
  const place = random.pick(country.cities);
  const street = random.pick(country.streets);
  const hasEmail = type === 'business' || !random.chance(config.rates.missingEmailShare);
  const hasPhone = !random.chance(config.rates.missingPhoneShare);
  return {
    name,
    ...(hasEmail ? { email: emailOf(id, config.emailDomain) } : {}),
    ...(hasPhone ? { phone: phoneOf(index, country) } : {}),
    postalAddress: {
      lines: [`${street} ${random.integer(1, 120)}`, unitLineOf(index, country)],
      postalCode: place.postalCode,
      city: place.city,
      country: countryCode,
    },
  };
}
