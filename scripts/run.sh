#!/usr/bin/env bash
# `make run`: migrate, load the demo, start the background worker (PDF reports) and serve.
# Runs under scripts/with-db.sh, so DATABASE_URL is set. SILLON_PORT serves on another port
# than 8000 (a second worktree, say).
set -euo pipefail
py="$(dirname "$0")/../.venv/bin/python"
# /readyz checks that the uploads folder (MEDIA_ROOT) exists and is writable: a fresh clone
# has none.
mkdir -p "${MEDIA_ROOT:-var/media}"
"$py" manage.py migrate --noinput
"$py" manage.py seed_demo
# The background worker, under the restart loop the restart drill checks (scripts/worker.sh:
# no autoreloader; a lost database is waited for, anything else restarts it in 2 s).
: >var/worker.log
"$(dirname "$0")/worker.sh" >>var/worker.log 2>&1 &
worker=$!
# Stopped before scripts/with-db.sh stops the database.
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null || true' EXIT
# The logins are printed once the server's own banner is out, so they stay in view.
(sleep 4 && "$py" manage.py demo_logins) &
"$py" manage.py runserver "127.0.0.1:${SILLON_PORT:-8000}"
