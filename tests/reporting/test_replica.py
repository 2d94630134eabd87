"""Dashboards and the national view read their live periods on the reporting replica, under
row-level security, and fall back to the primary when the replica is down.

The `reporting` alias mirrors the test database here (a second connection that sees
committed rows only, as a replica would); `make replica-drill` runs the same paths against a
real hot standby (bench/replica_drill.py).
"""

import datetime as dt
import logging

import pytest
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from reporting import indicators as ind
from reporting import periods
from reporting.selectors import ReportScope, dashboard_figures
from sites.tenancy import replica

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "reporting"])

# A live period (not a calendar year: those are read from the yearly rows on the primary).
LIVE = periods.free(dt.date(2021, 1, 1), dt.date(2021, 12, 30))


@pytest.fixture(autouse=True)
def _replica_state():
    replica._down_until = 0.0
    yield
    replica._down_until = 0.0
    connections["reporting"].close()


def _scope(world):
    return ReportScope(
        programme=world.cvg,
        territory=world.nm,
        structure_ids=frozenset(ind.structures_in_territory(world.nm.pk)),
    )


def _parcours_queries(context) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "participants_parcours" in q["sql"]]


def test_a_live_dashboard_is_computed_on_the_replica(world):
    expected = dashboard_figures(report_scope=_scope(world), period=LIVE).total.as_dict()
    with (
        override_settings(REPORTING_REPLICA=True),
        CaptureQueriesContext(connections["reporting"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        figures = dashboard_figures(report_scope=_scope(world), period=LIVE).total.as_dict()
    assert figures == expected
    assert figures["accompanied"] > 0
    assert _parcours_queries(on_replica)
    assert not _parcours_queries(on_primary)
    # The replica's transaction ran as the web role with the scope's structures.
    assert any("set_config('role'" in q["sql"] for q in on_replica.captured_queries)


def test_row_level_security_narrows_the_replica_read(world):
    # Asked for Nantes Métropole with only one of its structures opened, the aggregate
    # sees that structure's parcours and nothing else (the other rows are filtered out by
    # the policies on the replica connection, not by the query).
    with override_settings(REPORTING_REPLICA=True), replica.reporting_reads([world.s1.pk]):
        table = ind.indicator_table(
            programme=world.cvg,
            period=LIVE,
            structure_ids=[world.s1.pk, world.s2.pk, world.s4.pk],
            territory_id=world.nm.pk,
        )
    assert set(table.by_structure) <= {world.s1.pk}


def test_a_replica_that_is_down_falls_back_to_the_primary(world, caplog):
    expected = dashboard_figures(report_scope=_scope(world), period=LIVE).total.as_dict()
    settings_dict = connections["reporting"].settings_dict
    saved = {key: settings_dict[key] for key in ("HOST", "PORT")}
    connections["reporting"].close()
    # A loopback port nobody listens on: the connection is refused at once.
    settings_dict.update(HOST="127.0.0.1", PORT="9")
    try:
        with (
            override_settings(REPORTING_REPLICA=True),
            caplog.at_level(logging.WARNING, logger="sites.tenancy.replica"),
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            figures = dashboard_figures(report_scope=_scope(world), period=LIVE).total.as_dict()
            assert replica.replica_marked_down()
            # The next report does not try the replica again (no second warning).
            dashboard_figures(report_scope=_scope(world), period=LIVE)
    finally:
        settings_dict.update(saved)
        connections["reporting"].close()
    assert figures == expected
    assert _parcours_queries(on_primary)
    warnings = [r for r in caplog.records if r.name == "sites.tenancy.replica"]
    assert len(warnings) == 1
    assert "read on the primary" in warnings[0].getMessage()


def test_a_kept_replica_connection_found_dead_is_read_again_on_the_primary(world, caplog):
    expected = dashboard_figures(report_scope=_scope(world), period=LIVE).total.as_dict()
    replica_connection = connections["reporting"]
    replica_connection.ensure_connection()
    pid = replica_connection.connection.info.backend_pid
    # The standby restarted between two requests: the kept connection is dead.
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    with (
        override_settings(REPORTING_REPLICA=True),
        caplog.at_level(logging.WARNING, logger="sites.tenancy.replica"),
    ):
        figures = dashboard_figures(report_scope=_scope(world), period=LIVE).total.as_dict()
    assert figures == expected
    assert any("read again on the primary" in r.getMessage() for r in caplog.records)
