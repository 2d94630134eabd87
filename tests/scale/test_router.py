"""Reporting reads routed to the `reporting` alias (a replica in production).

With REPORTING_DATABASE_URL set (settings.REPORTING_REPLICA) the alias is a second
connection; here it mirrors the test database, so it sees committed rows only, like a
replica. Without it, reporting reads stay on the primary's connection.
"""

import pytest
from django.db import connections, router
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from config.routers import reporting_alias, reporting_reads
from participants.models import Participant
from sites.models import Territory
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(databases=["default", "reporting"]),
    pytest.mark.usefixtures("with_replica"),
]


@pytest.fixture
def with_replica():
    with override_settings(REPORTING_REPLICA=True):
        yield


def test_without_a_replica_reporting_reads_stay_on_the_primary():
    with override_settings(REPORTING_REPLICA=False), reporting_reads("*") as alias:
        assert alias == "default"
        assert reporting_alias() == "default"
        assert router.db_for_read(Participant) == "default"


def test_reads_go_to_the_replica_only_inside_the_block():
    assert router.db_for_read(Participant) == "default"
    assert reporting_alias() == "default"
    with reporting_reads("*") as alias:
        assert alias == "reporting"
        assert router.db_for_read(Participant) == "reporting"
        assert router.db_for_read(Territory) == "reporting"
        assert reporting_alias() == "reporting"
        # Writes never go to the replica.
        assert router.db_for_write(Participant) == "default"
    assert router.db_for_read(Participant) == "default"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "participants")
    assert not router.allow_migrate("reporting", "participants")


# The reporting alias is a second connection: it sees committed rows only, like a replica.
@pytest.mark.django_db(transaction=True, databases=["default", "reporting"])
def test_orm_queries_inside_the_block_use_the_reporting_connection():
    f.TerritoryFactory(slug="t-routed")
    with (
        CaptureQueriesContext(connections["reporting"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
        reporting_reads("*"),
    ):
        slugs = list(Territory.objects.values_list("slug", flat=True))
    assert "t-routed" in slugs
    assert any("sites_territory" in q["sql"] for q in on_replica.captured_queries)
    assert not any("sites_territory" in q["sql"] for q in on_primary.captured_queries)


@pytest.mark.django_db(transaction=True, databases=["default", "reporting"])
def test_row_level_security_holds_on_the_reporting_alias(structure_a, structure_b):
    f.ParticipantFactory(structure=structure_a, last_name="Visible")
    f.ParticipantFactory(structure=structure_b, last_name="CANARY-B-ROUTED")
    with reporting_reads([structure_a.pk]):
        names = list(Participant.objects.values_list("last_name", flat=True))
    assert names == ["Visible"]
    with reporting_reads([]):
        assert Participant.objects.count() == 0
