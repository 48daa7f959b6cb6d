import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildClaim, GERMANY, SWEDEN, type AgencyClaim } from '../domain';
import { openInvoice } from '../domain/testing/fixtures';
import { BatchAlreadyWrittenError, BatchFileAgency } from './batch-file-agency';
import { batchLine, batchManifest } from './batch-file-format';

function claimOf(result: ReturnType<typeof buildClaim>): AgencyClaim {
  if (!result.ok) throw new Error(result.detail);
  return result.claim;
}

const seClaim = claimOf(
  buildClaim({
    handoffId: 'ho-se-1',
    collectionCaseId: 'cc-se-1',
    view: openInvoice(),
    principal: { minor: 29_900, currency: 'SEK' },
    agency: { agencyId: 'agency-a', daysToPay: 5 },
    rules: SWEDEN,
    handoffAt: new Date('2026-05-10T06:00:00Z'),
  }),
);
const seClaim2 = { ...seClaim, handoffId: 'ho-se-2', collectionCaseId: 'cc-se-2', invoiceId: 'inv-2', principal: { minor: 100, currency: 'SEK' }, total: { minor: 100, currency: 'SEK' } };
const deClaim = claimOf(
  buildClaim({
    handoffId: 'ho-de-1',
    collectionCaseId: 'cc-de-1',
    view: openInvoice({
      invoiceId: 'inv-de',
      dueDate: '2025-06-20',
      balance: { minor: 100_000, currency: 'EUR' },
      amount: { minor: 100_000, currency: 'EUR' },
      customer: { type: 'business', country: 'DE', locale: 'de-DE', timeZone: 'Europe/Berlin' },
    }),
    principal: { minor: 100_000, currency: 'EUR' },
    agency: { agencyId: 'agency-a', daysToPay: 14 },
    creditor: { name: 'Telco GmbH', address: 'Beispielstraße 1, 10115 Berlin', registrationId: 'HRB 1' },
    rules: GERMANY,
    handoffAt: new Date('2025-07-20T10:00:00Z'),
  }),
);

describe('batch file agency: the drop file matches its documented format', () => {
  let dropDir: string;
  beforeEach(async () => {
    dropDir = await fs.mkdtemp(path.join(os.tmpdir(), 'collection-drop-'));
  });
  afterEach(async () => {
    await fs.rm(dropDir, { recursive: true, force: true });
  });

  const agency = () =>
    new BatchFileAgency({ agencyId: 'agency-a', dropDir, debtors: { contactOf: async (id) => (id === 'cust-1' ? { name: 'Test Debtor', postalAddress: 'Gatan 1, 111 22 Stockholm' } : undefined) } });
  const batch = { batchId: '20260510T0600Z', cutoffAt: new Date('2026-05-10T06:00:00Z'), claims: [deClaim, seClaim2, seClaim], recalls: [{ handoffId: 'ho-old', collectionCaseId: 'cc-old', reason: 'paid' as const, requestedAt: '2026-05-09T12:00:00Z' }] };

  it('writes JSON Lines and a manifest whose counts, sums per currency and SHA-256 agree with the data', async () => {
    const receipt = await agency().send(batch);
    expect(receipt.claims.map((c) => c.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(receipt.recalls).toEqual([{ handoffId: 'ho-old', outcome: 'recalled', agencyKnewCase: true }]);

    expect((await fs.readdir(dropDir)).sort()).toEqual(['agency-a_20260510T0600Z.jsonl', 'agency-a_20260510T0600Z.manifest.json']);
    const manifest = batchManifest.parse(JSON.parse(await fs.readFile(path.join(dropDir, 'agency-a_20260510T0600Z.manifest.json'), 'utf8')));
    const data = await fs.readFile(path.join(dropDir, manifest.dataFile));
    expect(createHash('sha256').update(data).digest('hex')).toBe(manifest.sha256);
    expect(data.length).toBe(manifest.dataFileBytes);

    const text = data.toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n').map((line) => batchLine.parse(JSON.parse(line)));
    expect(lines).toHaveLength(manifest.recordCount);
    const claims = lines.filter((l) => l.recordType === 'claim');
    const recalls = lines.filter((l) => l.recordType === 'recall');
    expect([claims.length, recalls.length]).toEqual([manifest.claimCount, manifest.recallCount]);
    expect(claims.map((c) => c.handoffId)).toEqual(['ho-de-1', 'ho-se-1', 'ho-se-2']); // sorted, claims before recalls
    expect(lines[lines.length - 1]!.recordType).toBe('recall');

    const sums: Record<string, { claims: number; principalMinor: number; totalMinor: number }> = {};
    for (const c of claims) {
      const entry = (sums[c.total.currency] ??= { claims: 0, principalMinor: 0, totalMinor: 0 });
      entry.claims++;
      entry.principalMinor += c.principal.minor;
      entry.totalMinor += c.total.minor;
    }
    expect(manifest.totalsByCurrency).toEqual(sums);
    expect(manifest.totalsByCurrency).toEqual({ EUR: { claims: 1, principalMinor: 100_000, totalMinor: 104_872 }, SEK: { claims: 2, principalMinor: 30_000, totalMinor: 30_000 } });

    const de = claims.find((c) => c.handoffId === 'ho-de-1')!;
    expect(de.creditor?.name).toBe('Telco GmbH');
    expect(de.basisOfClaim).toContain('invoice inv-de');
    expect(de.interest?.amount).toEqual({ minor: 872, currency: 'EUR' });
    expect(de.costs).toEqual([{ kind: 'business-flat-fee', amount: { minor: 4_000, currency: 'EUR' }, law: GERMANY.businessFlatFee!.law }]);
    const se = claims.find((c) => c.handoffId === 'ho-se-1')!;
    expect(se.daysToPay).toBe(8); // the agency asked for 5; Sweden requires 8
    expect(se.debtor).toEqual({ name: 'Test Debtor', postalAddress: 'Gatan 1, 111 22 Stockholm', email: null, phone: null });
  });

  it('re-sending the same batch leaves the same two files; a different batch under the same id is refused', async () => {
    await agency().send(batch);
    const before = await fs.readFile(path.join(dropDir, 'agency-a_20260510T0600Z.jsonl'));
    await agency().send(batch);
    expect(await fs.readdir(dropDir)).toHaveLength(2); // no temporary file left behind either
    expect((await fs.readFile(path.join(dropDir, 'agency-a_20260510T0600Z.jsonl'))).equals(before)).toBe(true);
    await expect(agency().send({ ...batch, claims: [seClaim] })).rejects.toBeInstanceOf(BatchAlreadyWrittenError);
  });

  it('reads the newest status file the agency dropped, for reconciliation', async () => {
    const inboundDir = path.join(dropDir, 'in');
    await fs.mkdir(inboundDir);
    await fs.writeFile(path.join(inboundDir, 'agency-a_status_20260509.jsonl'), '{"handoffId":"ho-x","status":"open"}\n');
    await fs.writeFile(path.join(inboundDir, 'agency-a_status_20260510.jsonl'), '{"handoffId":"ho-se-1","status":"paid"}\n{"handoffId":"ho-de-1","status":"open"}\n');
    const reports = await new BatchFileAgency({ agencyId: 'agency-a', dropDir, inboundDir }).listCases();
    expect(reports).toEqual([
      { handoffId: 'ho-se-1', status: 'paid' },
      { handoffId: 'ho-de-1', status: 'open' },
    ]);
  });
});
