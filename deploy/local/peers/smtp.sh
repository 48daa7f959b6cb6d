#!/usr/bin/env bash
# An SMTP server that captures mail (deploy/local/peers/smtp-capture.js: npm smtp-server + mailparser)
# on 127.0.0.1, with an HTTP/JSON view of what it received. No Docker needed.
#
#   deploy/local/peers/smtp.sh start    fresh mailbox, start, wait until SMTP and HTTP answer (idempotent)
#   deploy/local/peers/smtp.sh stop     stop it (SIGTERM, SIGKILL after SMTP_CAPTURE_STOP_TIMEOUT)
#   deploy/local/peers/smtp.sh status   exit 0 when running, 1 when stopped
#
# Environment (all optional):
#   DUNNING_STATE_DIR           root of local state (default <repo>/tmp/local)
#   SMTP_CAPTURE_STATE_DIR      default $DUNNING_STATE_DIR/smtp: smtp-capture.log, pid, messages/
#   SMTP_CAPTURE_PORT           SMTP port (default 1025)
#   SMTP_CAPTURE_HTTP_PORT      HTTP port (default 1080): /health, /messages?to=&messageId=&after=, /messages/<id>[/raw]
#   SMTP_CAPTURE_KEEP=1         keep the mail of earlier runs instead of starting with an empty mailbox
#   SMTP_CAPTURE_START_TIMEOUT  seconds (default 20); SMTP_CAPTURE_STOP_TIMEOUT seconds (default 10)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
state_root="${DUNNING_STATE_DIR:-$repo/tmp/local}"
state="${SMTP_CAPTURE_STATE_DIR:-$state_root/smtp}"
smtp_port="${SMTP_CAPTURE_PORT:-1025}"
http_port="${SMTP_CAPTURE_HTTP_PORT:-1080}"
start_timeout="${SMTP_CAPTURE_START_TIMEOUT:-20}"
stop_timeout="${SMTP_CAPTURE_STOP_TIMEOUT:-10}"
script="$here/smtp-capture.js"
pid_file="$state/smtp-capture.pid"
log_file="$state/smtp-capture.log"
mail_dir="$state/messages"

# shellcheck source-path=SCRIPTDIR/.. source=lib/daemon.sh
source "$here/../lib/daemon.sh"

running_pid() { daemon_pid "$pid_file" "$script"; }

# Probes over bash's /dev/tcp: no curl or swaks needed on a fresh machine.
http_health() { grep -q '"status":"ok"' <<<"$(http_get "$http_port" /health)"; }
smtp_banner() {
  { exec 3<>"/dev/tcp/127.0.0.1/$smtp_port"; } 2>/dev/null || return 1
  local line=""
  IFS= read -r -t 5 line <&3 || true
  printf 'QUIT\r\n' >&3 2>/dev/null || true
  exec 3>&- 3<&-
  [[ "$line" == 220* ]]
}

smtp_ready() { http_health && smtp_banner; }

start() {
  local pid
  if pid="$(running_pid)"; then
    say "already running (pid $pid, SMTP 127.0.0.1:$smtp_port, HTTP 127.0.0.1:$http_port)"
    return 0
  fi
  for p in "$smtp_port" "$http_port"; do
    port_in_use "$p" && die "port $p on 127.0.0.1 is taken by another process; set SMTP_CAPTURE_PORT / SMTP_CAPTURE_HTTP_PORT or stop it"
  done
  command -v node >/dev/null || die "node not found"
  [[ -d "$repo/node_modules/smtp-server" && -d "$repo/node_modules/mailparser" ]] || die "npm packages smtp-server and mailparser are missing: run 'npm ci' in $repo"
  mkdir -p "$state"
  [[ "${SMTP_CAPTURE_KEEP:-0}" == 1 ]] || rm -rf "$mail_dir"
  mkdir -p "$mail_dir"
  [[ -f "$log_file" ]] && mv -f "$log_file" "$log_file.1"
  : >"$log_file"

  SMTP_CAPTURE_PORT="$smtp_port" SMTP_CAPTURE_HTTP_PORT="$http_port" SMTP_CAPTURE_DIR="$mail_dir" \
    setsid nohup node "$script" </dev/null >>"$log_file" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$pid_file"

  wait_ready smtp-capture "$pid" "$pid_file" "$log_file" "$start_timeout" smtp_ready
  say "ready: SMTP 127.0.0.1:$smtp_port, HTTP http://127.0.0.1:$http_port/messages (pid $pid; mail in $mail_dir)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pid_file"
    say "not running"
    return 0
  fi
  stop_pid "$pid" "$stop_timeout"
  rm -f "$pid_file"
  say "stopped"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running (pid $pid, SMTP 127.0.0.1:$smtp_port, HTTP 127.0.0.1:$http_port, mail in $mail_dir)"
    return 0
  fi
  echo "stopped"
  return 1
}

lock_timeout=$((start_timeout + stop_timeout + 60))

case "${1:-}" in
  start) with_lock "$state" "$lock_timeout" start ;;
  stop) with_lock "$state" "$lock_timeout" stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
