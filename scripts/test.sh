#!/usr/bin/env bash
# The README's test command: installs what is missing, brings up the real infrastructure
# (Kafka broker, PostgreSQL, peers), runs every test tier, stops what it started, and ends
# with the line "N passed, N failed[, N skipped]" built from jest's own results.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

[ -d node_modules ] || npm ci --no-audit --no-fund

started_kafka=0
if ! bash deploy/local/kafka.sh status >/dev/null 2>&1; then started_kafka=1; fi
cleanup() {
  if [ "$started_kafka" = 1 ] && [ "${KEEP_INFRA:-0}" != 1 ]; then bash deploy/local/down.sh >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

bash deploy/local/up.sh || { echo "infrastructure failed to start"; echo "0 passed, 1 failed"; exit 1; }

summary="$repo/tmp/jest-summary.json"
rm -f "$summary"
JEST_SUMMARY_FILE="$summary" npx jest --config jest.config.ts --maxWorkers=2 "$@"
jest_status=$?

if [ ! -f "$summary" ]; then
  echo "jest produced no results (exit $jest_status)"
  echo "0 passed, 1 failed"
  exit 1
fi
line=$(node -e '
  const s = require(process.argv[1]);
  let line = `${s.passed} passed, ${s.failed} failed`;
  if (s.skipped > 0) line += `, ${s.skipped} skipped`;
  console.log(line);
  process.exit(s.failed > 0 || s.suitesFailed > 0 ? 1 : 0);
' "$summary")
summary_status=$?
echo "$line"
if [ $jest_status -ne 0 ] || [ $summary_status -ne 0 ]; then exit 1; fi
