#!/usr/bin/env bash
# WireMock (the standalone jar bundled by npm `wiremock`, run on the machine's Java) on 127.0.0.1:
# the stand-in for a debt-collection agency's REST API (collection-handoff). No Docker needed.
#
#   deploy/local/peers/wiremock.sh start    fresh state, start, wait until /__admin/health answers (idempotent)
#   deploy/local/peers/wiremock.sh stop     stop it (SIGTERM, SIGKILL after WIREMOCK_STOP_TIMEOUT)
#   deploy/local/peers/wiremock.sh status   exit 0 when running, 1 when stopped
#
# Environment (all optional):
#   DUNNING_STATE_DIR         root of local state (default <repo>/tmp/local)
#   WIREMOCK_STATE_DIR        default $DUNNING_STATE_DIR/wiremock: wiremock.log, wiremock.pid, root/ (mappings, __files)
#   WIREMOCK_PORT             HTTP port (default 8089); stubs and the admin API (/__admin) share it
#   WIREMOCK_HEAP             JVM heap (default 256m)
#   WIREMOCK_START_TIMEOUT    seconds (default 60); WIREMOCK_STOP_TIMEOUT seconds (default 10)
# It starts with the local agencies' stubs from deploy/local/peers/wiremock/mappings/ (inkasso-se).
# Tests register their own stubs through the admin API under a unique path prefix, so several
# test files share one server without resetting each other's stubs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
state_root="${DUNNING_STATE_DIR:-$repo/tmp/local}"
state="${WIREMOCK_STATE_DIR:-$state_root/wiremock}"
port="${WIREMOCK_PORT:-8089}"
heap="${WIREMOCK_HEAP:-256m}"
start_timeout="${WIREMOCK_START_TIMEOUT:-60}"
stop_timeout="${WIREMOCK_STOP_TIMEOUT:-10}"
pid_file="$state/wiremock.pid"
log_file="$state/wiremock.log"

# shellcheck source-path=SCRIPTDIR/.. source=lib/daemon.sh
source "$here/../lib/daemon.sh"

jar_path() {
  local jars=("$repo"/node_modules/wiremock/build/wiremock-standalone-*.jar)
  [[ -f "${jars[0]}" ]] || die "the WireMock jar is missing: run 'npm ci' in $repo (npm package wiremock)"
  echo "${jars[0]}"
}

running_pid() { daemon_pid "$pid_file" wiremock-standalone "$state/root"; }

# A probe over bash's /dev/tcp: no curl needed on a fresh machine.
healthy() { grep -q '"status" *: *"healthy"' <<<"$(http_get "$port" /__admin/health)"; }

start() {
  local pid
  if pid="$(running_pid)"; then
    say "already running (pid $pid, http://127.0.0.1:$port)"
    return 0
  fi
  port_in_use "$port" && die "port $port on 127.0.0.1 is taken by another process; set WIREMOCK_PORT or stop it"
  command -v java >/dev/null || die "java not found (scripts/ensure-tools.sh installs openjdk-17-jre-headless)"
  local jar
  jar="$(jar_path)"
  rm -rf "$state/root"
  mkdir -p "$state/root/mappings" "$state/root/__files"
  # The local agencies' stubs (apps/collection-handoff/agencies.local.json points at them).
  cp "$here"/wiremock/mappings/*.json "$state/root/mappings/"
  [[ -f "$log_file" ]] && mv -f "$log_file" "$log_file.1"
  setsid nohup java "-Xms64m" "-Xmx$heap" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$jar" \
    --bind-address 127.0.0.1 --port "$port" --root-dir "$state/root" \
    --disable-banner --container-threads 25 --max-request-journal-entries 20000 \
    </dev/null >"$log_file" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$pid_file"
  wait_ready WireMock "$pid" "$pid_file" "$log_file" "$start_timeout" healthy
  say "started (pid $pid, http://127.0.0.1:$port, log $log_file)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    say "not running"
    rm -f "$pid_file"
    return 0
  fi
  stop_pid "$pid" "$stop_timeout"
  rm -f "$pid_file"
  say "stopped"
}

status() {
  local pid
  if pid="$(running_pid)" && healthy; then
    echo "running (pid $pid, http://127.0.0.1:$port, log $log_file)"
    return 0
  fi
  echo "stopped"
  return 1
}

case "${1:-}" in
  start) with_lock "$state" 120 start ;;
  stop) with_lock "$state" 120 stop ;;
  status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
