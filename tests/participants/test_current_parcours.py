"""Each participant's current parcours (participants_currentparcours) follows every write on
the parcours, exactly, including two transactions writing the same person at once."""

import datetime as dt
import random
import threading

import pytest
from django.db import connection, transaction

from participants import current
from participants.enums import ParcoursStatus
from participants.models import CurrentParcours, Parcours
from tests import factories as f

D = dt.date


def _expected() -> dict:
    """Written independently of the triggers' SQL: per person, the open parcours first, then
    the latest end, the latest start, the latest id."""
    best: dict = {}
    for p in Parcours.objects.all():
        key = (p.end_date is None, p.end_date or D.min, p.start_date, p.pk)
        if p.participant_id not in best or key > best[p.participant_id][0]:
            best[p.participant_id] = (key, p)
    return {
        pid: (p.pk, p.programme_id, p.status, p.work_site_id, p.start_date, p.end_date, p.warnings)
        for pid, (_, p) in best.items()
    }


def _actual() -> dict:
    return {
        c.participant_id: (
            c.parcours_id,
            c.programme_id,
            c.status,
            c.work_site_id,
            c.start_date,
            c.end_date,
            c.warnings,
        )
        for c in CurrentParcours.objects.all()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_current_parcours_follows_every_kind_of_write(seed):
    rng = random.Random(seed)
    people = [f.ParticipantFactory() for _ in range(3)]
    programmes = [f.programme(code) for code in ("CVG", "PHC", "IAE")]
    for _ in range(40):
        op = rng.choice(["open", "closed", "exit", "move", "delete", "bulk", "warn"])
        existing = list(Parcours.objects.all())
        person = rng.choice(people)
        start = D(2021, 1, 4) + dt.timedelta(days=rng.randint(0, 1500))
        if op == "open":
            programme = rng.choice(programmes)
            if not Parcours.objects.filter(
                participant=person, programme=programme, end_date__isnull=True
            ).exists():
                f.ParcoursFactory(participant=person, programme=programme, start_date=start)
        elif op == "closed":
            f.ParcoursFactory(
                participant=person,
                programme=rng.choice(programmes),
                start_date=start,
                end_date=start + dt.timedelta(days=rng.randint(0, 400)),
                status=ParcoursStatus.SORTI,
            )
        elif op == "exit" and existing:
            p = rng.choice(existing)
            if p.end_date is None:
                p.end_date, p.status = p.start_date + dt.timedelta(days=30), ParcoursStatus.SORTI
                p.save()
        elif op == "move" and existing:
            p = rng.choice(existing)
            p.start_date = p.start_date - dt.timedelta(days=rng.randint(1, 90))
            p.save()
        elif op == "delete" and existing:
            rng.choice(existing).delete()
        elif op == "bulk":
            Parcours.objects.filter(participant=person).update(warnings={"X": "à vérifier"})
        elif op == "warn" and existing:
            Parcours.objects.filter(pk=rng.choice(existing).pk).update(warnings={})
        assert _actual() == _expected(), op


@pytest.mark.django_db
def test_rebuild_gives_the_same_rows():
    person = f.ParticipantFactory()
    f.ParcoursFactory(participant=person, start_date=D(2022, 1, 3))
    f.ParcoursFactory(
        participant=person,
        programme=f.programme("PHC"),
        start_date=D(2021, 1, 4),
        end_date=D(2021, 6, 4),
        status=ParcoursStatus.SORTI,
    )
    before = _actual()
    current.rebuild()
    assert _actual() == before == _expected()


@pytest.mark.django_db(transaction=True)
def test_two_transactions_on_the_same_person_both_count():
    """Without the per-person lock the second transaction would recompute without the
    first one's parcours, or fail on the first one's row."""
    person = f.ParticipantFactory()
    first_inserted, release_first = threading.Event(), threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                f.ParcoursFactory(participant=person, start_date=D(2024, 1, 8))
                first_inserted.set()
                release_first.wait(10)
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    def second():
        try:
            first_inserted.wait(10)
            with transaction.atomic():
                f.ParcoursFactory(
                    participant=person,
                    programme=f.programme("PHC"),
                    start_date=D(2023, 1, 9),
                    end_date=D(2023, 6, 9),
                    status=ParcoursStatus.SORTI,
                )
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    threading.Timer(1.0, release_first.set).start()  # the second one waits meanwhile
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert Parcours.objects.filter(participant=person).count() == 2
    assert _actual() == _expected()
    assert _actual()[person.pk][2] == ParcoursStatus.EN_COURS  # the open one is current
