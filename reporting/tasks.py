"""Background jobs of the reporting layer (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import task

from . import rendering
from .models import ReportSnapshot, ReportStatus


@task()
def render_report_snapshot(snapshot_id: int) -> None:
    """Render the PDF of a frozen report; progress is stored on the snapshot.

    A report already done is left as it is: a job queued before a retry may run after the
    retry's own (a worker back from a database outage), and would only render the same
    bytes again."""
    if ReportSnapshot.objects.filter(pk=snapshot_id, status=ReportStatus.DONE).exists():
        return
    rendering.report_snapshot_render(snapshot_id=snapshot_id)
