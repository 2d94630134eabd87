"""Read-access log of participants' files (who opened which file, when, to do what).

Other apps call `log_read(request, participant=..., action=...)` once per view, export or PDF
that shows a participant's personal data (quality.md S21). Rows are append-only: the web
database role may INSERT and SELECT them, never UPDATE or DELETE (see the RLS migration).
"""

from .services import access_log_for_participant, log_bulk_read, log_read

__all__ = ["access_log_for_participant", "log_bulk_read", "log_read"]
