import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AgencyCaseReport, AgencyClaim } from '../domain';
import type { AgencyBatch, AgencyGateway, BatchReceipt, DebtorContact, DebtorDirectory, RecallInstruction } from './agency-gateway';
import { NO_DEBTOR_DIRECTORY } from './agency-gateway';
import { BATCH_FORMAT_VERSION, statusLine, type BatchManifest, type ClaimLine, type RecallLine } from './batch-file-format';

export interface BatchFileAgencyOptions {
  readonly agencyId: string;
  /** Where batch files are dropped for the agency to collect (e.g. an SFTP-synced folder). */
  readonly dropDir: string;
  /** Where the agency drops its status files (`<agencyId>_status_*.jsonl`), for reconciliation. */
  readonly inboundDir?: string | undefined;
  readonly debtors?: DebtorDirectory;
}

export class BatchAlreadyWrittenError extends Error {
  constructor(readonly file: string) {
    super(`batch file ${file} already exists with different content; a delivered batch is never overwritten`);
    this.name = 'BatchAlreadyWrittenError';
  }
}

const SAFE_NAME = /^[A-Za-z0-9._-]{1,100}$/;

export function batchFileNames(agencyId: string, batchId: string): { data: string; manifest: string } {
  if (!SAFE_NAME.test(agencyId) || !SAFE_NAME.test(batchId)) throw new Error('agency and batch ids must be file-name safe ([A-Za-z0-9._-])');
  const stem = `${agencyId}_${batchId}`;
  return { data: `${stem}.jsonl`, manifest: `${stem}.manifest.json` };
}

/**
 * A batch agency: one JSON Lines file per cut-off plus a manifest (counts, sums per currency,
 * SHA-256 of the data file), each written to a temporary name in the drop folder, flushed and
 * renamed, the manifest last — so the agency never sees half a file, and a manifest means its data
 * file is complete. Writing the same batch again (a crash before the database noted it) yields the
 * same bytes under the same names: the agency sees one file, not two.
 */
export class BatchFileAgency implements AgencyGateway {
  readonly channel = 'batch' as const;
  readonly agencyId: string;
  private readonly debtors: DebtorDirectory;

  constructor(private readonly options: BatchFileAgencyOptions) {
    this.agencyId = options.agencyId;
    this.debtors = options.debtors ?? NO_DEBTOR_DIRECTORY;
  }

  async send(batch: AgencyBatch): Promise<BatchReceipt> {
    const lines: (ClaimLine | RecallLine)[] = [];
    for (const claim of [...batch.claims].sort((a, b) => a.handoffId.localeCompare(b.handoffId))) {
      lines.push(toClaimLine(claim, await this.debtors.contactOf(claim.customerId)));
    }
    for (const recall of [...batch.recalls].sort((a, b) => a.handoffId.localeCompare(b.handoffId))) lines.push(toRecallLine(recall));
    const data = Buffer.from(lines.map((line) => `${JSON.stringify(line)}\n`).join(''), 'utf8');
    const names = batchFileNames(this.agencyId, batch.batchId);
    const manifest: BatchManifest = {
      formatVersion: BATCH_FORMAT_VERSION,
      agencyId: this.agencyId,
      batchId: batch.batchId,
      cutoffAt: batch.cutoffAt.toISOString(),
      dataFile: names.data,
      dataFileBytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      recordCount: lines.length,
      claimCount: batch.claims.length,
      recallCount: batch.recalls.length,
      totalsByCurrency: totalsByCurrency(batch.claims),
    };
    await fs.mkdir(this.options.dropDir, { recursive: true });
    await writeOnce(path.join(this.options.dropDir, names.data), data);
    await writeOnce(path.join(this.options.dropDir, names.manifest), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
    return {
      claims: batch.claims.map((claim) => ({ handoffId: claim.handoffId, outcome: 'accepted', duplicate: false })),
      // A file agency cannot tell us whether it knew the case; assume it did.
      recalls: batch.recalls.map((recall) => ({ handoffId: recall.handoffId, outcome: 'recalled', agencyKnewCase: true })),
    };
  }

  /** The newest status file the agency dropped (`<agencyId>_status_<sortable stamp>.jsonl`). */
  async listCases(): Promise<AgencyCaseReport[]> {
    const dir = this.options.inboundDir;
    if (!dir) throw new Error(`agency ${this.agencyId} has no inbound folder for status files`);
    const prefix = `${this.agencyId}_status_`;
    const files = (await fs.readdir(dir)).filter((name) => name.startsWith(prefix) && name.endsWith('.jsonl')).sort();
    const newest = files[files.length - 1];
    if (!newest) throw new Error(`no status file from agency ${this.agencyId} in the inbound folder`);
    const text = await fs.readFile(path.join(dir, newest), 'utf8');
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, index) => {
        const parsed = statusLine.safeParse(JSON.parse(line));
        if (!parsed.success) throw new Error(`${newest} line ${index + 1} is not a status record`);
        return parsed.data;
      });
  }
}

