#!/bin/sh
# Run once by docker-compose.yml's `secrets` service (busybox sh in alpine): writes each service's
# secrets as a shell-sourceable file into the shared volume, /secrets/<service>.env. Nothing is
# written into the repository. The files are kept across `docker compose up` runs, because the
# personal-data KEK must outlive the PostgreSQL volume it protects; `docker compose down -v`
# removes both together. The same secrets as scripts/platform.sh generates (docs/operations.md).
set -eu
dir="${1:-/secrets}"
mkdir -p "$dir"
if [ -f "$dir/.complete" ]; then echo "generate-secrets: kept the secrets in $dir"; exit 0; fi

token() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }
kek="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
billing="$(token)"; operator="$(token)"; notifier="$(token)"; collection="$(token)"
dlr="$(token)"; se_token="$(token)"; se_callback="$(token)"; de_callback="$(token)"

umask 077
cat >"$dir/invoicing.env" <<ENV
INVOICING_API_KEYS='billing=$billing:write,operator=$operator:read+admin,notifier=$notifier:contacts,collection-handoff=$collection:contacts'
INVOICING_PERSONAL_DATA_KEK='$kek'
ENV
cat >"$dir/notifier.env" <<ENV
NOTIFIER_INVOICING_API_KEY='$notifier'
NOTIFIER_DLR_SECRET='$dlr'
ENV
cat >"$dir/collection-handoff.env" <<ENV
INVOICING_API_KEY='$collection'
AGENCY_INKASSO_SE_TOKEN='$se_token'
AGENCY_INKASSO_SE_CALLBACK_TOKEN='$se_callback'
AGENCY_INKASSO_DE_CALLBACK_TOKEN='$de_callback'
ENV
: >"$dir/scoring.env"
: >"$dir/dunning-orchestrator.env"
# For people calling the API from the host: `docker compose run --rm secrets cat /secrets/clients.env`.
cat >"$dir/clients.env" <<ENV
BILLING_API_KEY='$billing'
OPERATOR_API_KEY='$operator'
ENV
# The services run as the image's `node` user (uid 1000): let it read, nobody else.
chown 1000:1000 "$dir"/*.env
touch "$dir/.complete"
echo "generate-secrets: wrote new secrets to $dir"
