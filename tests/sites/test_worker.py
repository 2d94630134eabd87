"""The background worker survives its database (issue 18, item 4): `manage.py db_worker`
waits for a database that went away and goes on with the queue, in the same process."""

import logging

import pytest
from django.core.management import get_commands
from django.db import connection
from django.test import override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from sites import worker as worker_module
from sites.worker import ReconnectingWorker

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@task()
def noop(value: int) -> int:
    return value


def test_db_worker_is_the_reconnecting_one():
    assert get_commands()["db_worker"] == "sites"


def _worker() -> ReconnectingWorker:
    return ReconnectingWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_whose_database_goes_away_waits_for_it_and_runs_the_queue(caplog):
    """The database stops answering (every connection refused) while a task is queued; the
    worker does not end, retries, and runs the task once the database is back."""
    with override_settings(TASKS=DATABASE_TASKS):
        result = noop.enqueue(7)
        real = dict(connection.settings_dict)
        connection.close()
        # Nothing listens on port 1 of the loopback: every new connection is refused.
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
        waits = []

        def sleep(seconds):
            waits.append(seconds)
            if len(waits) == 3:  # the database is back before the third attempt
                connection.settings_dict.update(HOST=real["HOST"], PORT=real["PORT"])

        worker = _worker()
        worker.sleep = sleep
        try:
            with caplog.at_level(logging.WARNING, logger="sillon.worker"):
                worker.run()
        finally:
            connection.settings_dict.update(HOST=real["HOST"], PORT=real["PORT"])
        row = DBTaskResult.objects.get(pk=result.id)
        assert row.status == "SUCCESSFUL"
        assert row.return_value == 7
    assert waits == [1.0, 2.0, 4.0]
    messages = [r.getMessage() for r in caplog.records if r.name == "sillon.worker"]
    assert messages == ["worker.database_lost", "worker.database_back"]
    assert caplog.records[-1].attempts == 3


@pytest.mark.django_db(transaction=True)
def test_the_waits_grow_to_five_seconds_at_most(monkeypatch):
    answers = iter([False] * 6 + [True])
    monkeypatch.setattr(worker_module, "database_answers", lambda: next(answers))
    waits = []
    worker = _worker()
    worker.sleep = waits.append
    worker.wait_for_database(worker_module.OperationalError("gone"))
    assert waits == [1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0]


def test_a_worker_asked_to_stop_does_not_wait(monkeypatch):
    def lost(self):
        raise worker_module.OperationalError("gone")

    monkeypatch.setattr(worker_module.Worker, "run", lost)
    worker = _worker()
    worker.running = False
    with pytest.raises(worker_module.OperationalError):
        worker.run()
