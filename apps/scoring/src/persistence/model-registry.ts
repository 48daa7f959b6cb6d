import type { SqlClient } from '@dunning/event-store';
import { deserializeClassifier, deserializeUpliftModel } from '@dunning/scoring-models';
import type { ComputedScore, LastTraining, ModelBundle, ModelCandidate, ModelMetrics, ModelRole } from '../domain';
import { iso } from './scoring-store';

// The model registry: every trained version with its window, features, metrics, card and the
// serialized models; at most one champion (serves) and one challenger (scored in the shadow).

export interface ModelVersionSummary {
  readonly version: string;
  readonly role: ModelRole;
  readonly roleReason: string;
  readonly classifier: string;
  readonly trainingWindow: { readonly from: string; readonly to: string };
  readonly trainingRows: number;
  readonly featureNames: readonly string[];
  readonly metrics: ModelMetrics;
  readonly seed: number;
  readonly contentHash: string;
  readonly trainedAt: string;
  readonly trainingMs: number;
}

export interface ModelVersionDetail extends ModelVersionSummary {
  readonly modelCard: string;
}

interface VersionRow {
  version: string;
  role: ModelRole;
  role_reason: string;
  classifier: string;
  training_window_from: Date;
  training_window_to: Date;
  training_rows: number;
  feature_names: string[];
  metrics: ModelMetrics;
  seed: number;
  content_hash: string;
  trained_at: Date;
  training_ms: number;
  model_card?: string;
}

const SUMMARY_COLUMNS = `version, role, role_reason, classifier, training_window_from, training_window_to, training_rows, feature_names, metrics, seed, content_hash, trained_at, training_ms`;

const toSummary = (row: VersionRow): ModelVersionSummary => ({
  version: row.version,
  role: row.role,
  roleReason: row.role_reason,
  classifier: row.classifier,
  trainingWindow: { from: iso(row.training_window_from), to: iso(row.training_window_to) },
  trainingRows: row.training_rows,
  featureNames: row.feature_names,
  metrics: row.metrics,
  seed: row.seed,
  contentHash: row.content_hash,
  trainedAt: iso(row.trained_at),
  trainingMs: row.training_ms,
});

/** The role of a registered version, or undefined when it is not registered. */
export async function roleOf(client: SqlClient, version: string): Promise<ModelRole | undefined> {
  const { rows } = await client.query<{ role: ModelRole }>(`SELECT role FROM scoring.model_versions WHERE version = $1`, [version]);
  return rows[0]?.role;
}

/** Registers a version in a role; the previous holder of that role (and a champion's challenger) retires. */
export async function registerVersion(
  client: SqlClient,
  candidate: ModelCandidate,
  card: string,
  role: 'champion' | 'challenger',
  reason: string,
  trainedAt: Date,
  trainingMs: number,
): Promise<void> {
  await retireRole(client, role, trainedAt);
  await client.query(
    `INSERT INTO scoring.model_versions (version, content_hash, classifier, role, feature_names, training_window_from, training_window_to, training_rows, seed,
       metrics, model_card, probability_model, uplift_model, role_reason, trained_at, training_ms, role_changed_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10::jsonb, $11, $12::jsonb, $13::jsonb, $14, $15, $16, $15)`,
    [
      candidate.version,
      candidate.contentHash,
      candidate.classifier,
      role,
      JSON.stringify(candidate.featureNames),
      candidate.trainingWindow.from,
      candidate.trainingWindow.to,
      candidate.metrics.training.rows,
      candidate.seed,
      JSON.stringify(candidate.metrics),
      card,
      JSON.stringify(candidate.probabilityModel),
      candidate.upliftModel === undefined ? null : JSON.stringify(candidate.upliftModel),
      reason,
      trainedAt,
      Math.round(trainingMs),
    ],
  );
}

async function retireRole(client: SqlClient, role: 'champion' | 'challenger', now: Date): Promise<void> {
  await client.query(`UPDATE scoring.model_versions SET role = 'retired', role_reason = $2, role_changed_at = $3 WHERE role = $1`, [role, `replaced as ${role}`, now]);
}

