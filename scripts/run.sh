#!/usr/bin/env bash
# `make run`: migrate, load the demo, start the background worker (PDF reports) and serve.
# Runs under scripts/with-db.sh, so DATABASE_URL is set.
set -euo pipefail
py="$(dirname "$0")/../.venv/bin/python"
# /readyz checks that the uploads folder (MEDIA_ROOT) exists and is writable: a fresh clone
# has none.
mkdir -p "${MEDIA_ROOT:-var/media}"
"$py" manage.py migrate --noinput
"$py" manage.py seed_demo
# The worker runs without the autoreloader: under it, a database restart killed the worker's
# thread while the process stayed up, and PDFs stayed pending. Alone, a lost database ends
# the process (OperationalError), and this loop starts it again, as systemd does in
# production (docs/deployment.md). Code changes to tasks need a new `make run`.
: >var/worker.log
(
  trap 'kill "$child" 2>/dev/null; exit 0' TERM INT
  while true; do
    "$py" manage.py db_worker --no-reload &
    child=$!
    wait "$child" || true
    echo "db_worker ended; restarting in 2 s" >&2
    sleep 2
  done
) >>var/worker.log 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT
# The logins are printed once the server's own banner is out, so they stay in view.
(sleep 4 && "$py" manage.py demo_logins) &
"$py" manage.py runserver 127.0.0.1:8000
