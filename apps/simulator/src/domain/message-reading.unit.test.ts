import { ContactDirectory } from './contact-directory';
import { announcedFeeMinor, demandOfClaim, parseLocalizedAmountMinor, readReminder } from './message-reading';

describe('reading messages', () => {
  const directory = new ContactDirectory();
  directory.addEmail('c000001@sim.example', 'c000001');
  directory.addPhone('+46701740600001', 'c000001');
  directory.addInvoice('inv-c000001-001', '0000010017', 'c000001');
  directory.addInvoice('inv-c000001-002', '0000010025', 'c000001');
  directory.addInvoice('inv-c000002-001', '0000020015', 'c000002');

  it.each([
    ['60,00 kr', 6000],
    ['1,50 €', 150],
    ['1 234,56', 123456],
    ['1.234,56', 123456],
    ['1,234.56', 123456],
    ['60', 6000],
    ['SEK', undefined],
  ])('parses %s', (text, minor) => {
    expect(parseLocalizedAmountMinor(text.replace(/[^\d\s.,]/g, ''))).toBe(minor);
  });

  it('finds an announced fee in Swedish, German and English letters', () => {
    expect(announcedFeeMinor('Hej!\nPåminnelseavgift: 60,00 kr\nAtt betala: 359,00 kr')).toBe(6000);
    expect(announcedFeeMinor('Mahnkosten: 1,50 €')).toBe(150);
    expect(announcedFeeMinor('Reminder fee: SEK 60.00')).toBe(6000);
    expect(announcedFeeMinor('Det händer alla: din faktura på 299,00 kr är obetald.')).toBeUndefined();
  });

  it('names the invoices whose payment reference or number the text contains, and only the customer’s own', () => {
    const sms = 'Hej Anna! Din faktura på 299,00 kr (förföll 2026-01-21) är obetald. Betala här: https://pay.example.com/invoices/inv-c000001-002 (OCR 0000010025). Tack!';
    expect(readReminder({ customerId: 'c000001', channel: 'sms', day: 100, text: sms }, directory)).toEqual([{ kind: 'reminder', customerId: 'c000001', day: 100, channel: 'sms', invoiceId: 'inv-c000001-002' }]);
    expect(readReminder({ customerId: 'c000001', channel: 'email', day: 100, text: 'OCR 0000020015' }, directory)).toEqual([{ kind: 'reminder', customerId: 'c000001', day: 100, channel: 'email' }]);
  });

  it('maps an agency claim to the customer through the debtor’s fictional contact, else the simulator’s invoice id', () => {
    expect(demandOfClaim({ invoiceId: 'inv-c000001-001', debtor: { email: 'C000001@sim.example' } }, 'inkasso-se', 7, directory)).toEqual({ kind: 'collection-demand', customerId: 'c000001', day: 7, agencyId: 'inkasso-se', invoiceId: 'inv-c000001-001' });
    expect(demandOfClaim({ invoiceId: 'inv-c000002-001', debtor: null }, 'inkasso-de', 7, directory)?.customerId).toBe('c000002');
    expect(demandOfClaim({ customerId: 'someone-else', invoiceId: 'inv-x', debtor: { email: 'x@example.com' } }, 'inkasso-de', 7, directory)).toBeUndefined();
  });
});
