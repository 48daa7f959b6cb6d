import { quoteIdentifier, type SqlPool } from '@dunning/messaging';
import type { AgencyGateway } from '../agency/agency-gateway';
import { reconcile, type Discrepancy } from '../domain';
import type { CaseStore } from '../persistence/case-store';

export interface ReconciliationRun {
  readonly agencyId: string;
  readonly ranAt: string;
  readonly ourCases: number;
  readonly agencyCases: number;
  readonly discrepancies: readonly Discrepancy[];
  readonly error?: string | undefined;
}

/**
 * The daily reconciliation: per agency, our cases against the agency's listing (API) or its
 * latest status file; the differences are stored and served at GET /reconciliation/latest.
 * It only lists: acting on a difference is a person's call.
 */
export class ReconciliationJob {
  private readonly runs: string;

  constructor(private readonly deps: { readonly pool: SqlPool; readonly schema: string; readonly cases: CaseStore; readonly gateways: ReadonlyMap<string, AgencyGateway>; readonly clock: () => Date }) {
    this.runs = `${quoteIdentifier(deps.schema)}.reconciliation_runs`;
  }

  async runAll(): Promise<ReconciliationRun[]> {
    const results: ReconciliationRun[] = [];
    for (const gateway of this.deps.gateways.values()) results.push(await this.runFor(gateway));
    return results;
  }

  async runFor(gateway: AgencyGateway): Promise<ReconciliationRun> {
    const ranAt = this.deps.clock().toISOString();
    const ours = await this.deps.cases.ofAgency(this.deps.pool, gateway.agencyId);
    let run: ReconciliationRun;
    try {
      const theirs = await gateway.listCases();
      run = { agencyId: gateway.agencyId, ranAt, ourCases: ours.length, agencyCases: theirs.length, discrepancies: reconcile(ours, theirs) };
    } catch (error) {
      run = { agencyId: gateway.agencyId, ranAt, ourCases: ours.length, agencyCases: 0, discrepancies: [], error: error instanceof Error ? error.message.slice(0, 500) : 'unknown error' };
    }
    await this.deps.pool.query(`INSERT INTO ${this.runs} (agency_id, ran_at, our_cases, agency_cases, discrepancies, error) VALUES ($1, $2, $3, $4, $5, $6)`, [
      run.agencyId,
      run.ranAt,
      run.ourCases,
      run.agencyCases,
      JSON.stringify(run.discrepancies),
      run.error ?? null,
    ]);
    return run;
  }

  async latest(): Promise<ReconciliationRun[]> {
    const { rows } = await this.deps.pool.query<{ agency_id: string; ran_at: Date; our_cases: number; agency_cases: number; discrepancies: Discrepancy[]; error: string | null }>(
      `SELECT DISTINCT ON (agency_id) agency_id, ran_at, our_cases, agency_cases, discrepancies, error FROM ${this.runs} ORDER BY agency_id, ran_at DESC, run_id DESC`,
    );
    return rows.map((r) => ({ agencyId: r.agency_id, ranAt: r.ran_at.toISOString(), ourCases: r.our_cases, agencyCases: r.agency_cases, discrepancies: r.discrepancies, error: r.error ?? undefined }));
  }
}
