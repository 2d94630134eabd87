#!/usr/bin/env bash
# The system packages Sillon needs beyond Python, installed when missing (Debian/Ubuntu).
#
#   scripts/system-deps.sh run    what `make run` needs: WeasyPrint's libraries and fonts
#   scripts/system-deps.sh test   that, plus Chromium (browser tests), poppler (PDF pages
#                                 as images in tests), PgBouncer (the pooler test,
#                                 tests/tenancy/test_pooler.py) and gettext (the catalogue
#                                 test runs makemessages on a copy of the sources)
#   scripts/system-deps.sh cluster that, plus the engines of the cluster drills (make
#                                 replica-drill, pooler-drill, failover-drill, pitr-drill):
#                                 PgBouncer, Patroni and etcd. PostgreSQL itself (with
#                                 pg_basebackup, pg_rewind) comes from the pgserver wheel.
#
# Used by the Makefile's `run`, `test` and `install` targets, hence by `.ci/run` too. Quiet
# when everything is there (one dpkg query); otherwise installs through apt-get, as root or
# with sudo, and stops with one clear line where neither is possible.
set -euo pipefail
profile="${1:-run}"

# venv: the Makefile creates .venv with the system Python.
# WeasyPrint: Pango (text layout) and HarfBuzz's subsetter (font embedding); without the
# latter WeasyPrint warns at import, which the strict test harness turns into an error.
packages=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
test_only=(chromium poppler-utils pgbouncer gettext)
cluster_only=(pgbouncer patroni etcd-server)
if [ "$profile" = "test" ]; then
  packages+=("${test_only[@]}")
elif [ "$profile" = "cluster" ]; then
  packages+=("${cluster_only[@]}")
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "scripts/system-deps.sh: not a Debian system; make sure these are installed: ${packages[*]}" >&2
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
  [ "$status" = "installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing the system packages Sillon needs: ${missing[*]}"
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Sillon needs these system packages and cannot install them without root:" \
    "sudo apt-get install ${missing[*]}" >&2
  for package in "${missing[@]}"; do
    [[ " ${test_only[*]} " == *" $package "* ]] || exit 1
  done
  # Only the browser tests', the pooler test's and the catalogue test's packages are
  # missing: the other tests can run (those are skipped with a message saying so).
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
echo "Installed: ${missing[*]}"
