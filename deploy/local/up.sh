#!/usr/bin/env bash
# Brings up everything the platform needs on this machine, without Docker. Idempotent.
# Usage: deploy/local/up.sh        (then: KAFKA_BROKERS=127.0.0.1:9092, DATABASE_URL=postgres://postgres@127.0.0.1:5432/dunning_<service>)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

bash "$repo/scripts/ensure-tools.sh"
bash "$here/postgres.sh" ensure
bash "$here/kafka.sh" start

# --- further peers go here, each an idempotent `<peer>.sh start` in deploy/local/ ---
# SMTP capture (maildev / smtp-server), Kannel with fakesmsc, Zipkin / OTLP receiver,
# Prometheus. Add the matching `stop` to down.sh in reverse order.
bash "$here/peers/smtp.sh" start     # SMTP capture: 127.0.0.1:1025, HTTP view :1080 (notifier)
bash "$here/peers/kannel.sh" start   # Kannel + fakesmsc: sendsms 127.0.0.1:13013 (notifier)
bash "$here/peers/wiremock.sh" start   # WireMock as the collection agency API: 127.0.0.1:8089 (collection-handoff)
bash "$here/peers/zipkin.sh" start       # Zipkin (traces): collector + UI http://127.0.0.1:9411 (OTEL_TRACES_EXPORTER=zipkin)
bash "$here/peers/prometheus.sh" start   # Prometheus: http://127.0.0.1:9090, scrapes the services on 127.0.0.1:9464-9469
