import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EpochDay } from '../../domain/calendar';
import type { ContactDirectory } from '../../domain/contact-directory';
import { readReminder } from '../../domain/message-reading';
import type { SeenReminder } from '../../domain/seen-message';

/** The part of the notifier's letter manifest (apps/notifier/src/channels/letter-drop.provider.ts) a postman needs. */
interface LetterManifest {
  readonly deliveryId: string;
  readonly pdf: string;
  readonly recipient: { readonly name: string; readonly lines: readonly string[]; readonly postalCode?: string; readonly city: string };
  /** The invoice the letter is about and the fee it announces (minor units), when the notifier names them. */
  readonly invoice?: { readonly invoiceId: string; readonly paymentReference?: string; readonly fee?: { readonly minor: number; readonly currency: string } };
}

/**
 * Letters that reached simulated customers: the print provider's drop folder, one JSON manifest per
 * letter (written after its PDF). The recipient's name and address are matched against the addresses
 * the simulator generated (a unit number per customer makes each unique). The manifest's `invoice`
 * (invoice id or payment reference, and the fee) tells which invoice the letter is about; a manifest
 * without it falls back to the PDF's text, when a reader for it is given; without either the letter
 * concerns all the customer's open invoices.
 */
export class LetterDropInbox {
  private readonly seen = new Set<string>();

  constructor(
    private readonly directory: ContactDirectory,
    private readonly options: { readonly directory: string; readonly pdfText?: (file: string) => Promise<string> },
  ) {}

  async skipExisting(): Promise<void> {
    for (const name of await this.manifests()) this.seen.add(name);
  }

  async collect(day: EpochDay): Promise<SeenReminder[]> {
    const result: SeenReminder[] = [];
    for (const name of await this.manifests()) {
      if (this.seen.has(name)) continue;
      this.seen.add(name);
      let manifest: LetterManifest;
      try {
        manifest = JSON.parse(await readFile(join(this.options.directory, name), 'utf8')) as LetterManifest;
      } catch {
        continue; // not a letter manifest
      }
      const named = manifest.invoice && this.invoiceOf(manifest.invoice);
      const customerId = (manifest.recipient ? this.directory.customerByAddress(manifest.recipient.name, manifest.recipient) : undefined) ?? named?.customerId;
      if (!customerId) continue;
      if (named && named.customerId === customerId) {
        const fee = manifest.invoice?.fee?.minor;
        result.push({ kind: 'reminder', customerId, day, channel: 'letter', invoiceId: named.invoiceId, ...(fee !== undefined && fee > 0 ? { feeMinor: fee } : {}) });
        continue;
      }
      const text = this.options.pdfText ? await this.options.pdfText(join(this.options.directory, manifest.pdf)).catch(() => '') : '';
      result.push(...readReminder({ customerId, channel: 'letter', day, text }, this.directory));
    }
    return result;
  }

  /** The simulator's invoice a manifest names, by invoice id or payment reference. */
  private invoiceOf(invoice: NonNullable<LetterManifest['invoice']>): { customerId: string; invoiceId: string } | undefined {
    const byId = this.directory.customerOfInvoice(invoice.invoiceId);
    if (byId) return { customerId: byId, invoiceId: invoice.invoiceId };
    return invoice.paymentReference ? this.directory.invoiceByPaymentReference(invoice.paymentReference) : undefined;
  }

  private async manifests(): Promise<string[]> {
    try {
      return (await readdir(this.options.directory)).filter((name) => name.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}
