# shellcheck shell=bash
# What every deploy/local script that runs a background daemon shares: messages, "is our process
# still running", "is the port free", a serialising lock and a graceful-then-forced stop.
# Source it after `set -euo pipefail`:
#   source "$here/lib/daemon.sh"        (or "$here/../lib/daemon.sh" from peers/)
# Messages are prefixed with the sourcing script's file name (kafka.sh, smtp.sh, …).

daemon_script="$(basename "${BASH_SOURCE[1]:-$0}")"

say() { echo "$daemon_script: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# daemon_pid <pid-file> <pattern>…: prints the pid recorded in <pid-file> when that process is
# alive and its command line contains every <pattern> (fixed strings). A stale pid file (reboot,
# pid reuse, another state dir's process) never makes a script believe its daemon runs.
daemon_pid() {
  local pid_file="$1" pid pattern cmdline
  shift
  [[ -f "$pid_file" ]] || return 1
  pid="$(cat "$pid_file" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  for pattern in "$@"; do
    grep -qF -- "$pattern" <<<"$cmdline" || return 1
  done
  echo "$pid"
}

# port_in_use <port>: something listens on it (ss from iproute2; bash's /dev/tcp when ss is absent).
port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# http_get <port> <path>: the raw HTTP/1.0 response from 127.0.0.1 over bash's /dev/tcp, so the
# probes need no curl on a fresh machine. Fails when nothing accepts the connection.
http_get() {
  local response
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  response="$(timeout 5 cat <&3 || true)"
  exec 3>&- 3<&-
  printf '%s' "$response"
}

# wait_ready <what> <pid> <pid-file> <log-file> <timeout-seconds> <probe>…: polls the probe
# command until it succeeds. When the daemon exits first, or the timeout passes (then the daemon
# is killed), prints the log's last lines, removes the pid file and exits the script with 1.
wait_ready() {
  local what="$1" pid="$2" pid_file="$3" log_file="$4" timeout="$5" deadline
  shift 5
  deadline=$((SECONDS + timeout))
  until "$@"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "$what exited during start-up; last lines of $log_file:"
      tail -n 30 "$log_file" >&2 || true
      rm -f "$pid_file"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      say "$what not ready within ${timeout}s; last lines of $log_file:"
      tail -n 30 "$log_file" >&2 || true
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$pid_file"
      exit 1
    fi
    sleep 0.2
  done
}

# stop_pid <pid> <timeout-seconds> [label]: SIGTERM, wait up to the timeout for a graceful exit,
# then SIGKILL and wait (briefly) until the process is gone, so its ports are free on return.
stop_pid() {
  local pid="$1" timeout="$2" label="${3:-}" waited=0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < timeout * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "${label:+$label }still alive after ${timeout}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    waited=0
    while kill -0 "$pid" 2>/dev/null && ((waited < 50)); do
      sleep 0.1
      waited=$((waited + 1))
    done
  fi
}

# with_lock <state-dir> <timeout-seconds> <command>…: runs the command holding <state-dir>/.lock
# (fd 9), so concurrent start/stop calls (parallel test runs) never race on one state dir.
# Daemons are started with `9>&-` so they do not inherit the lock.
with_lock() {
  local dir="$1" timeout="$2"
  shift 2
  mkdir -p "$dir"
  exec 9>"$dir/.lock"
  flock -w "$timeout" 9 || die "timed out waiting for another $daemon_script to finish"
  "$@"
}
