/** Money as integer minor units and an ISO 4217 currency (promise 5); never a float. */
export interface Money {
  readonly minor: number;
  readonly currency: string;
}

export type Channel = 'email' | 'sms' | 'letter';
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'letter'];

export function money(minor: number, currency: string): Money {
  if (!Number.isSafeInteger(minor)) throw new Error(`money must be integer minor units, got ${minor}`);
  return { minor, currency };
}

export function sameCurrency(a: Money, b: Money): boolean {
  return a.currency === b.currency;
}

export function minMoney(a: Money, b: Money): Money {
  if (!sameCurrency(a, b)) throw new Error(`currency mismatch: ${a.currency} vs ${b.currency}`);
  return a.minor <= b.minor ? a : b;
}
