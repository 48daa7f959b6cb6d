#!/usr/bin/env bash
# A real, single-node Apache Kafka broker (KRaft, combined broker + controller) on 127.0.0.1,
# resolved from Maven Central by deploy/local/kafka/pom.xml. No Docker needed.
#
#   deploy/local/kafka.sh start    fresh storage, start, wait for a real metadata answer (idempotent)
#   deploy/local/kafka.sh stop     graceful stop (SIGTERM), forced after KAFKA_STOP_TIMEOUT seconds
#   deploy/local/kafka.sh status   exit 0 when running, 1 when stopped
#   deploy/local/kafka.sh classpath  print the broker's classpath (resolving it if needed)
#
# Environment (all optional):
#   KAFKA_PORT              client listener port (default 9092)
#   KAFKA_CONTROLLER_PORT   KRaft controller port (default KAFKA_PORT + 1)
#   DUNNING_STATE_DIR       root of local state (default <repo>/tmp/local)
#   KAFKA_STATE_DIR         this broker's dir: data, log, pid (default $DUNNING_STATE_DIR/kafka)
#   KAFKA_VERSION           override the version pinned in kafka/pom.xml (e.g. to try 4.x)
#   KAFKA_HEAP_OPTS         default "-Xms512m -Xmx1g"
#   KAFKA_START_TIMEOUT     seconds to wait for the metadata answer (default 90)
#   KAFKA_STOP_TIMEOUT      seconds to wait for a graceful stop before SIGKILL (default 30)
#   KAFKA_KEEP_DATA=1       reuse existing storage instead of formatting fresh storage
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
pom="$here/kafka/pom.xml"

pinned_version="$(sed -n 's|.*<kafka.version>\(.*\)</kafka.version>.*|\1|p' "$pom" | head -n1)"
version="${KAFKA_VERSION:-$pinned_version}"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-$((port + 1))}"
state_root="${DUNNING_STATE_DIR:-$repo/tmp/local}"
state="${KAFKA_STATE_DIR:-$state_root/kafka}"
heap="${KAFKA_HEAP_OPTS:--Xms512m -Xmx1g}"
start_timeout="${KAFKA_START_TIMEOUT:-90}"
stop_timeout="${KAFKA_STOP_TIMEOUT:-30}"

pid_file="$state/kafka.pid"
log_file="$state/kafka.log"
data_dir="$state/data"
config_file="$state/server.properties"
version_file="$state/kafka.version"   # the version the running broker was started with

# shellcheck source-path=SCRIPTDIR source=lib/daemon.sh
source "$here/lib/daemon.sh"

# A pid counts only while it is alive and is a Kafka broker using this state dir's config.
running_pid() { daemon_pid "$pid_file" "kafka.Kafka $config_file"; }

maven_profile() {
  case "$version" in 3.*) echo kafka3 ;; *) echo kafka4 ;; esac
}

# Resolves the broker's jars into the local Maven cache (offline first: fast, and works with
# no network when the cache is warm) and caches the classpath per version and POM content.
classpath() {
  local key cp_file
  key="$(sha256sum <"$pom" | cut -c1-12)"
  cp_file="$state_root/kafka-classpath/${version}-${key}.txt"
  if [[ -s "$cp_file" ]] && all_jars_present "$cp_file"; then
    cat "$cp_file"
    return 0
  fi
  mkdir -p "$(dirname "$cp_file")"
  local mvn_args=(-q -B -Dstyle.color=never -f "$pom" -P "$(maven_profile)" "-Dkafka.version=$version"
    dependency:build-classpath "-Dmdep.outputFile=$cp_file.tmp")
  if ! mvn -o "${mvn_args[@]}" >/dev/null 2>&1; then
    say "resolving Apache Kafka $version from Maven Central (first run only)"
    mvn "${mvn_args[@]}" >&2 || die "Maven could not resolve org.apache.kafka:kafka_2.13:$version"
  fi
  mv "$cp_file.tmp" "$cp_file"
  cat "$cp_file"
}

all_jars_present() {
  local jar
  while IFS= read -r jar; do [[ -f "$jar" ]] || return 1; done < <(tr ':' '\n' <"$1")
}

log4j_opts() {
  case "$version" in
    3.*) echo "-Dlog4j.configuration=file:$here/kafka/log4j.properties" ;;
    *) echo "-Dlog4j2.configurationFile=$here/kafka/log4j2.properties" ;;
  esac
}

