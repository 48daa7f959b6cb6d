/** Where the real evaluation data comes from (../shared/data/README.md); never copied into the repository. */
export interface DataSource {
  readonly file: string;
  readonly description: string;
  readonly source: string;
  readonly licence: string;
  /** How the evaluation command is told where the file is. */
  readonly commandLineOption: string;
  readonly environmentVariable: string;
}

export const CREDIT_DEFAULT_SOURCE: DataSource = {
  file: 'uci-credit-card-default.csv',
  description: '30,000 credit-card clients in Taiwan, 2005, and whether each defaulted the next month',
  source: 'UCI Machine Learning Repository, "default of credit card clients" (Yeh & Lien, 2009, Expert Systems with Applications 36(2))',
  licence: 'CC BY 4.0',
  commandLineOption: '--credit',
  environmentVariable: 'CREDIT_DEFAULT_CSV',
};

export const HILLSTROM_SOURCE: DataSource = {
  file: 'hillstrom.csv',
  description: '64,000 customers of a randomized e-mail experiment (Mens E-Mail / Womens E-Mail / No E-Mail) and their visits',
  source: 'Kevin Hillstrom, MineThatData E-Mail Analytics and Data Mining Challenge, 2008 (published by its author for public analysis)',
  licence: 'published by its author for public analysis',
  commandLineOption: '--hillstrom',
  environmentVariable: 'HILLSTROM_CSV',
};

export function missingDataFileMessage(source: DataSource, path: string): string {
  return [
    `Data file not found: ${path}`,
    `  expected: ${source.file} — ${source.description}`,
    `  source:   ${source.source}; licence: ${source.licence}`,
    `  CI reads it from ../shared/data/${source.file}; give another path with ${source.commandLineOption} PATH or ${source.environmentVariable}=PATH.`,
  ].join('\n');
}
