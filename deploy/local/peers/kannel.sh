#!/usr/bin/env bash
# Kannel (Debian's `kannel` + `kannel-extras`) as a real SMS gateway on 127.0.0.1, with Kannel's own
# `fakesmsc` as the operator's SMSC. No Docker needed.
#
#   deploy/local/peers/kannel.sh start    install if missing, fresh start, wait until a message can flow (idempotent)
#   deploy/local/peers/kannel.sh stop     stop smsbox, fakesmsc and bearerbox
#   deploy/local/peers/kannel.sh status   exit 0 when all three run, 1 otherwise
#
# What runs (all bound to 127.0.0.1):
#   bearerbox  admin  :KANNEL_ADMIN_PORT (13000)   /status.txt?password=…
#              boxes  :KANNEL_SMSBOX_PORT (13001)
#              SMSC   :KANNEL_FAKESMSC_PORT (13010)  (fake protocol)
#   smsbox     sendsms :KANNEL_SENDSMS_PORT (13013)  GET /cgi-bin/sendsms?username=…&password=…&to=…&text=…&dlr-mask=…&dlr-url=…
#   fakesmsc   connects to the fake SMSC port and prints every message it gets to fakesmsc.log:
#              `… DEBUG: Got message <n>: <<from> <to> text|ucs-2|data <payload>>`
#
# Environment (all optional):
#   DUNNING_STATE_DIR        root of local state (default <repo>/tmp/local)
#   KANNEL_STATE_DIR         this gateway's dir: rendered kannel.conf, logs, pids, store (default $DUNNING_STATE_DIR/kannel)
#   KANNEL_SENDSMS_PORT      default 13013
#   KANNEL_ADMIN_PORT        default 13000
#   KANNEL_SMSBOX_PORT       default 13001
#   KANNEL_FAKESMSC_PORT     default 13010
#   KANNEL_SENDSMS_USER      default notifier
#   KANNEL_SENDSMS_PASSWORD  default notifier-local   (a development gateway; never a real secret)
#   KANNEL_ADMIN_PASSWORD    default kannel-admin-local
#   KANNEL_DLR_RETRIES       how often smsbox retries a failed dlr-url callback (default 30)
#   KANNEL_DLR_RETRY_DELAY   seconds between those retries (default 2)
#   KANNEL_START_TIMEOUT     seconds to wait for readiness (default 30)
#   KANNEL_STOP_TIMEOUT      seconds to wait for a graceful stop before SIGKILL (default 15)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
template="$here/kannel/kannel.conf.template"

state_root="${DUNNING_STATE_DIR:-$repo/tmp/local}"
state="${KANNEL_STATE_DIR:-$state_root/kannel}"
sendsms_port="${KANNEL_SENDSMS_PORT:-13013}"
admin_port="${KANNEL_ADMIN_PORT:-13000}"
smsbox_port="${KANNEL_SMSBOX_PORT:-13001}"
fakesmsc_port="${KANNEL_FAKESMSC_PORT:-13010}"
sendsms_user="${KANNEL_SENDSMS_USER:-notifier}"
sendsms_password="${KANNEL_SENDSMS_PASSWORD:-notifier-local}"
admin_password="${KANNEL_ADMIN_PASSWORD:-kannel-admin-local}"
dlr_retries="${KANNEL_DLR_RETRIES:-30}"
dlr_retry_delay="${KANNEL_DLR_RETRY_DELAY:-2}"
start_timeout="${KANNEL_START_TIMEOUT:-30}"
stop_timeout="${KANNEL_STOP_TIMEOUT:-15}"

config_file="$state/kannel.conf"
bearerbox_bin=/usr/sbin/bearerbox
smsbox_bin=/usr/sbin/smsbox
fakesmsc_bin=/usr/lib/kannel/test/fakesmsc   # shipped by kannel-extras

# shellcheck source-path=SCRIPTDIR/.. source=lib/daemon.sh
source "$here/../lib/daemon.sh"

ensure_installed() {
  [[ -x "$bearerbox_bin" && -x "$smsbox_bin" && -x "$fakesmsc_bin" ]] && return 0
  say "installing Debian packages kannel and kannel-extras (first run only)"
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install kannel"
    sudo="sudo -n"
  fi
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  if ! $sudo apt-get install -y -qq --no-install-recommends kannel kannel-extras </dev/null >/dev/null 2>&1; then
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends kannel kannel-extras </dev/null >/dev/null
  fi
  [[ -x "$bearerbox_bin" && -x "$smsbox_bin" && -x "$fakesmsc_bin" ]] || die "kannel installed, but bearerbox/smsbox/fakesmsc are still missing"
}

# A pid counts only while it is alive and its command line names this state dir's config (or,
# for fakesmsc, our SMSC port), so a stale pid file never makes us believe a box runs.
bearerbox_pid() { daemon_pid "$state/bearerbox.pid" "$bearerbox_bin -v 1 $config_file"; }
smsbox_pid() { daemon_pid "$state/smsbox.pid" "$smsbox_bin -v 1 $config_file"; }
fakesmsc_pid() { daemon_pid "$state/fakesmsc.pid" "$fakesmsc_bin -H 127.0.0.1 -r $fakesmsc_port"; }

render_config() {
  sed -e "s|@STATE@|$state|g" \
    -e "s|@ADMIN_PORT@|$admin_port|g" -e "s|@ADMIN_PASSWORD@|$admin_password|g" \
    -e "s|@SMSBOX_PORT@|$smsbox_port|g" -e "s|@SENDSMS_PORT@|$sendsms_port|g" \
    -e "s|@FAKESMSC_PORT@|$fakesmsc_port|g" \
    -e "s|@SENDSMS_USER@|$sendsms_user|g" -e "s|@SENDSMS_PASSWORD@|$sendsms_password|g" \
    -e "s|@DLR_RETRIES@|$dlr_retries|g" -e "s|@DLR_RETRY_DELAY@|$dlr_retry_delay|g" \
    "$template" >"$config_file"
}

