// Money itself (integer minor units + currency, promise 5) is the platform's one module in @dunning/law.
export type { Money } from '@dunning/law';

export type Channel = 'email' | 'sms' | 'letter';
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'letter'];
