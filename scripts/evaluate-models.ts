/**
 * Evaluates the scoring models on the real data sets in ../shared/data (never copied into the
 * repository), prints the targets (credit; Hillstrom for the issue's reference model, reproduced, and for
 * the learner chosen by cross-validation) and whether each was met.
 *
 *   npx ts-node --transpile-only scripts/evaluate-models.ts \
 *     --credit ../shared/data/uci-credit-card-default.csv --hillstrom ../shared/data/hillstrom.csv
 *
 * Paths may also come from CREDIT_DEFAULT_CSV and HILLSTROM_CSV; without either, the files are
 * looked for in ../shared/data beside the repository. `--out` sets the JSON report
 * (default tmp/reports/model-evaluation.json); `--tune` also runs the cross-validation on the
 * training rows that chose the configurations (slow: several minutes).
 *
 * Exit codes: 0 when the evaluation ran, a missed target included (it is printed as
 * "target missed"); 1 with `--strict` when a target is missed; 2 for a missing data file or a bad
 * argument. docs/scoring-models.md says why a missed Hillstrom target does not fail CI by default.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
// A relative import: the command runs under plain ts-node, without the path-alias resolver.
import {
  CREDIT_DEFAULT_SOURCE,
  evaluateCreditDefault,
  evaluateHillstrom,
  HILLSTROM_CHOSEN_CANDIDATE,
  HILLSTROM_FOLDS,
  HILLSTROM_SOURCE,
  loadCreditDefaultSplit,
  loadHillstromSplit,
  missingDataFileMessage,
  parseCsv,
  tuneCreditDefault,
  tuneHillstrom,
  type CandidateScore,
  type CreditDefaultEvaluation,
  type DataSource,
  type HillstromEvaluation,
  type HillstromTuning,
  type TargetCheck,
  type UpliftCandidateScore,
  evaluationExitCode,
  targetVerdict,
} from '../libs/scoring-models/src';

const repositoryRoot = path.resolve(__dirname, '..');
const defaultDataFolder = path.resolve(repositoryRoot, '..', 'shared', 'data');

interface Arguments {
  readonly creditPath: string;
  readonly hillstromPath: string;
  readonly outputPath: string;
  readonly tune: boolean;
  readonly strict: boolean;
}

function parseArguments(argv: readonly string[]): Arguments {
  const values = new Map<string, string>();
  let tune = false;
  let strict = false;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i]!;
    if (argument === '--tune') {
      tune = true;
    } else if (argument === '--strict') {
      strict = true;
    } else if (argument === '--credit' || argument === '--hillstrom' || argument === '--out') {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${argument} needs a path`);
      values.set(argument, value);
    } else {
      throw new Error(`unknown argument ${argument} (expected --credit PATH, --hillstrom PATH, --out PATH, --tune, --strict)`);
    }
  }
  return {
    creditPath: path.resolve(values.get('--credit') ?? process.env[CREDIT_DEFAULT_SOURCE.environmentVariable] ?? path.join(defaultDataFolder, CREDIT_DEFAULT_SOURCE.file)),
    hillstromPath: path.resolve(values.get('--hillstrom') ?? process.env[HILLSTROM_SOURCE.environmentVariable] ?? path.join(defaultDataFolder, HILLSTROM_SOURCE.file)),
    outputPath: path.resolve(values.get('--out') ?? path.join(repositoryRoot, 'tmp', 'reports', 'model-evaluation.json')),
    tune,
    strict,
  };
}

function readDataFile(filePath: string, source: DataSource): string | undefined {
  if (!fs.existsSync(filePath)) {
    console.error(missingDataFileMessage(source, filePath));
    return undefined;
  }
  return fs.readFileSync(filePath, 'utf8');
}

const fixed = (value: number, digits = 4) => value.toFixed(digits);

function printCredit(evaluation: CreditDefaultEvaluation): void {
  const first = evaluation.models[0]!;
  console.log(`\nuci-credit-card-default — P(default next month); ${evaluation.split}`);
  console.log(`  features: ${evaluation.features.join(', ')} (X2–X5 excluded: protected attributes)`);
  console.log(`  rows: ${first.trainingRows} training, ${first.testRows} test; default rate in test ${fixed(evaluation.positiveRateTest, 3)}`);
  console.log(`  ${'model'.padEnd(36)} ${'ROC AUC'.padStart(8)} ${'log loss'.padStart(9)} ${'Brier'.padStart(7)} ${'train ms'.padStart(9)} ${'µs/row'.padStart(7)}`);
  for (const model of evaluation.models) {
    console.log(
      `  ${model.model.padEnd(36)} ${fixed(model.rocAuc).padStart(8)} ${fixed(model.logLoss).padStart(9)} ${fixed(model.brierScore).padStart(7)} ${model.trainingMilliseconds.toFixed(0).padStart(9)} ${model.predictionMicrosecondsPerRow.toFixed(1).padStart(7)}`,
    );
  }
  for (const model of evaluation.models) console.log(`    ${model.model}: ${model.description}`);
}

function printHillstrom(evaluation: HillstromEvaluation): void {
  const first = evaluation.models[0]!;
  console.log(`\nhillstrom — uplift of "${evaluation.treatmentArm}" vs "${evaluation.controlArm}" on ${evaluation.outcome}; ${evaluation.split}`);
  console.log(`  features: ${evaluation.features.join(', ')}`);
  console.log(
    `  rows: training ${first.trainingRows.treated} treated + ${first.trainingRows.control} control; test ${first.testRows.treated} + ${first.testRows.control}; average effect in test ${fixed(evaluation.averageTreatmentEffectTest)}`,
  );
  console.log(`  ${'model'.padEnd(36)} ${'uplift@30%'.padStart(10)} ${'Qini'.padStart(7)} ${'train ms'.padStart(9)}`);
  for (const model of evaluation.models) {
    console.log(`  ${model.model.padEnd(36)} ${fixed(model.upliftAt30).padStart(10)} ${fixed(model.qini).padStart(7)} ${model.trainingMilliseconds.toFixed(0).padStart(9)}`);
  }
  for (const model of evaluation.models) console.log(`    ${model.model}: ${model.description}`);
}

function printTuning(title: string, metric: string, scores: readonly CandidateScore[]): void {
  console.log(`\n${title} — cross-validation on the training rows (${metric}, mean over folds)`);
  for (const score of scores) {
    console.log(`  ${score.candidate.padEnd(30)} ${fixed(score.meanScore)}  [${score.foldScores.map((s) => fixed(s, 3)).join(' ')}]  ${score.description}`);
  }
}

const signed = (value: number) => `${value >= 0 ? '+' : '−'}${fixed(Math.abs(value))}`;

function printUpliftScores(scores: readonly UpliftCandidateScore[]): void {
  console.log(`  ${'candidate'.padEnd(40)} ${'uplift@30%'.padStart(10)} ${'fold sd'.padStart(7)} ${'vs T-learner ± se'.padStart(17)} ${'Qini'.padStart(7)} ${'vs T-learner ± se'.padStart(17)} ${'fit ms'.padStart(6)}`);
  for (const score of scores) {
    console.log(
      `  ${score.candidate.padEnd(40)} ${fixed(score.upliftAtK.mean).padStart(10)} ${fixed(score.upliftAtK.standardDeviation).padStart(7)} ${`${signed(score.upliftAtKVersusBaseline.mean)} ± ${fixed(score.upliftAtKVersusBaseline.standardError)}`.padStart(17)} ${fixed(score.qini.mean).padStart(7)} ${`${signed(score.qiniVersusBaseline.mean)} ± ${fixed(score.qiniVersusBaseline.standardError)}`.padStart(17)} ${score.meanTrainingMilliseconds.toFixed(0).padStart(6)}`,
    );
  }
}

function printHillstromTuning(tuning: HillstromTuning): void {
  const folds = tuning.selection[0]!.folds.length;
  console.log(`\nhillstrom — selection: cross-validation on the training rows (${HILLSTROM_FOLDS} folds × ${folds / HILLSTROM_FOLDS} fold seeds; the test rows are not used)`);
  printUpliftScores(tuning.selection);
  for (const score of tuning.selection) console.log(`    ${score.candidate}: ${score.description}`);
  console.log(`\nhillstrom — confirmation: the finalists (${tuning.finalists.join(', ')}) and the baseline on fresh fold seeds`);
  printUpliftScores(tuning.confirmation);
  console.log(`\n  chosen: ${tuning.chosen} (pooled uplift@30% over both runs ${fixed(tuning.chosenPooledUpliftAt30)})`);
  if (tuning.chosen !== HILLSTROM_CHOSEN_CANDIDATE) {
    console.log(`  NOTE: the evaluation uses ${HILLSTROM_CHOSEN_CANDIDATE}; this run would choose ${tuning.chosen}: update HILLSTROM_CHOSEN_CANDIDATE and the docs`);
  }
}

function main(): number {
  let args: Arguments;
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const creditText = readDataFile(args.creditPath, CREDIT_DEFAULT_SOURCE);
  const hillstromText = readDataFile(args.hillstromPath, HILLSTROM_SOURCE);
  if (creditText === undefined || hillstromText === undefined) return 2;

  const creditTable = parseCsv(creditText);
  const hillstromTable = parseCsv(hillstromText);
  const clock = () => performance.now();
  const credit = evaluateCreditDefault(creditTable, clock);
  printCredit(credit);
  const hillstrom = evaluateHillstrom(hillstromTable, clock);
  printHillstrom(hillstrom);

  let tuning: { credit: CandidateScore[]; hillstrom: HillstromTuning } | undefined;
  if (args.tune) {
    const credit = tuneCreditDefault(loadCreditDefaultSplit(creditTable));
    printTuning('uci-credit-card-default', 'ROC AUC, 5 folds', credit);
    const hillstromTuning = tuneHillstrom(loadHillstromSplit(hillstromTable), {
      clock,
      onFold: (stage, seed, fold) => process.stderr.write(`  hillstrom ${stage}: fold seed ${seed}, fold ${fold + 1}/${HILLSTROM_FOLDS} done\n`),
    });
    printHillstromTuning(hillstromTuning);
    tuning = { credit, hillstrom: hillstromTuning };
  }

  const targets: TargetCheck[] = [credit.target, hillstrom.referenceTarget, hillstrom.target];
  console.log('\ntargets');
  for (const target of targets) {
    console.log(`  ${targetVerdict(target).padEnd(13)}  ${target.description} (${target.model}): ${fixed(target.achieved)}, required ≥ ${target.required}`);
  }
  const allMet = targets.every((t) => t.met);
  if (!allMet) {
    console.log(
      args.strict
        ? '\n--strict: exiting 1 because a target was missed'
        : '\na target was missed (see docs/scoring-models.md for why); exiting 0 — pass --strict to fail on a missed target',
    );
  }
  fs.mkdirSync(path.dirname(args.outputPath), { recursive: true });
  fs.writeFileSync(
    args.outputPath,
    JSON.stringify({ credit, hillstrom, ...(tuning ? { tuning } : {}), targets, allTargetsMet: allMet }, null, 2) + '\n',
  );
  console.log(`\nreport written to ${path.relative(process.cwd(), args.outputPath)}`);
  return evaluationExitCode(targets, args.strict);
}

process.exitCode = main();
