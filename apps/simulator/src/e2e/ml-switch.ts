// The switch to the ML-driven policy (docs/simulator.md, "The main job"): at the switch instant the
// policy's second experiment (ml-policy vs collection-as-before) starts by itself; before it, scoring
// retrains on what it knows — the first experiment's outcomes whose window has closed — and the new
// version must be the champion, with an uplift model, so that the scores published from then on
// carry `uplift.collection-handoff` and the segments that depend on it can match.
//
//   POST /models/retrain            → { result: trained|unchanged|insufficient, version, role, reason, metrics }
//   POST /models/<version>/promote  → { champion }   (when the promotion rule kept it as challenger)
//   GET  /models                    → { champion, challenger, versions }

export interface MlSwitchRecord {
  readonly at: string;
  /** The champion after the switch (undefined: scoring could not train; the prior keeps scoring). */
  readonly version: string | undefined;
  readonly how: 'trained and promoted by its rule' | 'trained, promoted by the simulator' | 'already registered' | 'not trained';
  readonly reason: string;
  readonly trainingRows: number | undefined;
  readonly upliftTreatments: readonly string[];
  /** Per treatment: rows and the effect observed in the training data (paid rate difference). */
  readonly upliftDetail: ReadonlyArray<{ readonly treatment: string; readonly rows: number; readonly observedEffect: number }>;
  readonly trainingMs: number | undefined;
}

interface RetrainAnswer {
  readonly result: 'trained' | 'unchanged' | 'insufficient';
  readonly version?: string;
  readonly role?: string;
  readonly reason?: string;
  readonly labelledRows?: number;
  readonly trainingMs?: number;
  readonly metrics?: {
    readonly training?: { readonly rows: number };
    readonly uplift?: { readonly controlRows?: number; readonly treatments?: ReadonlyArray<{ treatment: string; rows: number; observedEffect: number }> };
  };
}

type Fetch = typeof fetch;

async function call<T>(fetchImpl: Fetch, method: 'GET' | 'POST', url: string): Promise<T> {
  const response = await fetchImpl(url, { method, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(600_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`scoring: ${method} ${new URL(url).pathname} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export async function switchToMlPolicy(options: { readonly scoringUrl: string; readonly at: string; readonly log?: (line: string) => void; readonly fetch?: Fetch }): Promise<MlSwitchRecord> {
  const fetchImpl = options.fetch ?? fetch;
  const retrain = await call<RetrainAnswer>(fetchImpl, 'POST', `${options.scoringUrl}/models/retrain`);
  const treatments = retrain.metrics?.uplift?.treatments ?? [];
  const base = {
    at: options.at,
    reason: retrain.reason ?? '',
    // A trained model reports its rows in its metrics; an 'insufficient' answer says how many there were.
    trainingRows: retrain.metrics?.training?.rows ?? retrain.labelledRows,
    upliftTreatments: treatments.map((t) => t.treatment),
    upliftDetail: treatments.map((t) => ({ treatment: t.treatment, rows: t.rows, observedEffect: t.observedEffect })),
    trainingMs: retrain.trainingMs,
  };
  if (retrain.result === 'insufficient' || !retrain.version) return { ...base, version: undefined, how: 'not trained' };
  let how: MlSwitchRecord['how'] = retrain.result === 'unchanged' ? 'already registered' : 'trained and promoted by its rule';
  if (retrain.role !== 'champion') {
    options.log?.(`simulator: scoring kept ${retrain.version} as ${retrain.role ?? 'no role'} (${retrain.reason ?? ''}); promoting it, as the main job's design says`);
    await call(fetchImpl, 'POST', `${options.scoringUrl}/models/${encodeURIComponent(retrain.version)}/promote`);
    how = 'trained, promoted by the simulator';
  }
  const registry = await call<{ champion: string | null }>(fetchImpl, 'GET', `${options.scoringUrl}/models`);
  if (registry.champion !== retrain.version) throw new Error(`scoring: after the switch the champion is ${registry.champion ?? 'none'}, not ${retrain.version}`);
  return { ...base, version: retrain.version, how };
}
