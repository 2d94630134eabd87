"""S26: the retention job (frozen clock), and S27: anonymise / erase one file."""

import datetime as dt

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from participants import models as pm
from participants.rights.services import FILE_MODELS, participant_anonymise, participant_erase
from sites.audit.models import AccessLog
from tests import factories as f
from tests.security.seed import full_file

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 1)


def _file_with_last_contact(structure, tag, last: dt.date):
    """A file whose latest trace is an action on `last` (everything else earlier)."""
    with freeze_time(last - dt.timedelta(days=400)):
        file = full_file(structure, tag)
    pm.Exit.objects.filter(pk=file.exit.pk).update(
        date=last - dt.timedelta(days=10), followup_until=last - dt.timedelta(days=5)
    )
    pm.Parcours.objects.filter(pk=file.parcours.pk).update(
        start_date=last - dt.timedelta(days=300), end_date=last - dt.timedelta(days=10)
    )
    pm.AccompanimentAction.objects.filter(pk=file.action.pk).update(date=last)
    pm.Participant.objects.filter(pk=file.participant.pk).update(last_contact_on=None)
    return file


def _run(*args):
    from io import StringIO

    out = StringIO()
    with freeze_time(TODAY):
        call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def _snapshot():
    return sorted(
        pm.Participant.objects.values_list(
            "pk", "last_name", "first_name", "phone", "anonymised_at", "version"
        )
    )


def test_retention_anonymises_old_files_only(structure_a, structure_b):
    old = _file_with_last_contact(structure_a, "OLD", TODAY - dt.timedelta(days=731))
    edge = _file_with_last_contact(structure_a, "EDGE", TODAY - dt.timedelta(days=730))
    young = _file_with_last_contact(structure_b, "YOUNG", TODAY - dt.timedelta(days=100))
    # Recent follow-up after an old exit keeps a file alive.
    followed = _file_with_last_contact(structure_b, "FOLLOW", TODAY - dt.timedelta(days=900))
    pm.Exit.objects.filter(pk=followed.exit.pk).update(followup_until=TODAY - dt.timedelta(30))

    before = _snapshot()
    assert "1 file(s) to anonymise" in _run()
    assert _snapshot() == before  # the dry run changes nothing

    _run("--commit")
    old.participant.refresh_from_db()
    assert old.participant.anonymised_at is not None
    assert old.participant.last_name == "ANONYME"
    assert old.participant.birth_date == dt.date(1980, 1, 1)
    old.action.refresh_from_db()
    assert old.action.note == ""
    for kept in (edge, young, followed):
        kept.participant.refresh_from_db()
        assert kept.participant.anonymised_at is None
        assert kept.participant.last_name.startswith("CANARY-")

    after_first = _snapshot()
    assert "0 file(s) anonymised" in _run("--commit")
    assert _snapshot() == after_first  # idempotent


def test_access_log_rows_older_than_a_year_are_purged(structure_a):
    actor = f.UserFactory()
    with freeze_time(TODAY - dt.timedelta(days=400)):
        full_file(structure_a, "A", actor=actor)
    with freeze_time(TODAY - dt.timedelta(days=10)):
        recent = full_file(structure_a, "B", actor=actor)
    _run("--commit")
    assert list(AccessLog.objects.values_list("participant_id", flat=True)) == [
        recent.participant.pk
    ]


def test_anonymising_removes_identity_notes_and_history(structure_a):
    file = full_file(structure_a, "A")
    participant = file.participant
    assert pm.Participant.pgh_event_model.objects.filter(pgh_obj_id=participant.pk).exists()
    assert participant_anonymise(participant=participant) is True
    assert participant_anonymise(participant=participant) is False
    for model, _path in FILE_MODELS:
        assert not model.pgh_event_model.objects.exists(), model
    text = str(list(pm.Participant.objects.values())) + str(
        list(pm.AccompanimentAction.objects.values())
        + list(pm.Exit.objects.values())
        + list(pm.FollowupCheck.objects.values())
    )
    assert "CANARY" not in text.replace("CANARY-A-SITE", "")


def test_erasing_leaves_no_row_and_no_history(structure_a, structure_b):
    file = full_file(structure_a, "A")
    other = full_file(structure_b, "B")
    participant_erase(participant=file.participant)
    assert list(pm.Participant.objects.values_list("pk", flat=True)) == [other.participant.pk]
    for model in (pm.Parcours, pm.Contract, pm.AccompanimentAction, pm.Exit):
        assert set(model.objects.values_list("structure_id", flat=True)) == {structure_b.pk}
        events = model.pgh_event_model.objects.values_list("structure_id", flat=True)
        assert set(events) == {structure_b.pk}
