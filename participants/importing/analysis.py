"""The analysis of an uploaded file, run by the background worker (`participants.tasks`).

The upload request stores the file as a PENDING job and queues this; the worker claims the
job (ANALYSING), reads the file within the limits of `limits` and checks every row, then
stores the report (ANALYSED) or the reason the file is refused (REFUSED, content emptied).
Every write is a conditional UPDATE of a short statement: the job row is never locked while
the file is read, so the page polling the job's progress never waits on the analysis.
"""

import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ImportJob
from .limits import ImportFileError
from .reader import read_file
from .runner import analyse

logger = logging.getLogger(__name__)
Status = ImportJob.Status


def import_job_analyse(*, job_id: int) -> None:
    """Analyse a PENDING job; a job in any other state (analysed meanwhile by another run,
    uploaded again, deleted) is left as it is."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=Status.PENDING).update(
        status=Status.ANALYSING, updated_at=now
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("structure").get(pk=job_id)
    analysing = ImportJob.objects.filter(pk=job_id, status=Status.ANALYSING)
    try:
        parsed = read_file(bytes(job.content))
        report = analyse(parsed, structure=job.structure)
    except ImportFileError as error:
        analysing.update(**_refusal(str(error)))
        return
    except Exception:
        logger.exception("Import job %s: the analysis failed", job_id)
        analysing.update(
            **_refusal(_("L'analyse du fichier s'est interrompue : déposez-le à nouveau."))
        )
        raise
    analysing.update(
        status=Status.ANALYSED,
        report=report.as_json(),
        rows_total=report.total_rows,
        rows_done=0,
        updated_at=timezone.now(),
    )


def _refusal(message: str) -> dict:
    """The fields of a refused job: why, and no content kept (it cannot be imported)."""
    return {
        "status": Status.REFUSED,
        "failure": message[:300],
        "content": b"",
        "report": {},
        "rows_total": 0,
        "rows_done": 0,
        "updated_at": timezone.now(),
    }