write_config() {
  cat >"$config_file" <<EOF
# Written by deploy/local/kafka.sh; edits are overwritten on the next start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$data_dir

# Dev defaults: tests create their topics explicitly; auto-creation is a convenience.
auto.create.topics.enable=true
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0

# A shared 2-core machine: few threads, small segments, short retention.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
log.segment.bytes=67108864
log.retention.hours=24
log.retention.check.interval.ms=60000
EOF
}

format_storage() {
  if [[ "${KAFKA_KEEP_DATA:-0}" == 1 && -f "$data_dir/meta.properties" ]]; then
    say "reusing existing storage in $data_dir (KAFKA_KEEP_DATA=1)"
    return 0
  fi
  rm -rf "$data_dir"
  # A Kafka cluster id is 16 random bytes in URL-safe base64 without padding.
  local cluster_id
  # One starting with '-' would be read by kafka-storage as an option, so draw again.
  cluster_id="-"
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  # shellcheck disable=SC2046
  java $(tool_log_opts) -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$config_file" \
    >>"$log_file" 2>&1 || { tail -n 30 "$log_file" >&2; die "formatting KRaft storage failed (log: $log_file)"; }
}

tool_log_opts() {
  case "$version" in
    3.*) echo "-Dlog4j.configuration=file:$here/kafka/log4j-tools.properties" ;;
    *) echo "-Dlog4j2.configurationFile=$here/kafka/log4j2-tools.properties" ;;
  esac
}

probe() { # probe <deadline-seconds> [pid]
  # shellcheck disable=SC2046
  java $(tool_log_opts) -cp "$cp" "$here/kafka/MetadataProbe.java" "127.0.0.1:$port" "$@"
}

start() {
  local pid
  if pid="$(running_pid)"; then
    local running_version
    running_version="$(cat "$version_file" 2>/dev/null || echo unknown)"
    say "already running (pid $pid, 127.0.0.1:$port, Kafka $running_version)"
    [[ "$running_version" == "$version" ]] || say "note: Kafka $version was asked for; run 'kafka.sh stop' first to switch"
    return 0
  fi
  for p in "$port" "$controller_port"; do
    port_in_use "$p" && die "port $p on 127.0.0.1 is taken by another process; set KAFKA_PORT / KAFKA_CONTROLLER_PORT or stop it"
  done
  command -v java >/dev/null || die "java not found (Kafka needs Java 17+)"
  command -v mvn >/dev/null || die "mvn not found (needed to resolve Kafka from Maven Central)"

  cp="$(classpath)"
  mkdir -p "$state"
  [[ -f "$log_file" ]] && mv -f "$log_file" "$log_file.1"
  : >"$log_file"
  write_config
  format_storage

  # setsid + nohup + no stdin: the broker outlives this script, a CI step and a closed terminal.
  # shellcheck disable=SC2086,SC2046
  setsid nohup java -server $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    $(log4j_opts) -cp "$cp" kafka.Kafka "$config_file" </dev/null >>"$log_file" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$pid_file"
  echo "$version" >"$version_file"
  say "starting Kafka $version (pid $pid) on 127.0.0.1:$port, controller :$controller_port; log: $log_file"

  local rc=0
  probe "$start_timeout" "$pid" >&2 || rc=$?
  if [[ $rc -ne 0 ]]; then
    if [[ $rc -eq 2 ]]; then
      say "the broker process exited during start-up; last lines of $log_file:"
    else
      say "broker not ready (metadata + coordinators) within ${start_timeout}s; last lines of $log_file:"
    fi
    tail -n 40 "$log_file" >&2
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pid_file"
    exit 1
  fi
  say "ready: KAFKA_BROKERS=127.0.0.1:$port"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pid_file"
    say "not running"
    return 0
  fi
  say "stopping pid $pid (graceful, up to ${stop_timeout}s)"
  stop_pid "$pid" "$stop_timeout"
  rm -f "$pid_file"
  say "stopped"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running (pid $pid, Kafka $(cat "$version_file" 2>/dev/null || echo unknown), 127.0.0.1:$port, log $log_file)"
    return 0
  fi
  echo "stopped"
  return 1
}

# Serialise start/stop across concurrent callers (several test runs may call `start` at once);
# without this two callers could both format the same storage.
lock_timeout=$((start_timeout + stop_timeout + 120))

cmd="${1:-}"
case "$cmd" in
  start) with_lock "$state" "$lock_timeout" start ;;
  stop) with_lock "$state" "$lock_timeout" stop ;;
  status) status ;;
  classpath) classpath ;;
  *) echo "usage: $0 start|stop|status|classpath" >&2; exit 2 ;;
esac
