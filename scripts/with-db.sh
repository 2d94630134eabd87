#!/usr/bin/env bash
# Run a command with DATABASE_URL set: the one from the environment or `.env`, or else a
# project-local PostgreSQL server (scripts/localdb.py), started for the command and stopped
# when it ends — unless it was already running (another `make run`, or `make db-start`),
# in which case it is left as it was found.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
py="$here/.venv/bin/python"
if [ -z "${DATABASE_URL:-}" ] && [ -f "$here/.env" ]; then
  from_env_file="$(sed -n 's/^DATABASE_URL=//p' "$here/.env" | tail -n 1)"
  if [ -n "$from_env_file" ]; then
    DATABASE_URL="$from_env_file"
    export DATABASE_URL
  fi
fi
if [ -z "${DATABASE_URL:-}" ]; then
  pgdata="${SILLON_PGDATA:-$here/var/pgdata}"
  already_running=""
  if [ -f "$pgdata/postmaster.pid" ] && kill -0 "$(head -n 1 "$pgdata/postmaster.pid")" 2>/dev/null; then
    already_running=1
  fi
  if [ -z "$already_running" ] && [ -z "${SILLON_KEEP_DB:-}" ]; then
    # Stop the server we start, however the command ends (Ctrl-C included).
    trap '"$py" "$here/scripts/localdb.py" stop' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
  fi
  DATABASE_URL="$("$py" "$here/scripts/localdb.py" start)"
  export DATABASE_URL
fi
# Not exec: the traps above must run after the command.
"$@"
