#!/usr/bin/env bash
# Starts the whole platform on this machine and wires the services together: the infrastructure
# (Kafka, PostgreSQL, SMTP capture, Kannel, WireMock as the agency API, Zipkin, Prometheus) and the
# five services, each with every variable it needs (docs/operations.md lists them all).
#
#   bash scripts/platform.sh [run]        start; runs in the foreground until Ctrl-C, then stops
#                                         the services and the infrastructure it started itself
#   bash scripts/platform.sh env <svc>    print the environment <svc> gets (KEY=VALUE lines;
#                                         secrets included: keep the output to yourself)
#   bash scripts/platform.sh services     print the services, HTTP ports and metrics ports
#
# Each run starts from a clean slate: fresh service databases, the platform's topics deleted if the
# broker still holds them and created anew, and new secrets (PLATFORM_KEEP_DATA=1 keeps all three).
# Logs: tmp/local/services/<service>.log. Traces: http://127.0.0.1:9411 (Zipkin). Metrics:
# http://127.0.0.1:9090 (Prometheus).
#
# Knobs (all optional):
#   PLATFORM_INSTANCE      a second platform next to the first: topics and consumer groups get the
#                          prefix "<instance>.", databases are "<instance>_<service>" (tests use it)
#   PLATFORM_HTTP_PORTS    five ports instead of 3001-3005 (same order as `services` below)
#   PLATFORM_METRICS       on (default) | off: no Prometheus endpoint (ports 9464-9468 otherwise)
#   PLATFORM_TRACES        zipkin (default) | none
#   PLATFORM_SECRETS_DIR   where the generated secrets live (default tmp/local/secrets)
#   PLATFORM_KEEP_DATA     1: keep databases, topics and secrets of the last run
#   KEEP_INFRA             1: leave the infrastructure running on exit
#   PLATFORM_LOG_DIR       where the service logs go (default tmp/local/services; a second platform
#                          beside a running one keeps its logs apart)
#   DUNNING_CLOCK=system|simulated, DUNNING_CLOCK_START=<ISO instant>: every service's clock
#   (docs/simulated-time.md); passed to all five services when the caller sets them.
#   ORCHESTRATOR_CLOCK, DUNNING_POLICY_FILE, COLLECTION_AGENCIES_FILE, NOTIFIER_LETTER_DROP_DIR set
#   by the caller win over the defaults below; variables this script does not set (e.g.
#   SCORING_OVERDUE_SCAN_MS) reach the services from the caller's environment as they are.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo" || exit 1

services=(invoicing scoring dunning-orchestrator notifier collection-handoff)
ports=(3001 3002 3003 3004 3005)
metrics_ports=(9464 9465 9466 9467 9468)
database_names=(invoicing scoring orchestrator notifier collection)

if [ -n "${PLATFORM_HTTP_PORTS:-}" ]; then read -r -a ports <<<"$PLATFORM_HTTP_PORTS"; fi
instance="${PLATFORM_INSTANCE:-}"
state="${DUNNING_STATE_DIR:-$repo/tmp/local}"
secrets_dir="${PLATFORM_SECRETS_DIR:-$state/secrets}"
log_dir="${PLATFORM_LOG_DIR:-$state/services}"
kafka_brokers="${KAFKA_BROKERS:-127.0.0.1:9092}"

say() { echo "platform.sh: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[ "${#ports[@]}" = 5 ] || die "PLATFORM_HTTP_PORTS must name five ports, got '${PLATFORM_HTTP_PORTS:-}'"
[[ -z "$instance" || "$instance" =~ ^[a-z][a-z0-9_]{0,39}$ ]] || die "PLATFORM_INSTANCE must be a lower-case identifier (a-z, 0-9, _), got '$instance'"

# --- names -------------------------------------------------------------------------------------
# The contract's topic names (libs/contracts/src/topics.ts), optionally under the instance prefix.
topic() { echo "${instance:+$instance.}$1"; }
group() { echo "${instance:+$instance.}$1"; }
database_of() { echo "${instance:-dunning}_$1"; }
platform_topics=(billing.events.v1 invoicing.invoices.v1 scoring.scores.v1 dunning.actions.v1 notifier.deliveries.v1 collection.cases.v1)

index_of() {
  local i
  for i in "${!services[@]}"; do [ "${services[$i]}" = "$1" ] && { echo "$i"; return 0; }; done
  return 1
}

# --- secrets -----------------------------------------------------------------------------------
# Generated, never written into the repository. API keys are new on every run (nothing depends on
# an old one); the personal-data KEK and the DLR secret protect data that outlives a process, so
# with PLATFORM_KEEP_DATA=1 they are kept.
secret_names=(api-key-billing api-key-operator api-key-notifier api-key-collection-handoff
  personal-data-kek notifier-dlr-secret agency-inkasso-se-token agency-inkasso-se-callback-token agency-inkasso-de-callback-token)

random_token() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

write_secret() { # name value
  (umask 077 && printf '%s' "$2" >"$secrets_dir/$1")
}

generate_secrets() { # [keep]
  (umask 077 && mkdir -p "$secrets_dir")
  chmod 700 "$secrets_dir"
  local name
  for name in "${secret_names[@]}"; do
    if [ "${1:-}" = keep ] && [ -s "$secrets_dir/$name" ]; then continue; fi
    case "$name" in
      personal-data-kek) write_secret "$name" "$(head -c 32 /dev/urandom | base64 | tr -d '\n')" ;;
      *) write_secret "$name" "$(random_token)" ;;
    esac
  done
}

