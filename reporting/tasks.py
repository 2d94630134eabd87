"""Background jobs of the reporting layer (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import task

from . import rendering


@task()
def render_report_snapshot(snapshot_id: int) -> None:
    """Render the PDF of a frozen report; progress is stored on the snapshot."""
    rendering.report_snapshot_render(snapshot_id=snapshot_id)
