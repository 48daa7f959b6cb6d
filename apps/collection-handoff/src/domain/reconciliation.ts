import type { CollectionCase } from './collection-case';

/** A case as the agency reports it in its status listing or file. */
export type AgencyCaseStatus = 'open' | 'paid' | 'closed' | 'returned' | 'recalled';

export interface AgencyCaseReport {
  readonly handoffId: string;
  readonly status: AgencyCaseStatus;
}

export type DiscrepancyKind =
  /** We believe the agency holds the case; it does not list it. */
  | 'missing-at-agency'
  /** The agency lists a case we never handed off (or cancelled before sending). */
  | 'unknown-to-us'
  /** Both know the case, but disagree about where it stands. */
  | 'status-differs';

export interface Discrepancy {
  readonly handoffId: string;
  readonly collectionCaseId?: string | undefined;
  readonly kind: DiscrepancyKind;
  readonly ours?: string | undefined;
  readonly theirs?: AgencyCaseStatus | undefined;
}

/** The agency statuses that agree with each of our states; a checked case whose delivery started may or may not be there yet. */
const AGREEING: Readonly<Record<CollectionCase['status'], readonly (AgencyCaseStatus | 'absent')[]>> = {
  requested: ['absent'],
  cancelled: ['absent'],
  checked: ['absent', 'open'],
  'handed-off': ['open'],
  'paid-at-agency': ['paid', 'open'],
  recalled: ['recalled', 'closed', 'absent'],
  closed: ['closed'],
  returned: ['returned', 'closed'],
};

/**
 * Lists every case whose state differs between us and one agency. Pure: the daily job fetches
 * the agency's listing and our cases for that agency, and stores what this returns.
 */
export function reconcile(ours: readonly CollectionCase[], theirs: readonly AgencyCaseReport[]): Discrepancy[] {
  const reported = new Map(theirs.map((report) => [report.handoffId, report.status]));
  const discrepancies: Discrepancy[] = [];
  const known = new Set<string>();
  for (const state of ours) {
    known.add(state.handoffId);
    const theirStatus = reported.get(state.handoffId);
    // A recall we have asked for but not yet had confirmed: the agency may show either side of it.
    const agreeing = state.recall && !state.recall.recalledAt ? [...AGREEING[state.status], 'recalled', 'closed'] : AGREEING[state.status];
    if (agreeing.includes(theirStatus ?? 'absent')) continue;
    discrepancies.push({
      handoffId: state.handoffId,
      collectionCaseId: state.collectionCaseId,
      kind: theirStatus === undefined ? 'missing-at-agency' : 'status-differs',
      ours: state.status,
      theirs: theirStatus,
    });
  }
  for (const report of theirs) {
    if (!known.has(report.handoffId)) discrepancies.push({ handoffId: report.handoffId, kind: 'unknown-to-us', theirs: report.status });
  }
  return discrepancies.sort((a, b) => a.handoffId.localeCompare(b.handoffId));
}
