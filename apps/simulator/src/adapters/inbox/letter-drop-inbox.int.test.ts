import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContactDirectory } from '../../domain/contact-directory';
import { LetterDropInbox } from './letter-drop-inbox';

// The letter drop as the notifier writes it since its manifest names the invoice and the fee
// (apps/notifier/src/channels/letter-drop.provider.ts, `invoice`): no PDF reading needed.

describe('letter drop inbox: the manifest names the invoice', () => {
  let folder: string;
  const address = { lines: ['Storgatan 1', 'lgh 1001'], postalCode: '111 22' };
  const directory = new ContactDirectory();
  directory.addAddress('Ada Svensson', address, 'c1');
  directory.addAddress('Bo Berg', { lines: ['Lillgatan 2'], postalCode: '222 33' }, 'c2');
  directory.addInvoice('inv-1', 'OCR1001', 'c1');
  directory.addInvoice('inv-2', 'OCR2002', 'c2');

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'letter-inbox-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const write = (name: string, manifest: Record<string, unknown>): void => writeFileSync(join(folder, `${name}.json`), JSON.stringify({ deliveryId: name, pdf: `${name}.pdf`, ...manifest }));
  const pdfNeverRead = async (): Promise<string> => {
    throw new Error('the PDF must not be read when the manifest names the invoice');
  };

  it('maps a letter to its invoice and fee by invoice id or payment reference, without reading the PDF', async () => {
    write('dlv_a', { recipient: { name: 'Ada Svensson', ...address, city: 'Stockholm' }, invoice: { invoiceId: 'inv-1', paymentReference: 'OCR1001', fee: { minor: 6_000, currency: 'SEK' } } });
    // Only the payment reference is the simulator's (an invoice id it never issued): still found.
    write('dlv_b', { recipient: { name: 'Bo Berg', lines: ['Lillgatan 2'], postalCode: '222 33', city: 'Uppsala' }, invoice: { invoiceId: 'unknown-id', paymentReference: 'OCR2002' } });
    // Another customer's invoice in the manifest of c1's letter: not c1's, so not attributed to it.
    write('dlv_c', { recipient: { name: 'Ada Svensson', ...address, city: 'Stockholm' }, invoice: { invoiceId: 'inv-2' } });
    const inbox = new LetterDropInbox(directory, { directory: folder, pdfText: async (file) => (file.endsWith('dlv_c.pdf') ? 'no reference here' : pdfNeverRead()) });

    expect(await inbox.collect(300)).toEqual([
      { kind: 'reminder', customerId: 'c1', day: 300, channel: 'letter', invoiceId: 'inv-1', feeMinor: 6_000 },
      { kind: 'reminder', customerId: 'c2', day: 300, channel: 'letter', invoiceId: 'inv-2' },
      { kind: 'reminder', customerId: 'c1', day: 300, channel: 'letter' },
    ]);
    expect(await inbox.collect(301)).toEqual([]);
  });
});
