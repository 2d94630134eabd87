#!/usr/bin/env bash
# The background worker (funder PDFs, import analyses) under a restart loop: `manage.py
# db_worker --no-reload`, started again 2 s after it ends, whatever the reason. Used by
# scripts/run.sh (make run) and bench/restart_drill.py, so the drill checks the worker as
# `make run` starts it; systemd plays this part in production (docs/deployment.md).
#
# The worker itself waits for a database that went away (sites/worker.py); this loop is for
# anything else that ends it. Without the autoreloader, code changes to tasks need a new
# start. TERM or INT stop the worker (gracefully: a task running is finished) and the loop.
# Extra arguments go to db_worker. Needs DATABASE_URL (scripts/with-db.sh sets it).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
py="$here/.venv/bin/python"
child=""
stop() {
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  exit 0
}
trap stop TERM INT
cd "$here"
while true; do
  "$py" manage.py db_worker --no-reload "$@" &
  child=$!
  wait "$child"
  status=$?
  child=""
  echo "db_worker ended (exit status $status); restarting in 2 s" >&2
  sleep 2 &
  wait $!
done
