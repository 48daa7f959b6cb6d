#!/usr/bin/env bash
# Prometheus (Debian's package) on 127.0.0.1, scraping the services' OpenTelemetry Prometheus
# endpoints (OTEL_METRICS_EXPORTER=prometheus; ports listed in PROMETHEUS_TARGETS).
#
#   deploy/local/peers/prometheus.sh start|stop|status
#
# Environment (all optional): PROMETHEUS_PORT (default 9090), DUNNING_STATE_DIR (default <repo>/tmp/local),
# PROMETHEUS_TARGETS (default "127.0.0.1:9464 … 127.0.0.1:9469": the five services and the simulator),
# PROMETHEUS_SCRAPE_INTERVAL (default 5s), PROMETHEUS_START_TIMEOUT seconds (default 60),
# PROMETHEUS_STOP_TIMEOUT seconds before SIGKILL (default 10).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
port="${PROMETHEUS_PORT:-9090}"
state="${DUNNING_STATE_DIR:-$repo/tmp/local}/prometheus"
targets="${PROMETHEUS_TARGETS:-127.0.0.1:9464 127.0.0.1:9465 127.0.0.1:9466 127.0.0.1:9467 127.0.0.1:9468 127.0.0.1:9469}"
interval="${PROMETHEUS_SCRAPE_INTERVAL:-5s}"
start_timeout="${PROMETHEUS_START_TIMEOUT:-60}"
stop_timeout="${PROMETHEUS_STOP_TIMEOUT:-10}"
pid_file="$state/prometheus.pid"
log_file="$state/prometheus.log"
config="$state/prometheus.yml"

# shellcheck source-path=SCRIPTDIR/.. source=lib/daemon.sh
source "$here/../lib/daemon.sh"

running_pid() { daemon_pid "$pid_file" "$config"; }

ensure_installed() {
  command -v prometheus >/dev/null && return 0
  say "installing Debian's prometheus package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y --no-install-recommends prometheus >/dev/null; } \
    || die "could not install prometheus with apt-get"
}

write_config() {
  local list="" t
  for t in $targets; do list+="'$t', "; done
  cat >"$config" <<YAML
# Written by deploy/local/peers/prometheus.sh; edits are overwritten on the next start.
global:
  scrape_interval: $interval
  evaluation_interval: $interval
scrape_configs:
  - job_name: dunning
    static_configs:
      - targets: [${list%, }]
YAML
}

ready() { curl -fsS --max-time 3 "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; }

start() {
  local pid
  if pid="$(running_pid)"; then say "already running (pid $pid, http://127.0.0.1:$port)"; return 0; fi
  ensure_installed
  mkdir -p "$state/data"
  write_config
  : >"$log_file"
  setsid nohup prometheus --config.file="$config" --storage.tsdb.path="$state/data" \
    --web.listen-address="127.0.0.1:$port" --storage.tsdb.retention.time=2d </dev/null >>"$log_file" 2>&1 &
  pid=$!
  echo "$pid" >"$pid_file"
  wait_ready Prometheus "$pid" "$pid_file" "$log_file" "$start_timeout" ready
  say "ready on http://127.0.0.1:$port (pid $pid); log: $log_file"
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
  status) if pid="$(running_pid)"; then echo "prometheus running (pid $pid, port $port)"; else echo "prometheus stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
