import { contactWindowAt, type ContactWindows } from './contact-window';
import type { Money } from './money';
import type { Channel } from './templates';

/** What the notifier knows about the invoice at the moment of sending (from invoicing.invoices.v1). */
export type InvoiceStanding =
  | { readonly status: 'open'; readonly balance: Money }
  | { readonly status: 'settled' | 'credited' | 'disputed' | 'payment-plan' | 'handed-off'; readonly balance: Money };

/** Per channel: is there an address/number on file, and does the customer allow contact there? */
export type Reachability = Readonly<Record<Channel, { readonly onFile: boolean; readonly consent: boolean }>>;

export interface SendRules {
  readonly timeZone: string;
  readonly contactWindows: ContactWindows;
  /** At most `maxContacts` messages per customer in any `perDays` days, across channels. */
  readonly contactCap: { readonly maxContacts: number; readonly perDays: number };
  /** How long to wait before asking again when the invoice is not known yet. */
  readonly unknownInvoiceRetryMs: number;
}

export interface SendCheck {
  readonly now: Date;
  readonly channel: Channel;
  /** Channels to try, in order, when the customer cannot be reached on `channel`. */
  readonly fallbackChannels: readonly Channel[];
  readonly sendWindow?: { readonly notBefore: Date; readonly notAfter: Date };
  /** `undefined`: the notifier has not seen the invoice yet. */
  readonly invoice: InvoiceStanding | undefined;
  readonly reachability: Reachability;
  /** When this customer was last contacted by the notifier (messages sent), any order. */
  readonly recentContacts: readonly Date[];
  readonly rules: SendRules;
}

export type SkipReason = 'invoice-closed' | 'no-consent' | 'no-contact-on-file' | 'contact-cap-reached' | 'send-window-passed';
export type DeferReason = 'not-before' | 'quiet-hours' | 'contact-cap' | 'invoice-unknown';

export type SendDecision =
  | { readonly kind: 'send'; readonly channel: Channel; readonly fallbackUsed: boolean }
  | { readonly kind: 'skip'; readonly reason: SkipReason }
  | { readonly kind: 'defer'; readonly until: Date; readonly reason: DeferReason };

const DAY_MS = 86_400_000;

/**
 * The send-time checks, in order, as one pure decision:
 * 1. the invoice is still open with something to pay — promise 1 (settled, credited to zero,
 *    disputed, under a payment plan or with a collection agency: no message);
 * 2. the request's send window has not passed (and has begun);
 * 3. the customer can be reached with consent on the channel, else on a fallback channel;
 * 4. the contact cap holds (otherwise wait until it does, within the send window);
 * 5. SMS and e-mail go out only inside the contact window in the customer's time zone
 *    (a letter is handed to the print provider at any time; it arrives days later).
 */
export function decideSend(check: SendCheck): SendDecision {
  const { now, invoice, rules } = check;
  const deadline = check.sendWindow?.notAfter;
  const deferOrSkip = (until: Date, reason: DeferReason, skipReason: SkipReason): SendDecision =>
    deadline && until > deadline ? { kind: 'skip', reason: skipReason } : { kind: 'defer', until, reason };

  if (invoice && (invoice.status !== 'open' || invoice.balance.minor <= 0)) return { kind: 'skip', reason: 'invoice-closed' };
  if (deadline && now > deadline) return { kind: 'skip', reason: 'send-window-passed' };
  if (check.sendWindow && now < check.sendWindow.notBefore) return { kind: 'defer', until: check.sendWindow.notBefore, reason: 'not-before' };
  if (!invoice) return deferOrSkip(new Date(now.getTime() + rules.unknownInvoiceRetryMs), 'invoice-unknown', 'send-window-passed');

  const candidates = [check.channel, ...check.fallbackChannels.filter((c) => c !== check.channel)];
  const channel = candidates.find((c) => check.reachability[c].onFile && check.reachability[c].consent);
  if (!channel) {
    const anyOnFile = candidates.some((c) => check.reachability[c].onFile);
    return { kind: 'skip', reason: anyOnFile ? 'no-consent' : 'no-contact-on-file' };
  }

  const windowStart = now.getTime() - rules.contactCap.perDays * DAY_MS;
  const inWindow = check.recentContacts.filter((at) => at.getTime() > windowStart && at.getTime() <= now.getTime()).sort((a, b) => a.getTime() - b.getTime());
  if (inWindow.length >= rules.contactCap.maxContacts) {
    // The cap frees up when the oldest contact that keeps it full leaves the rolling window.
    const blocking = inWindow[inWindow.length - rules.contactCap.maxContacts];
    const freesAt = new Date((blocking ?? now).getTime() + rules.contactCap.perDays * DAY_MS + 1);
    return deferOrSkip(freesAt, 'contact-cap', 'contact-cap-reached');
  }

  if (channel !== 'letter') {
    const window = contactWindowAt(now, rules.timeZone, rules.contactWindows);
    if (window.kind === 'never') return { kind: 'skip', reason: 'send-window-passed' };
    if (window.kind === 'next') return deferOrSkip(window.opensAt, 'quiet-hours', 'send-window-passed');
  }
  return { kind: 'send', channel, fallbackUsed: channel !== check.channel };
}
