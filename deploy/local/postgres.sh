#!/usr/bin/env bash
# The machine's PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres) and one database per
# service. Idempotent: safe to run any number of times, from any directory, in CI.
#
#   deploy/local/postgres.sh ensure    start the server if needed, create missing databases
#   deploy/local/postgres.sh status    exit 0 when it accepts connections, 1 otherwise
#
# Environment: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (postgres),
#              POSTGRES_START_TIMEOUT seconds (default 60).
set -euo pipefail

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
start_timeout="${POSTGRES_START_TIMEOUT:-60}"

# One database per service (each service owns its data), plus one for the shared libs' tests.
databases=(
  dunning_invoicing
  dunning_scoring
  dunning_orchestrator
  dunning_notifier
  dunning_collection
  dunning_test
)

say() { echo "postgres.sh: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

ready() { pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 2; }

start_server() {
  command -v pg_ctlcluster >/dev/null || die "PostgreSQL is not answering on $PGHOST:$PGPORT and pg_ctlcluster is absent (install postgresql)"
  local version
  # shellcheck disable=SC2012 # cluster versions are plain numbers
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)"
  [[ -n "$version" ]] || die "no cluster under /etc/postgresql"
  say "starting PostgreSQL $version/main"
  # The cluster may be half-started by a concurrent caller; the readiness wait decides.
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || say "pg_ctlcluster returned $? (checking readiness anyway)"
}

wait_ready() {
  local deadline=$((SECONDS + start_timeout))
  until ready; do
    ((SECONDS < deadline)) || {
      local log
      # shellcheck disable=SC2012
      log="$(ls -t /var/log/postgresql/*.log 2>/dev/null | head -n1 || true)"
      [[ -n "$log" ]] && { say "last lines of $log:"; tail -n 20 "$log" >&2; }
      die "PostgreSQL did not accept connections on $PGHOST:$PGPORT within ${start_timeout}s"
    }
    sleep 0.5
  done
}

create_databases() {
  local db
  for db in "${databases[@]}"; do
    if [[ "$(psql -d postgres -XtAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]]; then
      # A concurrent caller may create it between the check and here: ignore "already exists".
      if out="$(psql -d postgres -Xq -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db\"" 2>&1)"; then
        say "created database $db"
      elif ! grep -q 'already exists' <<<"$out"; then
        die "creating $db failed: $out"
      fi
    fi
  done
}

case "${1:-}" in
  ensure)
    ready || start_server
    wait_ready
    create_databases
    # Every outbox relay reads only below the server-wide snapshot horizon, so one session left
    # idle in a transaction by a crashed or hung test stalls every relay on the server. Tests
    # may hold a transaction open on purpose for seconds, never for minutes.
    psql -d postgres -Xq -v ON_ERROR_STOP=1 -c "ALTER DATABASE dunning_test SET idle_in_transaction_session_timeout = '120s'" \
      || die "could not set idle_in_transaction_session_timeout on dunning_test"
    say "ready: postgres://$PGUSER@$PGHOST:$PGPORT/<db> (${databases[*]})"
    ;;
  status)
    if ready; then echo "running ($PGHOST:$PGPORT)"; else echo "stopped"; exit 1; fi
    ;;
  *) echo "usage: $0 ensure|status" >&2; exit 2 ;;
esac
