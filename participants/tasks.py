"""Background jobs of the participants layer (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import task

from .importing.analysis import import_job_analyse


@task()
def analyse_import_job(job_id: int) -> None:
    """Read and check an uploaded spreadsheet; the outcome is stored on the job."""
    import_job_analyse(job_id=job_id)
