"""Read-access log of participants' files (who opened which file, when, to do what).

Other apps call `services.log_read(request, participant=..., action=...)` once per view,
export or PDF that shows a participant's personal data (quality.md S21). Rows are
append-only: the web database role may INSERT and SELECT them, never UPDATE or DELETE (see
the RLS migration).
"""
