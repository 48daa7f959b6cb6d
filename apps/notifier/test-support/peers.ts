import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// Test helpers for the notifier's real peers (deploy/local/peers): the SMTP capture server and
// Kannel with fakesmsc. Both start idempotently, so every test file can ask for them.

const repo = resolve(__dirname, '../../..');
const stateDir = process.env['DUNNING_STATE_DIR'] ?? resolve(repo, 'tmp/local');

export const SMTP = {
  host: '127.0.0.1',
  port: Number(process.env['SMTP_CAPTURE_PORT'] ?? 1025),
  httpUrl: `http://127.0.0.1:${process.env['SMTP_CAPTURE_HTTP_PORT'] ?? 1080}`,
};

export const KANNEL = {
  sendsmsUrl: `http://127.0.0.1:${process.env['KANNEL_SENDSMS_PORT'] ?? 13013}/cgi-bin/sendsms`,
  username: process.env['KANNEL_SENDSMS_USER'] ?? 'notifier',
  password: process.env['KANNEL_SENDSMS_PASSWORD'] ?? 'notifier-local',
  handsetLog: resolve(process.env['KANNEL_STATE_DIR'] ?? resolve(stateDir, 'kannel'), 'fakesmsc.log'),
};

export function startSmtpCapture(): void {
  execFileSync('bash', [resolve(repo, 'deploy/local/peers/smtp.sh'), 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export function startKannel(): void {
  execFileSync('bash', [resolve(repo, 'deploy/local/peers/kannel.sh'), 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export interface CapturedMailSummary {
  readonly id: string;
  readonly messageId: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  readonly subject: string;
}

export interface CapturedMail extends CapturedMailSummary {
  readonly text: string;
  readonly html: string;
  readonly headers: Readonly<Record<string, string>>;
}

export async function mailTo(address: string): Promise<CapturedMail[]> {
  const response = await fetch(`${SMTP.httpUrl}/messages?to=${encodeURIComponent(address)}`);
  const summaries = (await response.json()) as CapturedMailSummary[];
  return Promise.all(summaries.map(async (summary) => (await (await fetch(`${SMTP.httpUrl}/messages/${summary.id}`)).json()) as CapturedMail));
}

export interface HandsetMessage {
  readonly from: string;
  readonly to: string;
  readonly text: string;
}

/**
 * What fakesmsc (the SMSC) received, from its log: `Got message <n>: <<from> <to> [udh <udh>] <type> <payload>>`.
 * `text` is UTF-8 as Kannel passed it, `ucs-2` URL-encoded UTF-16BE, `data` URL-encoded bytes; the
 * parts of a concatenated message (UDH with a concatenation header) are joined in order.
 */
export function smsTo(phone: string): HandsetMessage[] {
  if (!existsSync(KANNEL.handsetLog)) return [];
  const messages: HandsetMessage[] = [];
  const partial = new Map<string, { from: string; total: number; parts: Map<number, string> }>();
  for (const line of readFileSync(KANNEL.handsetLog, 'utf8').split('\n')) {
    const match = /Got message \d+: <(\S+) (\S+) (?:udh (\S+) )?(text|ucs-2|data) (.*)>$/.exec(line);
    if (!match || match[2] !== phone) continue;
    const [, from = '', to = '', udh, type = 'text', payload = ''] = match;
    const text = decodePayload(type, payload);
    const concat = udh ? concatenationOf(urlDecodeBytes(udh)) : undefined;
    if (!concat) {
      messages.push({ from, to, text });
      continue;
    }
    const key = `${from}/${concat.reference}`;
    const entry = partial.get(key) ?? { from, total: concat.total, parts: new Map<number, string>() };
    entry.parts.set(concat.sequence, text);
    partial.set(key, entry);
    if (entry.parts.size === entry.total) {
      messages.push({ from, to, text: [...entry.parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part).join('') });
      partial.delete(key);
    }
  }
  return messages;
}

/** The concatenation header of a UDH (IEI 0x00, 8-bit reference, or 0x08, 16-bit). */
function concatenationOf(udh: Buffer): { reference: number; total: number; sequence: number } | undefined {
  let i = 1;
  while (i < udh.length) {
    const iei = udh[i] ?? 0;
    const length = udh[i + 1] ?? 0;
    if (iei === 0x00 && length === 3) return { reference: udh[i + 2]!, total: udh[i + 3]!, sequence: udh[i + 4]! };
    if (iei === 0x08 && length === 4) return { reference: udh.readUInt16BE(i + 2), total: udh[i + 4]!, sequence: udh[i + 5]! };
    i += 2 + length;
  }
  return undefined;
}

function urlDecodeBytes(payload: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < payload.length; i += 1) {
    const character = payload[i]!;
    if (character === '%' && i + 2 < payload.length + 1) {
      bytes.push(Number.parseInt(payload.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (character === '+') {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(character, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodePayload(type: string, payload: string): string {
  if (type === 'text') return payload;
  const bytes = urlDecodeBytes(payload);
  if (type === 'ucs-2') return bytes.swap16().toString('utf16le');
  return bytes.toString('utf8');
}

/** A fresh E.164 number per test, so tests sharing one Kannel never read each other's messages. */
export function uniquePhone(): string {
  return `+4670${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
}

export function uniqueEmail(): string {
  return `customer-${Date.now().toString(36)}-${Math.random().toString(16).slice(2, 10)}@example.test`;
}
