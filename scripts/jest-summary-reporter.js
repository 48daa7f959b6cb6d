// Writes the run's counts to a file so that .ci/run can print its closing line from the
// test runner's own results rather than by scraping console output.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const summary = {
      passed: results.numPassedTests,
      failed,
      skipped: results.numPendingTests + results.numTodoTests,
      suitesFailed: results.numFailedTestSuites,
    };
    const file = process.env.JEST_SUMMARY_FILE || path.join(process.cwd(), 'tmp', 'jest-summary.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(summary));
  }
}
module.exports = SummaryReporter;
