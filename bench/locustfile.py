"""Mixed load of quality.md §1 / R8: caseworkers, coordinators and funders at once.

Run by `make load` (bench/load.py), which writes the plan this file reads: verified session
cookies of generated accounts and the objects each one may open. Request names are the
URL patterns, so the statistics group by page rather than by id.
"""

import datetime as dt
import itertools
import json
import os
import random
import uuid

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["SILLON_LOAD_PLAN"]).read())  # noqa: SIM115 (read once)
COOKIE = PLAN["session_cookie_name"]
# A calendar year (read from the yearly rows); `make replica-drill` asks for a live period
# instead, which the dashboards compute on the reporting replica.
PERIOD = os.environ.get("SILLON_LOAD_PERIOD", "du=2025-01-01&au=2025-12-31")
# Seconds a person spends on a page before the next click (reading a list or a file, typing
# an action): `make load` uses 5–15 s; `--think 1,3` is the stress variant (bench/load.py).
THINK = tuple(float(s) for s in os.environ.get("SILLON_LOAD_THINK", "5,15").split(","))
# A word no page, log or dataset holds, sent in query strings (docs/security.md §3, S22):
# bench/load.py fails if any log line of the run holds it.
CANARY = os.environ.get("SILLON_LOAD_CANARY", "")
# The share of rounds that end with one such request, its kind taken in turn.
CANARY_SHARE = 0.25
CANARY_KINDS = itertools.cycle(("search", "404", "403"))


def expect(client, url: str, status: int, name: str) -> None:
    """GET `url`; the answer counts as a success when its status is `status` (a 404 or a
    403 is what the canary request is for)."""
    with client.get(url, name=name, catch_response=True, allow_redirects=False) as response:
        if response.status_code == status:
            response.success()
        else:
            response.failure(f"expected {status}, got {response.status_code}")


class _Sillon(HttpUser):
    abstract = True
    wait_time = between(*THINK)
    role = ""

    def on_start(self):
        self.me = random.choice(PLAN[self.role])
        self.client.cookies.set(COOKIE, self.me["cookie"])


class Caseworker(_Sillon):
    """List → file → log an action → the week's hours grid of their work site."""

    weight = 6
    role = "caseworkers"

    @task
    def daily_round(self):
        # A person reads each page before the next click: think time between the steps.
        self.client.get("/participants/", name="participants:list")
        self.wait()
        person = random.choice(self.me["participants"])
        self.client.get(f"/participants/{person['id']}/", name="participants:detail")
        if random.random() < 0.3:
            self.wait()
            self.client.get("/participants/?q=" + person["search"], name="participants:list?q")
        if random.random() < 0.5:
            self.wait()
            self._log_action(person)
        if self.me.get("hours") and random.random() < 0.3:
            self.wait()
            self.client.get(self.me["hours"], name="participants:hours_grid")
        if CANARY and random.random() < CANARY_SHARE:
            self.wait()
            self._canary(person)

    def _canary(self, person):
        """A search for the canary (200), a file that does not exist (404) and a manager's
        page (403), each with the canary in its query string."""
        kind = next(CANARY_KINDS)
        if kind == "search":
            expect(self.client, f"/participants/?q={CANARY}", 200, "canary: search")
        elif kind == "404":
            expect(self.client, f"/participants/999999999/?q={CANARY}", 404, "canary: 404")
        else:
            url = f"/participants/{person['id']}/droits/effacer/?q={CANARY}"
            expect(self.client, url, 403, "canary: 403")

    def _log_action(self, person):
        url = f"/participants/parcours/{person['parcours']}/actions/nouvelle/"
        self.client.get(url, name="participants:action_create (form)")
        self.wait()  # typing the action
        token = self.client.cookies.get("csrftoken", "")
        prefix = f"action-{person['parcours']}"
        self.client.post(
            url,
            {
                "csrfmiddlewaretoken": token,
                f"{prefix}-date": dt.date.today().isoformat(),
                f"{prefix}-kind": "ENTRETIEN_INDIVIDUEL",
                f"{prefix}-theme": "EMPLOI",
                f"{prefix}-duration_minutes": "45",
                f"{prefix}-partner": "",
                f"{prefix}-note": "Point d'étape (test de charge).",
            },
            headers={"Referer": self.host + url},
            name="participants:action_create (post)",
        )


class Coordinator(_Sillon):
    """Territory dashboards and the national comparison."""

    weight = 3
    role = "coordinators"

    @task(3)
    def territory(self):
        code = random.choice(self.me["programmes"])
        self.client.get(
            f"/rapports/{code}/territoire/{self.me['territory']}/?{PERIOD}",
            name="reporting:territory",
        )

    @task(1)
    def national(self):
        if self.me.get("national"):
            self.client.get(f"/rapports/CVG/territoires/?{PERIOD}", name="reporting:national")


class Funder(_Sillon):
    """The deployment's report page, and a PDF generation request."""

    weight = 1
    role = "funders"

    @task
    def report(self):
        url = f"/rapports/deploiements/{self.me['deployment']}/"
        self.client.get(url, name="reporting:deployment_reports")
        if random.random() < 0.2:
            self.wait()
            self.client.post(
                url,
                {
                    "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
                    "periode": "2025",
                },
                headers={"Referer": self.host + url},
                name="reporting:deployment_reports (generate PDF)",
            )
        if CANARY and random.random() < CANARY_SHARE:
            self.wait()
            expect(
                self.client, f"/rapports/pdf/{uuid.uuid4()}/?canari={CANARY}", 404, "canary: 404"
            )
