#!/usr/bin/env bash
# The main job (issue 9): one command that starts the broker, the databases, the peers and the five
# services on one simulated clock, runs the billing simulator end to end — six months of a telecom
# customer base: the seeds' three-arm experiment until 2026-05-01, then the ML-driven policy learned
# from it against collection as before — writes the report and stops what it started.
#
#   bash scripts/main-job.sh                    # default size (MAIN_JOB_CUSTOMERS)
#   MAIN_JOB_CUSTOMERS=5000 bash scripts/main-job.sh
#   bash scripts/main-job.sh --customers 800 --seed 3     # any simulator flag is passed on
#
# Writes tmp/reports/main-job/simulation-report.html (+ simulation-summary.txt/.json,
# simulation-invoices.jsonl, platform.log), prints the summary tables and the ML-vs-collection
# headline, exits non-zero if anything failed. docs/simulator.md, "The main job", has the figures.
#
# Knobs (all optional):
#   MAIN_JOB_CUSTOMERS     size of the customer base (default below: what fits 15 minutes on 2 cores)
#   MAIN_JOB_SEED          the simulator's seed (default 1)
#   MAIN_JOB_OUT           report folder (default tmp/reports/main-job)
#   MAIN_JOB_TRACES        zipkin | none (default none: spans cost a third of the CPU; the journey tests
#                          show the traces)
#   PLATFORM_INSTANCE, PLATFORM_HTTP_PORTS, PLATFORM_METRICS, KEEP_INFRA  as for scripts/platform.sh
#                          (a second platform beside a running one: PLATFORM_INSTANCE=mainjob
#                          PLATFORM_HTTP_PORTS="3101 3102 3103 3104 3105" PLATFORM_METRICS=off)
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo" || exit 1

