import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EpochDay } from '../../domain/calendar';
import type { ContactDirectory } from '../../domain/contact-directory';
import { demandOfClaim } from '../../domain/message-reading';
import type { SeenCollectionDemand } from '../../domain/seen-message';

interface Claim {
  readonly recordType?: string;
  readonly handoffId?: string;
  readonly customerId?: string;
  readonly invoiceId?: string;
  readonly debtor?: { readonly email?: string | null; readonly phone?: string | null } | null;
}

/**
 * Collection demands, as the agencies would send them: every claim a batch agency received in its
 * drop folder (`<agency>_<batch>.jsonl` + `.manifest.json`, written last, see docs/collection-handoff.md)
 * becomes a demand to the customer on the day it is read. One demand per hand-off id.
 */
export class BatchAgencyInbox {
  private readonly seenBatches = new Set<string>();
  private readonly seenHandoffs = new Set<string>();

  constructor(
    private readonly directory: ContactDirectory,
    private readonly agencies: ReadonlyArray<{ readonly agencyId: string; readonly dropDir: string }>,
  ) {}

  async skipExisting(): Promise<void> {
    for (const agency of this.agencies) for (const manifest of await manifestsIn(agency.dropDir)) this.seenBatches.add(join(agency.dropDir, manifest));
  }

  async collect(day: EpochDay): Promise<SeenCollectionDemand[]> {
    const result: SeenCollectionDemand[] = [];
    for (const agency of this.agencies) {
      for (const manifestName of await manifestsIn(agency.dropDir)) {
        const key = join(agency.dropDir, manifestName);
        if (this.seenBatches.has(key)) continue;
        this.seenBatches.add(key);
        const manifest = JSON.parse(await readFile(key, 'utf8')) as { dataFile?: string };
        if (!manifest.dataFile) continue;
        const lines = (await readFile(join(agency.dropDir, manifest.dataFile), 'utf8')).split('\n').filter((line) => line.trim() !== '');
        for (const line of lines) {
          const claim = JSON.parse(line) as Claim;
          if (claim.recordType !== 'claim') continue;
          const demand = this.demand(claim, agency.agencyId, day);
          if (demand) result.push(demand);
        }
      }
    }
    return result;
  }

  private demand(claim: Claim, agencyId: string, day: EpochDay): SeenCollectionDemand | undefined {
    const id = claim.handoffId ?? `${agencyId}/${claim.invoiceId ?? ''}`;
    if (this.seenHandoffs.has(id)) return undefined;
    const demand = demandOfClaim(claim, agencyId, day, this.directory);
    if (demand) this.seenHandoffs.add(id);
    return demand;
  }
}

/**
 * Collection demands from a REST agency played by WireMock: the claims POSTed to `<path>/claims`,
 * read from WireMock's request journal (`POST /__admin/requests/find`). One demand per hand-off id
 * (the agency API is idempotent on it; retries repeat the request).
 */
export class RestAgencyInbox {
  private readonly seenRequests = new Set<string>();
  private readonly seenHandoffs = new Set<string>();

  constructor(
    private readonly directory: ContactDirectory,
    private readonly options: { readonly wiremockUrl: string; readonly agencies: ReadonlyArray<{ readonly agencyId: string; readonly claimsPath: string }>; readonly fetch?: typeof fetch },
  ) {}

  async skipExisting(): Promise<void> {
    for (const agency of this.options.agencies) for (const request of await this.requests(agency.claimsPath)) this.seenRequests.add(request.id);
  }

  async collect(day: EpochDay): Promise<SeenCollectionDemand[]> {
    const result: SeenCollectionDemand[] = [];
    for (const agency of this.options.agencies) {
      for (const request of await this.requests(agency.claimsPath)) {
        if (this.seenRequests.has(request.id)) continue;
        this.seenRequests.add(request.id);
        let claim: Claim;
        try {
          claim = JSON.parse(request.body) as Claim;
        } catch {
          continue;
        }
        const id = claim.handoffId ?? `${agency.agencyId}/${claim.invoiceId ?? ''}`;
        if (this.seenHandoffs.has(id)) continue;
        const demand = demandOfClaim(claim, agency.agencyId, day, this.directory);
        if (!demand) continue;
        this.seenHandoffs.add(id);
        result.push(demand);
      }
    }
    return result;
  }

  private async requests(claimsPath: string): Promise<Array<{ id: string; body: string }>> {
    const response = await (this.options.fetch ?? fetch)(`${this.options.wiremockUrl}/__admin/requests/find`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'POST', urlPath: claimsPath }),
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`WireMock request journal: HTTP ${response.status}`);
    const found = (await response.json()) as { requests?: Array<{ id?: string; loggedDate?: number; body?: string; url?: string }> };
    return (found.requests ?? []).map((r, i) => ({ id: r.id ?? `${r.loggedDate ?? 0}-${i}`, body: r.body ?? '' }));
  }
}

async function manifestsIn(directory: string): Promise<string[]> {
  try {
    return (await readdir(directory)).filter((name) => name.endsWith('.manifest.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
