"""`manage.py db_worker`: django-tasks-db's worker, surviving a database restart.

The same command, options and defaults as django-tasks-db's (this one wins because the
project's apps come before django_tasks_db in INSTALLED_APPS), with the worker of
`sites.worker`: a lost database is waited for, in every mode (with or without the
autoreloader), instead of ending the loop. `make run` and production run it with
`--no-reload` under a supervisor (`scripts/worker.sh`, systemd: docs/deployment.md).
"""

import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker as upstream

from sites.worker import ReconnectingWorker, logger


class Command(upstream.Command):
    help = "Run the background worker (waits for the database when it goes away)"

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("--reload and --batch cannot be specified together: no autoreload")
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ReconnectingWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child process, as upstream
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
