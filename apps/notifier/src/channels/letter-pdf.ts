import PDFDocument from 'pdfkit';
import type { Recipient } from './provider';
import type { RenderedMessage } from '../domain';

export interface LetterLayout {
  readonly brand: string;
  /** The sender's return address lines (the brand's, not personal data). */
  readonly senderLines: readonly string[];
  /** The letter's date as the customer reads it, e.g. "3 april 2026". */
  readonly dateLine: string;
}

/**
 * A one-column A4 letter: sender, the recipient's address where a window envelope shows it, date,
 * heading (the subject) and the body. Built-in Helvetica (WinAnsi) covers å, ä, ö, ü, ß and €.
 * The creation date is fixed by the caller's date so the same letter renders to the same bytes.
 */
export function renderLetterPdf(content: RenderedMessage, recipient: Recipient, layout: LetterLayout, createdAt: Date): Promise<Buffer> {
  const address = recipient.postalAddress;
  if (!address) return Promise.reject(new Error('the recipient has no postal address'));
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margins: { top: 56, bottom: 56, left: 70, right: 70 },
      info: { Title: content.subject, Author: layout.brand, Creator: 'dunning notifier', CreationDate: createdAt },
      lang: content.language,
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.font('Helvetica-Bold').fontSize(14).text(layout.brand);
    doc.font('Helvetica').fontSize(8).text(layout.senderLines.join(' · '));
    // The address sits where a C5/DL window envelope shows it (about 45 mm from the top).
    const recipientLines = [recipient.name, ...address.lines, [address.postalCode, address.city].filter(Boolean).join(' '), address.country ?? ''].filter(Boolean);
    doc.font('Helvetica').fontSize(11).text(recipientLines.join('\n'), 70, 128);
    doc.text(layout.dateLine, 70, 230, { align: 'right' });
    doc.moveDown(2);
    doc.font('Helvetica-Bold').fontSize(13).text(content.subject, 70);
    doc.moveDown(1);
    doc.font('Helvetica').fontSize(11).text(content.text, { lineGap: 2 });
    doc.end();
  });
}