secret() {
  [ -s "$secrets_dir/$1" ] || generate_secrets keep
  cat "$secrets_dir/$1"
}

# --- the environment of each service ----------------------------------------------------------
service_env() { # service name → KEY=VALUE lines
  local name="$1" i
  i="$(index_of "$name")" || die "unknown service '$name' (known: ${services[*]})"
  local invoicing_url="http://127.0.0.1:${ports[0]}"
  echo "HTTP_HOST=127.0.0.1"
  echo "HTTP_PORT=${ports[$i]}"
  echo "KAFKA_BROKERS=$kafka_brokers"
  echo "DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(database_of "${database_names[$i]}")"
  echo "OTEL_SERVICE_NAME=$name"
  # One clock for all five (docs/simulated-time.md); unset: each service's default (system).
  if [ -n "${DUNNING_CLOCK:-}" ]; then echo "DUNNING_CLOCK=$DUNNING_CLOCK"; fi
  if [ -n "${DUNNING_CLOCK_START:-}" ]; then echo "DUNNING_CLOCK_START=$DUNNING_CLOCK_START"; fi
  if [ "${PLATFORM_TRACES:-zipkin}" = zipkin ]; then
    echo "OTEL_TRACES_EXPORTER=zipkin"
    echo "OTEL_EXPORTER_ZIPKIN_ENDPOINT=http://127.0.0.1:${ZIPKIN_PORT:-9411}/api/v2/spans"
  else
    echo "OTEL_TRACES_EXPORTER=none"
  fi
  if [ "${PLATFORM_METRICS:-on}" = on ]; then
    echo "OTEL_METRICS_EXPORTER=prometheus"
    echo "OTEL_EXPORTER_PROMETHEUS_HOST=127.0.0.1"
    echo "OTEL_EXPORTER_PROMETHEUS_PORT=${metrics_ports[$i]}"
  else
    echo "OTEL_METRICS_EXPORTER=none"
  fi
  case "$name" in
    invoicing)
      echo "INVOICING_BILLING_TOPIC=$(topic billing.events.v1)"
      echo "INVOICING_INVOICES_TOPIC=$(topic invoicing.invoices.v1)"
      echo "INVOICING_COLLECTION_TOPIC=$(topic collection.cases.v1)"
      echo "INVOICING_CONSUMER_GROUP=$(group invoicing)"
      # Who may call which route: billing writes events, an operator reads and erases, the
      # notifier and collection-handoff read contacts at send / hand-off time.
      echo "INVOICING_API_KEYS=billing=$(secret api-key-billing):write,operator=$(secret api-key-operator):read+admin,notifier=$(secret api-key-notifier):contacts,collection-handoff=$(secret api-key-collection-handoff):contacts"
      echo "INVOICING_PERSONAL_DATA_KEK=$(secret personal-data-kek)"
      ;;
    scoring)
      echo "SCORING_INVOICES_TOPIC=$(topic invoicing.invoices.v1)"
      echo "SCORING_ACTIONS_TOPIC=$(topic dunning.actions.v1)"
      echo "SCORING_SCORES_TOPIC=$(topic scoring.scores.v1)"
      echo "SCORING_CONSUMER_GROUP_PREFIX=$(group scoring)"
      ;;
    dunning-orchestrator)
      echo "ORCHESTRATOR_TOPIC_INVOICES=$(topic invoicing.invoices.v1)"
      echo "ORCHESTRATOR_TOPIC_SCORES=$(topic scoring.scores.v1)"
      echo "ORCHESTRATOR_TOPIC_DELIVERIES=$(topic notifier.deliveries.v1)"
      echo "ORCHESTRATOR_TOPIC_COLLECTION=$(topic collection.cases.v1)"
      echo "ORCHESTRATOR_TOPIC_ACTIONS=$(topic dunning.actions.v1)"
      echo "ORCHESTRATOR_CONSUMER_GROUP=$(group dunning-orchestrator)"
      echo "ORCHESTRATOR_CLOCK=${ORCHESTRATOR_CLOCK:-system}"
      echo "DUNNING_POLICY_FILE=${DUNNING_POLICY_FILE:-policies/default.yaml}"
      ;;
    notifier)
      echo "NOTIFIER_ACTIONS_TOPIC=$(topic dunning.actions.v1)"
      echo "NOTIFIER_INVOICES_TOPIC=$(topic invoicing.invoices.v1)"
      echo "NOTIFIER_DELIVERIES_TOPIC=$(topic notifier.deliveries.v1)"
      echo "NOTIFIER_CONSUMER_GROUP=$(group notifier)"
      # Kannel calls this back with delivery reports (dlr-url), signed with the DLR secret.
      echo "NOTIFIER_PUBLIC_URL=http://127.0.0.1:${ports[3]}"
      echo "NOTIFIER_DLR_SECRET=$(secret notifier-dlr-secret)"
      echo "INVOICING_URL=$invoicing_url"
      echo "NOTIFIER_INVOICING_API_KEY=$(secret api-key-notifier)"
      echo "SMTP_HOST=127.0.0.1"
      echo "SMTP_PORT=${SMTP_CAPTURE_PORT:-1025}"
      echo "SMTP_LOOKUP_URL=http://127.0.0.1:${SMTP_CAPTURE_HTTP_PORT:-1080}/messages"
      echo "KANNEL_SENDSMS_URL=http://127.0.0.1:${KANNEL_SENDSMS_PORT:-13013}/cgi-bin/sendsms"
      echo "KANNEL_SENDSMS_USER=${KANNEL_SENDSMS_USER:-notifier}"
      echo "KANNEL_SENDSMS_PASSWORD=${KANNEL_SENDSMS_PASSWORD:-notifier-local}"
      echo "NOTIFIER_LETTER_DROP_DIR=${NOTIFIER_LETTER_DROP_DIR:-$state/letters}"
      ;;
    collection-handoff)
      echo "COLLECTION_TOPIC_INVOICES=$(topic invoicing.invoices.v1)"
      echo "COLLECTION_TOPIC_ACTIONS=$(topic dunning.actions.v1)"
      echo "COLLECTION_TOPIC_CASES=$(topic collection.cases.v1)"
      echo "COLLECTION_GROUP_INVOICES=$(group collection-handoff).invoices"
      echo "COLLECTION_GROUP_ACTIONS=$(group collection-handoff).handoff-requests"
      echo "COLLECTION_AGENCIES_FILE=${COLLECTION_AGENCIES_FILE:-$repo/apps/collection-handoff/agencies.local.json}"
      echo "INVOICING_URL=$invoicing_url"
      echo "INVOICING_API_KEY=$(secret api-key-collection-handoff)"
      # The agencies file names these variables (never the secrets themselves).
      echo "AGENCY_INKASSO_SE_TOKEN=$(secret agency-inkasso-se-token)"
      echo "AGENCY_INKASSO_SE_CALLBACK_TOKEN=$(secret agency-inkasso-se-callback-token)"
      echo "AGENCY_INKASSO_DE_CALLBACK_TOKEN=$(secret agency-inkasso-de-callback-token)"
      ;;
  esac
}

