"""Write history at statement level: still one event per row and per change, each with the
context of the request that made it, and none for an update that changes nothing."""

import datetime as dt
from decimal import Decimal

import pghistory
import pytest

from participants import models as pm
from tests import factories as f

pytestmark = pytest.mark.django_db


def _events(model, label):
    return model.pgh_event_model.objects.filter(pgh_label=label)


def test_one_event_per_row_of_a_multi_row_statement_with_the_context():
    parcours = f.ParcoursFactory()
    mondays = [dt.date(2025, 1, 6) + dt.timedelta(weeks=n) for n in range(5)]
    with pghistory.context(user=42, url="/import/"):
        pm.WorkedHours.objects.bulk_create(
            pm.WorkedHours(
                structure_id=parcours.structure_id, parcours=parcours, week_start=m, hours=8
            )
            for m in mondays
        )
        pm.WorkedHours.objects.filter(parcours=parcours).update(hours=Decimal(9))
    inserted = _events(pm.WorkedHours, "insert")
    assert sorted(e.week_start for e in inserted) == mondays
    assert {e.pgh_context.metadata["url"] for e in inserted} == {"/import/"}
    updated = _events(pm.WorkedHours, "update")
    assert updated.count() == 5 and {e.hours for e in updated} == {Decimal(9)}


def test_an_update_that_changes_nothing_writes_no_event():
    participant = f.ParticipantFactory(last_name="Durand")
    before = _events(pm.Participant, "update").count()
    pm.Participant.objects.filter(pk=participant.pk).update(last_name="Durand")
    assert _events(pm.Participant, "update").count() == before
    pm.Participant.objects.filter(pk=participant.pk).update(last_name="Dupont")
    assert _events(pm.Participant, "update").count() == before + 1


def test_deletes_are_recorded_row_by_row():
    parcours = f.ParcoursFactory()
    for n in range(3):
        f.WorkedHoursFactory(parcours=parcours, week_start=dt.date(2025, 2, 3 + 7 * n))
    pm.WorkedHours.objects.filter(parcours=parcours).delete()
    assert _events(pm.WorkedHours, "delete").count() == 3
