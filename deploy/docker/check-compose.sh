#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: the Compose file is parsed, interpolated,
# merged (x- anchors) and checked against the Compose schema by a real Compose implementation,
# which also rejects dependencies on undefined services and unknown depends_on conditions.
#
#   deploy/docker/check-compose.sh [compose-file]     (default: <repo>/docker-compose.yml)
#
# Validator, first found: `docker compose` (v2 plugin, on machines with Docker), else
# `docker-compose` (Debian's package, installed here with apt-get when missing and run as root).
# Idempotent; exits 0 when the file is valid, non-zero with Compose's own message otherwise.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
compose_file="$(realpath "${1:-$repo/docker-compose.yml}")"

say() { echo "check-compose: $*" >&2; }
die() { say "ERROR: $*"; exit 2; }

[[ -f "$compose_file" ]] || die "no such file: $compose_file"

install_docker_compose() {
  [[ "$(id -u)" == 0 ]] || die "neither 'docker compose' nor 'docker-compose' is installed (as root this script installs Debian's docker-compose)"
  command -v apt-get >/dev/null || die "no 'docker compose', no 'docker-compose' and no apt-get to install it"
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -q -o DPkg::Lock::Timeout=300)
  # Refresh the package lists only when they do not offer docker-compose yet.
  if ! apt-cache show docker-compose >/dev/null 2>&1; then
    say "apt-get update (docker-compose not in the package lists)"
    "${apt[@]}" update >&2
  fi
  say "installing Debian's docker-compose"
  "${apt[@]}" install -y --no-install-recommends docker-compose >&2
}

validator=()
if docker compose version >/dev/null 2>&1; then
  validator=(docker compose)
else
  command -v docker-compose >/dev/null 2>&1 || install_docker_compose
  validator=(docker-compose)
fi

# The project directory is the file's own directory, as `docker compose up` would use it.
"${validator[@]}" --project-directory "$(dirname "$compose_file")" -f "$compose_file" config -q
say "valid: $compose_file ($("${validator[@]}" version --short 2>/dev/null || echo "${validator[*]}"))"