# --- a clean slate ------------------------------------------------------------------------------
reset_databases() {
  local db
  for db in "${database_names[@]}"; do
    db="$(database_of "$db")"
    psql -h 127.0.0.1 -U postgres -d postgres -Xq -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\"" >/dev/null ||
      die "could not re-create database $db"
  done
}

reset_topics() { # delete the platform's topics (and their dead-letter topics), then create them anew
  local names=() t
  for t in "${platform_topics[@]}"; do names+=("$(topic "$t")"); done
  node - "$kafka_brokers" "${names[@]}" <<'JS' || die "could not reset the platform's topics"
const { Kafka, logLevel } = require('kafkajs');
const [brokers, ...topics] = process.argv.slice(2);
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  const admin = new Kafka({ clientId: 'platform-sh', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const doomed = topics.flatMap((name) => [name, `${name}.dlq`]).filter((name) => existing.has(name));
    if (doomed.length > 0) {
      await admin.deleteTopics({ topics: doomed, timeout: 30000 });
      console.error(`platform.sh: deleted ${doomed.length} topics of the last run`);
    }
    // Deletion finishes in the background: create the topics again until the broker accepts them
    // and every partition has a leader, so that no service starts against a half-deleted topic.
    for (let attempt = 1; ; attempt++) {
      try {
        const left = new Set(await admin.listTopics());
        const missing = topics.filter((name) => !left.has(name));
        if (missing.length > 0) await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })), waitForLeaders: true });
        const metadata = await admin.fetchTopicMetadata({ topics });
        if (metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) break;
      } catch (error) {
        if (attempt >= 120) throw error;
      }
      await pause(250);
    }
  } finally {
    await admin.disconnect();
  }
})().catch((error) => { console.error(error.message); process.exit(1); });
JS
}