/** Makes a registered version champion by hand (e.g. a challenger that proved itself in the shadow). */
export async function promoteVersion(client: SqlClient, version: string, reason: string, now: Date): Promise<boolean> {
  const { rows } = await client.query<{ role: ModelRole }>(`SELECT role FROM scoring.model_versions WHERE version = $1 FOR UPDATE`, [version]);
  if (rows.length === 0) return false;
  if (rows[0]?.role === 'champion') return true;
  await retireRole(client, 'champion', now);
  await client.query(`UPDATE scoring.model_versions SET role = 'champion', role_reason = $2, role_changed_at = $3 WHERE version = $1`, [version, reason, now]);
  return true;
}

export async function loadBundle(client: SqlClient, role: 'champion' | 'challenger'): Promise<ModelBundle | undefined> {
  const { rows } = await client.query<{ version: string; probability_model: unknown; uplift_model: unknown }>(
    `SELECT version, probability_model, uplift_model FROM scoring.model_versions WHERE role = $1`,
    [role],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    version: row.version,
    probability: deserializeClassifier(row.probability_model),
    ...(row.uplift_model ? { uplift: deserializeUpliftModel(row.uplift_model) } : {}),
  };
}

export async function roleVersions(client: SqlClient): Promise<{ champion?: string; challenger?: string }> {
  const { rows } = await client.query<{ version: string; role: ModelRole }>(`SELECT version, role FROM scoring.model_versions WHERE role IN ('champion', 'challenger')`);
  const result: { champion?: string; challenger?: string } = {};
  for (const row of rows) if (row.role === 'champion' || row.role === 'challenger') result[row.role] = row.version;
  return result;
}

export async function listVersions(client: SqlClient): Promise<ModelVersionSummary[]> {
  const { rows } = await client.query<VersionRow>(`SELECT ${SUMMARY_COLUMNS} FROM scoring.model_versions ORDER BY trained_at DESC, version`);
  return rows.map(toSummary);
}

export async function getVersion(client: SqlClient, version: string): Promise<ModelVersionDetail | undefined> {
  const { rows } = await client.query<VersionRow>(`SELECT ${SUMMARY_COLUMNS}, model_card FROM scoring.model_versions WHERE version = $1`, [version]);
  const row = rows[0];
  return row ? { ...toSummary(row), modelCard: row.model_card ?? '' } : undefined;
}

export async function recordTrainingRun(
  client: SqlClient,
  run: { startedAt: Date; trigger: 'on-demand' | 'schedule'; outcomeCount: number; result: 'trained' | 'unchanged' | 'insufficient'; version?: string; reason: string },
): Promise<void> {
  await client.query(`INSERT INTO scoring.training_runs (started_at, trigger, outcome_count, result, version, reason) VALUES ($1, $2, $3, $4, $5, $6)`, [
    run.startedAt,
    run.trigger,
    run.outcomeCount,
    run.result,
    run.version ?? null,
    run.reason,
  ]);
}

/** The last run that produced (or re-found) a model: the schedule counts new outcomes from there. */
export async function lastTraining(client: SqlClient): Promise<LastTraining | undefined> {
  const { rows } = await client.query<{ started_at: Date; outcome_count: number }>(
    `SELECT started_at, outcome_count FROM scoring.training_runs WHERE result IN ('trained', 'unchanged') ORDER BY run_id DESC LIMIT 1`,
  );
  const row = rows[0];
  return row ? { at: iso(row.started_at), outcomeCount: row.outcome_count } : undefined;
}

export async function insertScore(
  client: SqlClient,
  score: ComputedScore,
  trigger: 'overdue' | 'request',
  challenger: { version: string; probability: number } | undefined,
): Promise<void> {
  await client.query(
    `INSERT INTO scoring.scores (score_id, invoice_id, customer_id, computed_at, trigger, model_version, basis, probability, uplift, reasons, features, challenger_version, challenger_probability)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11::jsonb, $12, $13)`,
    [
      score.scoreId,
      score.invoiceId,
      score.customerId,
      score.computedAt,
      trigger,
      score.modelVersion,
      score.basis,
      score.probabilityPaysWithoutCollection,
      JSON.stringify(score.uplift),
      JSON.stringify(score.reasons),
      JSON.stringify(score.features),
      challenger?.version ?? null,
      challenger?.probability ?? null,
    ],
  );
}
