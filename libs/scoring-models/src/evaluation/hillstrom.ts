/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import type { FeatureMatrix } from '../dataset/feature-matrix';
import type { ExperimentData } from '../uplift/two-model-uplift';
import { columnIndex, parseNumber, type CsvTable } from './csv';

export const HILLSTROM_TREATMENT_ARM = 'Womens E-Mail';
export const HILLSTROM_CONTROL_ARM = 'No E-Mail';
/** The third arm of the experiment, left out of this evaluation. */
export const HILLSTROM_EXCLUDED_ARM = 'Mens E-Mail';

const ZIP_CODES = ['Surburban', 'Rural', 'Urban'] as const;
const CHANNELS = ['Phone', 'Web', 'Multichannel'] as const;
const NUMERIC_COLUMNS = ['recency', 'history', 'mens', 'womens', 'newbie'] as const;

/**
 * `history_segment` is left out: it is `history` cut into bands, so the trees can find those bands
 * (and better ones) themselves.
 */
export const HILLSTROM_FEATURES: readonly string[] = [
  'recency',
  'history',
  'mens',
  'womens',
  'newbie',
  ...ZIP_CODES.map((zip) => `zip_code=${zip}`),
  ...CHANNELS.map((channel) => `channel=${channel}`),
];

export interface HillstromSplit {
  readonly training: ExperimentData;
  readonly test: ExperimentData;
}

/** Test rows: those whose 0-based row index in the original file (all three arms) is 0, 1 or 2 modulo 10. */
export function isHillstromTestRow(originalRowIndex: number): boolean {
  return originalRowIndex % 10 <= 2;
}

function oneHot<T extends string>(value: string, levels: readonly T[], column: string, row: number): number[] {
  if (!(levels as readonly string[]).includes(value)) throw new Error(`hillstrom row ${row}: ${column} "${value}" is none of ${levels.join(', ')}`);
  return levels.map((level) => (level === value ? 1 : 0));
}

/** Womens E-Mail (treatment) and No E-Mail (control) rows with the `visit` outcome, split into training and test. */
export function loadHillstromSplit(table: CsvTable): HillstromSplit {
  const numeric = NUMERIC_COLUMNS.map((name) => columnIndex(table, name));
  const zipCode = columnIndex(table, 'zip_code');
  const channel = columnIndex(table, 'channel');
  const segment = columnIndex(table, 'segment');
  const visit = columnIndex(table, 'visit');
  const parts = { training: { values: [] as number[], outcomes: [] as number[], arms: [] as string[] }, test: { values: [] as number[], outcomes: [] as number[], arms: [] as string[] } };
  table.rows.forEach((row, index) => {
    const arm = row[segment]!;
    if (arm === HILLSTROM_EXCLUDED_ARM) return;
    if (arm !== HILLSTROM_TREATMENT_ARM && arm !== HILLSTROM_CONTROL_ARM) throw new Error(`hillstrom row ${index}: unknown segment "${arm}"`);
    const outcome = parseNumber(row[visit]!, `hillstrom row ${index} visit`);
    if (outcome !== 0 && outcome !== 1) throw new Error(`hillstrom row ${index}: visit is ${outcome}, expected 0 or 1`);
    const part = isHillstromTestRow(index) ? parts.test : parts.training;
    part.values.push(
      ...numeric.map((column, k) => parseNumber(row[column]!, `hillstrom row ${index} ${NUMERIC_COLUMNS[k]}`)),
      ...oneHot(row[zipCode]!, ZIP_CODES, 'zip_code', index),
      ...oneHot(row[channel]!, CHANNELS, 'channel', index),
    );
    part.outcomes.push(outcome);
    part.arms.push(arm);
  });
  const toExperiment = (part: (typeof parts)['training']): ExperimentData => {
    const features: FeatureMatrix = { featureNames: HILLSTROM_FEATURES, rowCount: part.outcomes.length, values: Float64Array.from(part.values) };
    return { features, outcomes: Uint8Array.from(part.outcomes), arms: part.arms };
  };
  return { training: toExperiment(parts.training), test: toExperiment(parts.test) };
}

/** 1 for treated rows, 0 for control rows, as the uplift metrics expect. */
export function treatmentFlags(data: ExperimentData, treatmentArm: string): Uint8Array {
  return Uint8Array.from(data.arms, (arm) => (arm === treatmentArm ? 1 : 0));
}