# --- run ---------------------------------------------------------------------------------------
run() {
  [ -d node_modules ] || npm ci --no-audit --no-fund
  local i port
  for i in "${!services[@]}"; do
    port="${ports[$i]}"
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/health/live"; then
      die "port $port (${services[$i]}) answers already: is a platform running? Stop it first."
    fi
  done

  local kafka_was_running=0
  bash deploy/local/kafka.sh status >/dev/null 2>&1 && kafka_was_running=1
  bash deploy/local/up.sh || die "the infrastructure failed to start"

  if [ "${PLATFORM_KEEP_DATA:-0}" = 1 ]; then
    generate_secrets keep
    [ "$kafka_was_running" = 1 ] || say "warning: the broker was started fresh, so the kept databases' consumer offsets refer to topics that are gone"
  else
    generate_secrets
    reset_databases
    reset_topics
  fi
  mkdir -p "$log_dir" "$state/letters"

  local pids=()
  stop_all() {
    trap - INT TERM
    say "stopping the services"
    local pid
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null
    if [ "$kafka_was_running" = 0 ] && [ "${KEEP_INFRA:-0}" != 1 ]; then
      say "stopping the infrastructure (KEEP_INFRA=1 leaves it running)"
      bash deploy/local/down.sh >/dev/null 2>&1 || true
    fi
  }
  trap 'stop_all; exit 0' INT TERM

  local name env_lines
  for i in "${!services[@]}"; do
    name="${services[$i]}"
    env_lines="$(service_env "$name")" || die "no environment for $name"
    # env(1) with the lines as arguments: values may hold any character but a newline.
    mapfile -t assignments <<<"$env_lines"
    env "${assignments[@]}" node -r @swc-node/register "apps/$name/src/main.ts" >"$log_dir/$name.log" 2>&1 &
    pids+=($!)
  done

  local deadline
  for i in "${!services[@]}"; do
    name="${services[$i]}"; port="${ports[$i]}"
    deadline=$((SECONDS + 120))
    until curl -fsS --max-time 2 "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do
      if ! kill -0 "${pids[$i]}" 2>/dev/null || [ $SECONDS -gt $deadline ]; then
        say "$name did not become ready; last lines of $log_dir/$name.log:"
        tail -n 30 "$log_dir/$name.log" >&2
        stop_all; exit 1
      fi
      sleep 1
    done
    printf 'ready  %-21s http://127.0.0.1:%s   metrics :%s\n' "$name" "$port" "${metrics_ports[$i]}"
  done
  cat <<EOF
The platform runs.
  billing events   kafka $kafka_brokers, topic $(topic billing.events.v1) (or POST http://127.0.0.1:${ports[0]}/billing-events with the key in $secrets_dir/api-key-billing)
  traces           http://127.0.0.1:${ZIPKIN_PORT:-9411}/zipkin/
  metrics          http://127.0.0.1:${PROMETHEUS_PORT:-9090}/
  mail / SMS       http://127.0.0.1:${SMTP_CAPTURE_HTTP_PORT:-1080}/messages, $state/kannel/fakesmsc.log
  logs             $log_dir/<service>.log
Ctrl-C stops it.
EOF
  wait
}

case "${1:-run}" in
  run) run ;;
  env)
    [ -n "${2:-}" ] || die "usage: $0 env <service>"
    service_env "$2"
    ;;
  services)
    for i in "${!services[@]}"; do echo "${services[$i]} ${ports[$i]} ${metrics_ports[$i]}"; done
    ;;
  -h | --help | help) sed -n '2,28p' "$0" ;;
  *) die "usage: $0 [run | env <service> | services | help]" ;;
esac
