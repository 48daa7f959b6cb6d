import type { LocalDate } from './calendar-date';

/** A rate that applies between two dates (both inclusive), in basis points (1 % = 100 bps). */
export interface DatedRate {
  readonly validFrom: LocalDate;
  readonly validTo: LocalDate;
  readonly rateBps: number;
  readonly source: string;
}

/**
 * The German Basiszinssatz (§ 247 BGB), the one table of it in the platform.
 *
 * Where the figures come from: the Deutsche Bundesbank publishes the Basiszinssatz for each
 * half-year, effective 1 January and 1 July (bundesbank.de, "Basiszinssatz"). Data, not code: when
 * the next half-year is published, append one row here — both the orchestrator's reminders and the
 * collection hand-off's claims read it.
 *
 * A day after the last `validTo` has an UNKNOWN base rate. It is never guessed or carried forward:
 * `baseRateOn` answers `undefined` and the interest calculation answers `base-rate-unknown`, so a
 * caller leaves the interest out (or refuses the claim) instead of stating a wrong amount.
 */
export const GERMAN_BASE_RATES: readonly DatedRate[] = [
  { validFrom: '2023-01-01', validTo: '2023-06-30', rateBps: 162, source: 'Deutsche Bundesbank, Basiszinssatz 1.1.2023' },
  { validFrom: '2023-07-01', validTo: '2023-12-31', rateBps: 312, source: 'Deutsche Bundesbank, Basiszinssatz 1.7.2023' },
  { validFrom: '2024-01-01', validTo: '2024-06-30', rateBps: 362, source: 'Deutsche Bundesbank, Basiszinssatz 1.1.2024' },
  { validFrom: '2024-07-01', validTo: '2024-12-31', rateBps: 337, source: 'Deutsche Bundesbank, Basiszinssatz 1.7.2024' },
  { validFrom: '2025-01-01', validTo: '2025-06-30', rateBps: 227, source: 'Deutsche Bundesbank, Basiszinssatz 1.1.2025' },
  { validFrom: '2025-07-01', validTo: '2025-12-31', rateBps: 127, source: 'Deutsche Bundesbank, Basiszinssatz 1.7.2025' },
  { validFrom: '2026-01-01', validTo: '2026-06-30', rateBps: 127, source: 'Deutsche Bundesbank, Basiszinssatz 1.1.2026' },
];

/** The rate in force on `date`, or `undefined` when the table does not cover it (never a guess). */
export function baseRateOn(rates: readonly DatedRate[], date: LocalDate): DatedRate | undefined {
  return rates.find((rate) => rate.validFrom <= date && date <= rate.validTo);
}
