"""Funder PDFs across a PostgreSQL outage, for `make restart-drill` (bench/load.py).

A funder of the load plan, through HTTP like a browser (their verified session, the CSRF
token of the report page):

- `in_flight`: asks for a PDF and stops the database as soon as the worker starts rendering
  it (within 10 s), so the rendering is usually cut mid-way;
- `during`: asks for a PDF every second while the database is down (each attempt answers
  an error page) until one is accepted, once it is back;
- both must end rendered, with no process restarted by hand: the worker waits for its
  database (sites/worker.py); a rendering cut mid-way is shown as stalled after
  `REPORT_STALLED_AFTER_MINUTES` (the drill sets 1) and the drill presses "Relancer la
  génération", as the funder would.

Each request carries the run's canary in its query string, like the load's own.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

import requests

SNAPSHOT = re.compile(r"/rapports/pdf/([0-9a-f-]{36})/$")


@dataclass
class Asked:
    """One PDF asked for: when, how many attempts and their statuses, its report's uuid."""

    label: str
    attempts: list[tuple[float, int | str]] = field(default_factory=list)
    uuid: str = ""
    accepted_at: float | None = None
    done_at: float | None = None
    retried_at: float | None = None
    pdf_ok: bool = False
    loadavg: str = ""  # /proc/loadavg when the PDF was seen rendered
    states: list[str] = field(default_factory=list)


class FunderClient:
    def __init__(self, host: str, plan: dict, canary: str):
        funder = plan["funders"][-1]
        self.host, self.canary = host, canary
        self.page = f"/rapports/deploiements/{funder['deployment']}/"
        self.http = requests.Session()
        self.http.cookies.set(plan["session_cookie_name"], funder["cookie"])
        # The CSRF cookie, while the database still answers.
        self.http.get(host + self.page, timeout=10).raise_for_status()

    def _post(self, path: str, data: dict | None = None) -> requests.Response:
        return self.http.post(
            f"{self.host}{path}?canari={self.canary}",
            {"csrfmiddlewaretoken": self.http.cookies.get("csrftoken", ""), **(data or {})},
            headers={"Referer": self.host + self.page},
            allow_redirects=False,
            timeout=30,
        )

    def ask(self, asked: Asked, *, period: str = "2025") -> bool:
        """One attempt; True when the report was frozen and its PDF queued."""
        try:
            response = self._post(self.page, {"periode": period})
            status: int | str = response.status_code
        except requests.RequestException as exc:
            response, status = None, type(exc).__name__
        asked.attempts.append((time.time(), status))
        found = SNAPSHOT.search(response.headers.get("Location", "")) if response else None
        if found is None:
            return False
        asked.uuid, asked.accepted_at = found[1], time.time()
        return True

    def ask_until_accepted(self, asked: Asked, stop: threading.Event, deadline: float) -> None:
        while not stop.is_set() and time.time() < deadline:
            if self.ask(asked):
                return
            time.sleep(1)

    def retry(self, asked: Asked) -> None:
        response = self._post(f"/rapports/pdf/{asked.uuid}/relancer/")
        asked.retried_at = time.time()
        asked.attempts.append((asked.retried_at, response.status_code))

    def download(self, asked: Asked) -> None:
        response = self.http.get(
            f"{self.host}/rapports/pdf/{asked.uuid}/telecharger/?canari={self.canary}",
            timeout=30,
        )
        asked.pdf_ok = response.status_code == 200 and response.content.startswith(b"%PDF")


def state(uuid: str) -> tuple[str, bool]:
    """(status, stalled) of a report, read from the database (Django is set up)."""
    from django.db import close_old_connections

    from reporting.models import ReportSnapshot

    close_old_connections()
    snapshot = ReportSnapshot.objects.only("status", "queued_at").get(uuid=uuid)
    return snapshot.status, snapshot.is_stalled


def wait_for(asked: Asked, status: str, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if state(asked.uuid)[0] == status:
            asked.states.append(status)
            return True
        time.sleep(0.02)
    return False


def follow(client: FunderClient, asked: Asked, deadline: float) -> None:
    """Wait for the PDF; press "Relancer la génération" once if the report stalls."""
    while time.time() < deadline:
        status, stalled = state(asked.uuid)
        if not asked.states or asked.states[-1] != status:
            asked.states.append(status)
        if status == "DONE":
            asked.done_at = time.time()
            with open("/proc/loadavg") as f:
                asked.loadavg = f.read().strip()
            client.download(asked)
            return
        if (stalled or status == "FAILED") and asked.retried_at is None:
            asked.states.append("stalled" if stalled else "failed")
            client.retry(asked)
        time.sleep(0.5)


def describe(asked: Asked, ready_again: float) -> str:
    statuses = ", ".join(str(s) for _t, s in asked.attempts) or "none"
    lines = [f"{asked.label}: {len(asked.attempts)} request(s) ({statuses})"]
    if asked.accepted_at is None:
        lines.append("  never accepted")
        return "\n".join(lines)
    lines.append(
        f"  accepted {asked.accepted_at - ready_again:+.1f} s from the database's return; "
        f"states seen: {' → '.join(asked.states)}"
    )
    if asked.retried_at is not None:
        lines.append(f"  stalled, retried {asked.retried_at - ready_again:+.1f} s from it")
    if asked.done_at is None:
        lines.append("  NOT RENDERED")
    else:
        lines.append(
            f"  PDF rendered {asked.done_at - ready_again:.1f} s after the database accepted "
            f"connections again ({asked.done_at - asked.accepted_at:.1f} s after it was "
            f"accepted); download {'OK' if asked.pdf_ok else 'FAILED'}; load average then: "
            f"{asked.loadavg}"
        )
    return "\n".join(lines)