say() { echo "main-job: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }
started=$SECONDS

customers="${MAIN_JOB_CUSTOMERS:-2000}"
seed="${MAIN_JOB_SEED:-1}"
out="${MAIN_JOB_OUT:-$repo/tmp/reports/main-job}"
switch_at="2026-05-01T00:00:00Z"
[[ "$customers" =~ ^[0-9]+$ ]] || die "MAIN_JOB_CUSTOMERS must be a number, got '$customers'"

if [ ! -d node_modules ]; then
  say "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund || die "npm ci failed"
fi
mkdir -p "$out"
state="${DUNNING_STATE_DIR:-$repo/tmp/local}"
job_state="$state/main-job${PLATFORM_INSTANCE:+-$PLATFORM_INSTANCE}"
rm -rf "$job_state"
mkdir -p "$job_state/letters" "$job_state/collection"

# The agencies of the local platform, with drop folders of this run's own.
node -e '
const fs = require("fs");
const [from, to, dir] = process.argv.slice(1);
const file = JSON.parse(fs.readFileSync(from, "utf8"));
for (const agency of file.agencies) if (agency.batch) {
  agency.batch.dropDir = `${dir}/${agency.agencyId}/outbound`;
  if (agency.batch.inboundDir) agency.batch.inboundDir = `${dir}/${agency.agencyId}/inbound`;
}
fs.writeFileSync(to, JSON.stringify(file, null, 2));
' apps/collection-handoff/agencies.local.json "$job_state/agencies.json" "$job_state/collection" || die "could not write the agencies file"

# --- the platform's settings for a simulated run -----------------------------------------------
export DUNNING_CLOCK=simulated
export ORCHESTRATOR_CLOCK=simulated
export DUNNING_CLOCK_START="2025-12-31T00:00:00Z"         # before the first simulated day
export DUNNING_POLICY_FILE="$repo/apps/dunning-orchestrator/policies/main-job.yaml"
export NOTIFIER_LETTER_DROP_DIR="$job_state/letters"
export COLLECTION_AGENCIES_FILE="$job_state/agencies.json"
export PLATFORM_TRACES="${MAIN_JOB_TRACES:-none}"
# Latency floors of one simulated day, lowered through variables the services read (the defaults
# suit real time): the orchestrator's timer poller and scoring's simulated-time overdue scan;
# scoring's own retraining schedule is off — the main job retrains once, at the switch. The
# notifier's dispatcher and collection-handoff's worker keep a 1 s poll: both are woken after their
# consumers commit work and run time-driven work on each clock move, so their poll is only a
# fallback (each poll is one read).
export NOTIFIER_POLL_MS="${NOTIFIER_POLL_MS:-1000}"
export COLLECTION_WORKER_POLL_MS="${COLLECTION_WORKER_POLL_MS:-1000}"
export ORCHESTRATOR_TIMER_POLL_MS="${ORCHESTRATOR_TIMER_POLL_MS:-50}"
export SCORING_SIMULATED_OVERDUE_SCAN_MS="${SCORING_SIMULATED_OVERDUE_SCAN_MS:-100}"
export SCORING_RETRAIN_ENABLED=false
# A base of a thousand customers has about 140 labelled outcomes at the switch (two thousand: about 280) (January and February's
# late invoices, whose 60-day window has closed): below the production thresholds (200 rows, 50 per
# arm), so the main job lowers them to let the ML phase learn from its own experiment. The report
# names the model and how many rows it learned from.
export SCORING_TRAINING_MIN_ROWS="${SCORING_TRAINING_MIN_ROWS:-100}"
export SCORING_UPLIFT_MIN_ROWS_PER_ARM="${SCORING_UPLIFT_MIN_ROWS_PER_ARM:-25}"

# --- start the platform in the background -----------------------------------------------------
platform_log="$out/platform.log"
say "starting the platform (infrastructure, peers, five services on a simulated clock); log: $platform_log"
setsid bash scripts/platform.sh run >"$platform_log" 2>&1 &
platform_pid=$!

stop_platform() {
  if kill -0 "$platform_pid" 2>/dev/null; then
    say "stopping the platform"
    kill -TERM "$platform_pid" 2>/dev/null
    local waited=0
    while kill -0 "$platform_pid" 2>/dev/null && [ $waited -lt 60 ]; do sleep 1; waited=$((waited + 1)); done
    kill -0 "$platform_pid" 2>/dev/null && kill -KILL -- "-$platform_pid" 2>/dev/null
  fi
}
trap 'stop_platform; exit 130' INT TERM

read -r -a ports <<<"${PLATFORM_HTTP_PORTS:-3001 3002 3003 3004 3005}"
names=(invoicing scoring dunning-orchestrator notifier collection-handoff)
deadline=$((SECONDS + ${MAIN_JOB_START_TIMEOUT:-600}))
for i in "${!names[@]}"; do
  until curl -fsS --max-time 2 "http://127.0.0.1:${ports[$i]}/health/ready" >/dev/null 2>&1; do
    if ! kill -0 "$platform_pid" 2>/dev/null; then
      say "the platform stopped while starting; last lines of $platform_log:"
      tail -n 30 "$platform_log" >&2
      exit 1
    fi
    if [ $SECONDS -gt $deadline ]; then
      say "${names[$i]} did not become ready in time; last lines of $platform_log:"
      tail -n 30 "$platform_log" >&2
      stop_platform
      exit 1
    fi
    sleep 1
  done
  say "ready: ${names[$i]} (http://127.0.0.1:${ports[$i]})"
done
say "platform up after $((SECONDS - started)) s"

# --- the simulation ---------------------------------------------------------------------------
nice -n 2 node -r @swc-node/register apps/simulator/src/main.ts --mode e2e \
  --customers "$customers" --seed "$seed" --months 6 --ml-switch "$switch_at" --out "$out" "$@"
status=$?

stop_platform
trap - INT TERM
if [ $status -ne 0 ]; then
  say "FAILED (simulator exit $status) after $((SECONDS - started)) s; service logs: ${DUNNING_STATE_DIR:-tmp/local}/services/"
  exit $status
fi
say "done in $((SECONDS - started)) s: $out/simulation-report.html"
