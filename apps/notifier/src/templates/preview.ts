import type { Channel, MessageFacts } from '../domain';

/** Sample facts for a preview: made-up values, never a real customer's. */
export function previewFacts(input: { templateId: string; locale: string; channel: Channel; country?: string }): MessageFacts {
  const country = input.country ?? input.locale.split('-')[1]?.toUpperCase();
  const currency = country === 'SE' ? 'SEK' : country === 'GB' ? 'GBP' : 'EUR';
  return {
    templateId: input.templateId,
    channel: input.channel,
    locale: input.locale,
    ...(country ? { country } : {}),
    customerType: 'consumer',
    brand: 'Example Telecom',
    recipientName: 'Alex Example',
    invoice: { invoiceId: 'INV-0000001', dueDate: '2026-03-31', amount: { minor: 49_900, currency }, balance: { minor: 49_900, currency }, paymentReference: '1234567890' },
    fee: { minor: country === 'SE' ? 6_000 : 150, currency },
    sendDate: '2026-04-03',
    paymentLink: 'https://pay.example.com/invoices/INV-0000001',
  };
}
