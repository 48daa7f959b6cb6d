import type { EpochDay } from './calendar';
import type { Channel } from './config';
import type { ContactDirectory } from './contact-directory';
import type { SeenCollectionDemand, SeenReminder } from './seen-message';

// How a simulated customer reads a message that reached them through a real channel: which of their
// invoices it is about (the payment reference or the invoice number in the text — both the simulator's
// own) and whether it announces a reminder fee. Pure: the adapters fetch, this reads.

/** Words that introduce a reminder fee in the templates' languages. */
const FEE_WORDS = /(påminnelseavgift|avgift|mahnkosten|mahngebühr|gebühr|reminder fee|late fee|fee)/i;

/**
 * The first amount after a fee word, in minor units: "Påminnelseavgift: 60,00 kr" → 6000,
 * "Mahnkosten: 1,50 €" → 150, "Reminder fee: SEK 1,060.00" → 106000. Undefined when there is none.
 */
export function announcedFeeMinor(text: string): number | undefined {
  for (const line of text.split(/\r?\n/)) {
    const word = FEE_WORDS.exec(line);
    if (!word) continue;
    const after = line.slice(word.index + word[0].length, word.index + word[0].length + 60);
    const amount = /\d[\d\s.,\u00a0\u202f']*/.exec(after);
    if (!amount) continue;
    const minor = parseLocalizedAmountMinor(amount[0]);
    if (minor !== undefined && minor > 0) return minor;
  }
  return undefined;
}

/** "1 234,56", "1.234,56", "1,234.56", "60" → minor units; the last separator followed by exactly two digits is the decimal one. */
export function parseLocalizedAmountMinor(text: string): number | undefined {
  const cleaned = text.trim().replace(/[\s\u00a0\u202f']/g, '').replace(/[.,]+$/, '');
  if (!/^\d[\d.,]*$/.test(cleaned)) return undefined;
  const decimal = /[.,](\d{2})$/.exec(cleaned);
  const whole = (decimal ? cleaned.slice(0, -3) : cleaned).replace(/[.,]/g, '');
  if (!/^\d+$/.test(whole)) return undefined;
  const value = Number(whole) * 100 + (decimal ? Number(decimal[1]) : 0);
  return Number.isSafeInteger(value) ? value : undefined;
}

export interface ReceivedMessage {
  readonly customerId: string;
  readonly channel: Channel;
  readonly day: EpochDay;
  /** Everything the customer can read: subject and body (or the SMS text). */
  readonly text: string;
}

/** A reminder as the customer understands it: one per invoice it names (or one about all their open invoices). */
export function readReminder(message: ReceivedMessage, directory: ContactDirectory): SeenReminder[] {
  const fee = announcedFeeMinor(message.text);
  const base = { kind: 'reminder' as const, customerId: message.customerId, day: message.day, channel: message.channel, ...(fee !== undefined ? { feeMinor: fee } : {}) };
  const invoices = directory.invoicesMentionedIn(message.text, message.customerId);
  return invoices.length === 0 ? [base] : invoices.map((invoiceId) => ({ ...base, invoiceId }));
}

/** A claim an agency received, as the demand the customer gets from it. */
export function demandOfClaim(
  claim: { readonly customerId?: string; readonly invoiceId?: string; readonly debtor?: { readonly email?: string | null; readonly phone?: string | null } | null },
  agencyId: string,
  day: EpochDay,
  directory: ContactDirectory,
): SeenCollectionDemand | undefined {
  // Only through the simulator's own data: the debtor's contact it generated, else its own ids.
  const customerId =
    (claim.debtor?.email ? directory.customerByEmail(claim.debtor.email) : undefined) ??
    (claim.debtor?.phone ? directory.customerByPhone(claim.debtor.phone) : undefined) ??
    (claim.invoiceId ? directory.customerOfInvoice(claim.invoiceId) : undefined);
  if (!customerId) return undefined;
  const invoiceKnown = claim.invoiceId !== undefined && directory.customerOfInvoice(claim.invoiceId) === customerId;
  return { kind: 'collection-demand', customerId, day, agencyId, ...(invoiceKnown ? { invoiceId: claim.invoiceId as string } : {}) };
}
