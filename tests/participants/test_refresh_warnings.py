"""The daily job stores warnings that only the passing of time raises."""

import datetime as dt

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from participants import services
from participants.enums import SnapshotContext
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_phc_passing_12_months_gets_its_warning_from_the_daily_job(capsys):
    person = f.ParticipantFactory()
    with freeze_time("2021-03-10"):
        parcours = services.parcours_enrol(
            participant=person,
            programme=f.programme("PHC"),
            start_date=dt.date(2021, 3, 1),
            weekly_hours=4,
            actor=None,
        )
        services.snapshot_record(
            participant=person,
            parcours=parcours,
            context=SnapshotContext.ENTREE,
            date=dt.date(2021, 3, 2),
            actor=None,
        )
    parcours.refresh_from_db()
    assert parcours.warnings == {}
    with freeze_time("2022-03-01"):
        call_command("refresh_warnings")
    parcours.refresh_from_db()
    assert set(parcours.warnings) == {"long_parcours"}
    assert "1 parcours" in capsys.readouterr().out
    with freeze_time("2022-03-02"):
        call_command("refresh_warnings")
    assert "0 parcours" in capsys.readouterr().out
