#!/usr/bin/env bash
# The Zipkin server (tracing backend) from Maven Central, on 127.0.0.1. No Docker needed.
# Services send spans to it with OTEL_TRACES_EXPORTER=zipkin and
# OTEL_EXPORTER_ZIPKIN_ENDPOINT=http://127.0.0.1:9411/api/v2/spans (docs/observability.md).
#
#   deploy/local/peers/zipkin.sh start|stop|status
#
# Environment (all optional): ZIPKIN_PORT (default 9411), DUNNING_STATE_DIR (default <repo>/tmp/local),
# ZIPKIN_HEAP (default -Xmx384m), ZIPKIN_START_TIMEOUT seconds (default 90),
# ZIPKIN_STOP_TIMEOUT seconds before SIGKILL (default 10).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
pom="$here/zipkin/pom.xml"
version="$(sed -n 's|.*<zipkin.version>\(.*\)</zipkin.version>.*|\1|p' "$pom" | head -n1)"
port="${ZIPKIN_PORT:-9411}"
state="${DUNNING_STATE_DIR:-$repo/tmp/local}/zipkin"
heap="${ZIPKIN_HEAP:--Xmx384m}"
start_timeout="${ZIPKIN_START_TIMEOUT:-90}"
stop_timeout="${ZIPKIN_STOP_TIMEOUT:-10}"
pid_file="$state/zipkin.pid"
log_file="$state/zipkin.log"
jar="${HOME}/.m2/repository/io/zipkin/zipkin-server/$version/zipkin-server-$version-exec.jar"

# shellcheck source-path=SCRIPTDIR/.. source=lib/daemon.sh
source "$here/../lib/daemon.sh"

running_pid() { daemon_pid "$pid_file" "zipkin-server-$version-exec.jar"; }

healthy() { curl -fsS --max-time 3 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"status" *: *"UP"'; }

resolve() {
  [[ -f "$jar" ]] && return 0
  say "resolving io.zipkin:zipkin-server:$version:exec from Maven Central (first run only)"
  mvn -q -B -f "$pom" dependency:resolve >&2 || die "Maven could not resolve io.zipkin:zipkin-server:$version"
  [[ -f "$jar" ]] || die "expected $jar after resolving"
}

start() {
  local pid
  if pid="$(running_pid)"; then say "already running (pid $pid, http://127.0.0.1:$port)"; return 0; fi
  if healthy; then die "port $port answers as Zipkin but was not started by this script; stop it or set ZIPKIN_PORT"; fi
  command -v java >/dev/null || die "java not found"
  resolve
  mkdir -p "$state"
  : >"$log_file"
  # In-memory storage: traces are for the operator's view and tests, not for keeping.
  # shellcheck disable=SC2086 # ZIPKIN_HEAP may hold several JVM options
  STORAGE_TYPE=mem QUERY_PORT="$port" MEM_MAX_SPANS=500000 \
    setsid nohup java $heap -Djava.awt.headless=true -jar "$jar" --armeria.ports[0].ip=127.0.0.1 --armeria.ports[0].port="$port" --armeria.ports[0].protocols[0]=http \
    </dev/null >>"$log_file" 2>&1 &
  pid=$!
  echo "$pid" >"$pid_file"
  say "starting Zipkin $version (pid $pid) on http://127.0.0.1:$port; log: $log_file"
  wait_ready Zipkin "$pid" "$pid_file" "$log_file" "$start_timeout" healthy
  say "ready"
}

stop() {
  local pid
  pid="$(running_pid)" || { say "not running"; return 0; }
  stop_pid "$pid" "$stop_timeout"
  rm -f "$pid_file"
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if pid="$(running_pid)"; then echo "zipkin running (pid $pid, port $port)"; else echo "zipkin stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