rotate() { # keep the previous run's log as <name>.1
  [[ -f "$state/$1" ]] && mv -f "$state/$1" "$state/$1.1"
  : >"$state/$1"
}

spawn() { # spawn <name> <command…>: detached, no stdin, survives this shell and a CI step
  local name="$1"
  shift
  setsid nohup "$@" </dev/null >>"$state/$name.out" 2>&1 9>&- &
  echo $! >"$state/$name.pid"
}

wait_until() { # wait_until <description> <command…>
  local description="$1" deadline=$((SECONDS + start_timeout))
  shift
  until "$@"; do
    if ((SECONDS >= deadline)); then
      say "not ready within ${start_timeout}s: $description"
      return 1
    fi
    for name in bearerbox fakesmsc smsbox; do
      [[ -f "$state/$name.pid" ]] || continue
      kill -0 "$(cat "$state/$name.pid")" 2>/dev/null || { say "$name exited during start-up"; return 1; }
    done
    sleep 0.2
  done
}

admin_status() { http_get "$admin_port" "/status.txt?password=$admin_password"; }
admin_answers() { admin_status | grep -q 'Kannel bearerbox'; }
smsc_online() { admin_status | grep -Eq 'FAKE:[0-9]+ +\(online'; }
smsbox_connected() { admin_status | grep -Eq 'smsbox:.*on-line'; }
# Without credentials smsbox answers 403 "Authorization failed for sendsms": the HTTP side is up.
sendsms_answers() { http_get "$sendsms_port" "/cgi-bin/sendsms" | grep -q 'Authorization failed'; }

fail_start() {
  for name in bearerbox smsbox fakesmsc; do
    say "last lines of $state/$name.out and its log:"
    tail -n 15 "$state/$name.out" >&2 2>/dev/null || true
    tail -n 15 "$state/$name.log" >&2 2>/dev/null || true
  done
  stop_all || true
  exit 1
}

start() {
  if bearerbox_pid >/dev/null && smsbox_pid >/dev/null && fakesmsc_pid >/dev/null; then
    say "already running (sendsms 127.0.0.1:$sendsms_port, admin :$admin_port, SMSC :$fakesmsc_port)"
    return 0
  fi
  # Half a gateway (one box died) is restarted whole: the fake SMSC link does not reconnect by itself.
  stop_all || true
  for p in "$sendsms_port" "$admin_port" "$smsbox_port" "$fakesmsc_port"; do
    port_in_use "$p" && die "port $p on 127.0.0.1 is taken by another process (a Debian kannel service?); set KANNEL_*_PORT or stop it"
  done
  ensure_installed
  mkdir -p "$state"
  rm -rf "$state"/store "$state"/store.* "$state"/kannel.store*
  for log in bearerbox.log bearerbox-access.log smsbox.log smsbox-access.log fakesmsc.log bearerbox.out smsbox.out; do
    rotate "$log"
  done
  render_config

  spawn bearerbox "$bearerbox_bin" -v 1 "$config_file"
  wait_until "bearerbox admin port $admin_port" admin_answers || fail_start
  # fakesmsc: -m 0 sends no handset-originated messages and just prints what the gateway delivers.
  setsid nohup "$fakesmsc_bin" -H 127.0.0.1 -r "$fakesmsc_port" -i 0 -m 0 "0 0 text unused" \
    </dev/null >>"$state/fakesmsc.log" 2>&1 9>&- &
  echo $! >"$state/fakesmsc.pid"
  spawn smsbox "$smsbox_bin" -v 1 "$config_file"
  wait_until "fake SMSC online" smsc_online || fail_start
  wait_until "smsbox connected to bearerbox" smsbox_connected || fail_start
  wait_until "sendsms on 127.0.0.1:$sendsms_port" sendsms_answers || fail_start
  say "ready: sendsms http://127.0.0.1:$sendsms_port/cgi-bin/sendsms (user $sendsms_user); handset log $state/fakesmsc.log"
}

stop_all() {
  local pid stopped=0
  # smsbox first (it holds pending DLR callbacks), then the SMSC client, then the core.
  if pid="$(smsbox_pid)"; then stop_pid "$pid" "$stop_timeout" smsbox; stopped=1; fi
  if pid="$(fakesmsc_pid)"; then stop_pid "$pid" "$stop_timeout" fakesmsc; stopped=1; fi
  if pid="$(bearerbox_pid)"; then stop_pid "$pid" "$stop_timeout" bearerbox; stopped=1; fi
  rm -f "$state/smsbox.pid" "$state/fakesmsc.pid" "$state/bearerbox.pid"
  return $((1 - stopped))
}

stop() {
  if stop_all; then say "stopped"; else say "not running"; fi
}

status() {
  local bb sb fs
  bb="$(bearerbox_pid || true)"
  sb="$(smsbox_pid || true)"
  fs="$(fakesmsc_pid || true)"
  if [[ -n "$bb" && -n "$sb" && -n "$fs" ]]; then
    echo "running (bearerbox $bb, smsbox $sb, fakesmsc $fs; sendsms 127.0.0.1:$sendsms_port; handset log $state/fakesmsc.log)"
    return 0
  fi
  echo "stopped${bb:+ (bearerbox $bb still up)}${sb:+ (smsbox $sb still up)}${fs:+ (fakesmsc $fs still up)}"
  return 1
}

lock_timeout=$((start_timeout + 3 * stop_timeout + 120))

case "${1:-}" in
  start) with_lock "$state" "$lock_timeout" start ;;
  stop) with_lock "$state" "$lock_timeout" stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
