"""The small-count audit of the dashboards off the request path (reporting.audits): the
background job audits the dashboards of the structures that changed and stores the
statuses; the first view after a change reads them (one query, no audit) and publishes
exactly what auditing on the page would."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.enums import ParcoursStatus
from reporting import indicators as ind
from reporting import periods, presentation, selectors, services, suppression, territory_years
from reporting.models import AuditStale, PublishedAudit, TerritoryYearStale
from tests import factories as f

from .scenario import add_balanced, add_bulk

pytestmark = pytest.mark.django_db

D = dt.date
URL = reverse("reporting:territory", args=["CVG", "nantes-metropole"]) + "?periode=2021"
# The job audits the current and the last year: 2022 and 2021 on this day.
TODAY = D(2022, 1, 10)


@pytest.fixture
def audited(monkeypatch):
    """Counts the audits of dashboard grids (those with per-structure cells) run from now."""
    calls = []
    audit = suppression._audit

    def counted(values, constraints, dominated, owners):
        if owners is not None:
            calls.append(len(values))
        return audit(values, constraints, dominated, owners)

    monkeypatch.setattr(suppression, "_audit", counted)
    return calls


@pytest.fixture
def changed(world):
    """Nantes Métropole with enough people to publish, its rows built, then one change."""
    add_bulk(world)
    add_balanced(world)
    territory_years.rebuild(2026)
    AuditStale.objects.all().delete()  # the rebuild's own writes are not what is tested
    f.ParcoursFactory(
        participant=f.ParticipantFactory(structure=world.s2, last_name="Nouvelle"),
        start_date=D(2021, 9, 6),
        end_date=D(2021, 11, 30),
        status=ParcoursStatus.SORTI,
    )
    assert AuditStale.objects.filter(structure=world.s2).exists()
    return world


def _document(world) -> dict:
    """The published dashboard of Nantes Métropole × Convergence × 2021, as the coordinator
    page builds it."""
    report_scope = selectors.ReportScope(
        programme=world.cvg,
        territory=world.nm,
        structure_ids=frozenset(ind.structures_in_territory(world.nm.pk)),
        suppressed=True,
    )
    dashboard = selectors.dashboard_figures(report_scope=report_scope, period=periods.year(2021))
    document = presentation.publish_dashboard(dashboard)
    document.pop("generated_on")
    return document


def test_the_first_view_after_a_change_reads_the_audit_the_job_stored(
    client, coordinator, changed, audited
):
    assert services.dashboard_audits_refresh(today=TODAY) > 0
    assert not AuditStale.objects.exists()
    assert PublishedAudit.objects.exists()
    client.force_login(coordinator)
    assert client.get(URL).status_code == 200  # warms sessions and content types
    with CaptureQueriesContext(connection) as warm:
        assert client.get(URL).status_code == 200
    suppression.forget_audits()  # another process, or this one after the change
    audited.clear()
    with CaptureQueriesContext(connection) as first:
        assert client.get(URL).status_code == 200
    assert audited == []  # no dashboard grid audited on the request path
    lookups = [q for q in first.captured_queries if "reporting_publishedaudit" in q["sql"]]
    assert len(lookups) == 1
    assert len(first.captured_queries) == len(warm.captured_queries) + 1
    # The statuses read are those the audit gives: the same published document.
    suppression.forget_audits()
    from_store = _document(changed)
    assert audited == []
    PublishedAudit.objects.all().delete()
    suppression.forget_audits()
    assert _document(changed) == from_store
    assert len(audited) == 1  # audited on the spot this time


def test_a_grid_nobody_stored_is_audited_on_the_page_and_nothing_is_written(
    client, coordinator, changed, audited
):
    client.force_login(coordinator)
    suppression.forget_audits()
    assert client.get(URL).status_code == 200
    assert len(audited) == 1
    assert not PublishedAudit.objects.exists()  # no write on the request path
    assert client.get(URL).status_code == 200
    assert len(audited) == 1  # kept in the process, as before


def test_a_structure_a_page_recomputed_is_still_audited_by_the_job(
    client, coordinator, changed, audited
):
    client.force_login(coordinator)
    assert client.get(URL).status_code == 200  # recomputes the stale rows itself
    assert not TerritoryYearStale.objects.exists()
    assert AuditStale.objects.filter(structure=changed.s2).exists()
    assert services.dashboard_audits_refresh(today=TODAY) > 0
    suppression.forget_audits()
    audited.clear()
    assert client.get(URL).status_code == 200
    assert audited == []


def test_the_job_audits_each_dashboard_of_the_changed_structures_for_two_years(changed):
    expected = {
        (changed.cvg.pk, territory.pk)
        for territory in (changed.nm, changed.la)  # Nantes Métropole and Loire-Atlantique
    }
    assert set(services.audits.due_dashboards([changed.s2.pk], [2022, 2021])) >= expected
    audited_dashboards = services.dashboard_audits_refresh(today=TODAY)
    assert audited_dashboards == 2 * len(
        services.audits.due_dashboards([changed.s2.pk], [2022, 2021])
    )
    assert services.dashboard_audits_refresh(today=TODAY) == 0  # nothing left to do


def test_the_command_stores_the_audits_after_refreshing_the_rows(changed):
    out = StringIO()
    call_command("refresh_territory_years", stdout=out)
    assert "dashboard audit(s) stored" in out.getvalue()
    assert not AuditStale.objects.exists()
