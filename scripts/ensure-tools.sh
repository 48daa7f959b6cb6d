#!/usr/bin/env bash
# Installs the Debian tools the tests and local scripts need, only when missing.
# Fast (no apt at all) when everything is present; `apt-get update` runs at most once.
# Usage: scripts/ensure-tools.sh            (safe to call from CI: non-interactive)
set -euo pipefail

# command -> Debian package providing it
declare -A tools=(
  [kcat]=kcat                 # independent Kafka client used by tests to cross-check kafkajs
  [java]=openjdk-17-jre-headless  # runs the Kafka broker
  [mvn]=maven                 # resolves the Kafka broker from Maven Central
  [pg_isready]=postgresql-client
  [flock]=util-linux
  [ss]=iproute2
  [chromium]=chromium         # headless browser for page tests (driven by playwright-core)
)

missing=()
for cmd in "${!tools[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${tools[$cmd]}")
done
((${#missing[@]} == 0)) && exit 0

echo "ensure-tools: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-tools: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
for cmd in "${!tools[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "ensure-tools: '$cmd' still missing after install" >&2; exit 1; }
done
echo "ensure-tools: done" >&2
