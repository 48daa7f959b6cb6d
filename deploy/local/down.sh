#!/usr/bin/env bash
# Stops what deploy/local/up.sh started. PostgreSQL is the machine's own server and is left running.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# --- further peers are stopped here, in reverse order of up.sh ---
bash "$here/peers/prometheus.sh" stop
bash "$here/peers/zipkin.sh" stop
bash "$here/peers/wiremock.sh" stop
bash "$here/peers/kannel.sh" stop
bash "$here/peers/smtp.sh" stop

bash "$here/kafka.sh" stop