async function writeOnce(target: string, content: Buffer): Promise<void> {
  const existing = await fs.readFile(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing) {
    if (existing.equals(content)) return;
    throw new BatchAlreadyWrittenError(path.basename(target));
  }
  // Same folder, so the rename is atomic; the dot prefix keeps agencies' collectors away from it.
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temporary, 'wx');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, target);
  const dir = await fs.open(path.dirname(target), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function toClaimLine(claim: AgencyClaim, debtor: DebtorContact | undefined): ClaimLine {
  return {
    recordType: 'claim',
    handoffId: claim.handoffId,
    collectionCaseId: claim.collectionCaseId,
    invoiceId: claim.invoiceId,
    customerId: claim.customerId,
    country: claim.country,
    customerType: claim.customerType,
    issuedAt: claim.issuedAt,
    dueDate: claim.dueDate,
    handedOffOn: claim.handedOffOn,
    daysToPay: claim.daysToPay,
    payBy: claim.payBy,
    principal: claim.principal,
    interest: claim.interest
      ? {
          from: claim.interest.from,
          to: claim.interest.to,
          days: claim.interest.days,
          dayCountBasis: claim.interest.dayCountBasis,
          rounding: claim.interest.rounding,
          formula: claim.interest.formula,
          segments: claim.interest.segments.map((s) => ({ ...s })),
          amount: claim.interest.amount,
          law: claim.interest.law,
        }
      : null,
    costs: claim.costs.map((c) => ({ kind: c.kind, amount: c.amount, law: c.law })),
    total: claim.total,
    creditor: claim.creditor ? { ...claim.creditor } : null,
    basisOfClaim: claim.basisOfClaim ?? null,
    paymentReference: claim.paymentReference ?? null,
    brand: claim.brand ?? null,
    legalBasis: [...claim.legalBasis],
    debtor: debtor ? { name: debtor.name, postalAddress: debtor.postalAddress ?? null, email: debtor.email ?? null, phone: debtor.phone ?? null } : null,
  };
}

function toRecallLine(recall: RecallInstruction): RecallLine {
  return { recordType: 'recall', handoffId: recall.handoffId, collectionCaseId: recall.collectionCaseId, reason: recall.reason, requestedAt: recall.requestedAt };
}

function totalsByCurrency(claims: readonly AgencyClaim[]): BatchManifest['totalsByCurrency'] {
  const totals: Record<string, { claims: number; principalMinor: number; totalMinor: number }> = {};
  for (const claim of claims) {
    const entry = (totals[claim.total.currency] ??= { claims: 0, principalMinor: 0, totalMinor: 0 });
    entry.claims += 1;
    entry.principalMinor += claim.principal.minor;
    entry.totalMinor += claim.total.minor;
  }
  return totals;
}
