#!/usr/bin/env bash
# Starts the platform on this machine: the infrastructure (Kafka broker, PostgreSQL with one
# database per service, peers) and the five services, each logging to tmp/local/services/.
# Runs in the foreground until Ctrl-C, then stops the services and what it started.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

[ -d node_modules ] || npm ci --no-audit --no-fund
bash deploy/local/up.sh || { echo "infrastructure failed to start" >&2; exit 1; }

services=(invoicing scoring dunning-orchestrator notifier collection-handoff)
ports=(3001 3002 3003 3004 3005)
log_dir="$repo/tmp/local/services"
mkdir -p "$log_dir"
pids=()

stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null
  [ "${KEEP_INFRA:-0}" = 1 ] || bash deploy/local/down.sh >/dev/null 2>&1 || true
}
trap 'stop_all; exit 0' INT TERM

for i in "${!services[@]}"; do
  name="${services[$i]}"
  HTTP_PORT="${ports[$i]}" OTEL_SERVICE_NAME="$name" \
    node -r @swc-node/register "apps/$name/src/main.ts" >"$log_dir/$name.log" 2>&1 &
  pids+=($!)
done

for i in "${!services[@]}"; do
  name="${services[$i]}"; port="${ports[$i]}"
  deadline=$((SECONDS + 90))
  until curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do
    if [ $SECONDS -gt $deadline ]; then
      echo "$name did not become ready; last lines of $log_dir/$name.log:" >&2
      tail -n 30 "$log_dir/$name.log" >&2
      stop_all; exit 1
    fi
    sleep 1
  done
  echo "ready  $name  http://127.0.0.1:$port/health/ready"
done
echo "The platform runs (logs in $log_dir). Ctrl-C stops it."
wait
