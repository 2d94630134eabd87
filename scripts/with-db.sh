#!/usr/bin/env bash
# Run a command with DATABASE_URL set: the given one, or a project-local PostgreSQL server
# (scripts/localdb.py) started for the command and stopped cleanly when it ends.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
py="$here/.venv/bin/python"
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL="$("$py" "$here/scripts/localdb.py" start)"
  export DATABASE_URL
  if [ -z "${SILLON_KEEP_DB:-}" ]; then
    trap '"$py" "$here/scripts/localdb.py" stop' EXIT
  fi
fi
"$@"
