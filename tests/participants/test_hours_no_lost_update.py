"""Issue 16.3: no lost update on the weekly hours. The service applies a save only if the
week's row is still at the version the caller showed (checked under the row's lock, or the
unique constraint for a first save); the grid sends that version per row, saves the rows
nobody else changed and shows the others with the value saved meanwhile, by whom, when."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pghistory
import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.enums import ParcoursStatus
from participants.models import WorkedHours
from tests import factories as f

MONDAY = dt.date(2025, 3, 3)  # ISO week 10 of 2025


def enrol(structure, site=None, **person):
    parcours = f.ParcoursFactory(
        participant=f.ParticipantFactory(structure=structure, **person),
        programme=f.programme("CVG"),
        work_site=site,
        start_date=dt.date(2025, 1, 6),
        status=ParcoursStatus.EN_COURS,
    )
    f.ContractFactory(parcours=parcours, weekly_hours=Decimal(26))
    return parcours


def record(parcours, hours, *, expected_version=None, absence=0):
    return services.worked_hours_record(
        parcours=parcours,
        week_start=MONDAY,
        hours=Decimal(hours),
        absence_hours=Decimal(absence),
        actor=None,
        expected_version=expected_version,
    )


# --- the service, two saves in sequence -------------------------------------------------


@pytest.mark.django_db
def test_a_save_from_a_stale_version_is_refused_and_writes_nothing(structure_a):
    parcours = enrol(structure_a)
    shown = services.worked_hours_version(record(parcours, 20))
    first = record(parcours, 24, expected_version=shown)  # the first saver
    with pytest.raises(services.WorkedHoursConflict) as caught:
        record(parcours, 18, expected_version=shown)  # the second, from the same page
    assert caught.value.current.hours == Decimal(24)
    assert WorkedHours.objects.get().hours == Decimal(24)
    assert WorkedHours.objects.get().updated_at == first.updated_at
    # Deliberately again, from the version now shown: applied.
    record(parcours, 18, expected_version=services.worked_hours_version(first))
    assert WorkedHours.objects.get().hours == Decimal(18)


@pytest.mark.django_db
def test_a_first_save_over_a_row_created_meanwhile_is_refused(structure_a):
    parcours = enrol(structure_a)
    record(parcours, 20, expected_version="")  # the page showed no row
    with pytest.raises(services.WorkedHoursConflict):
        record(parcours, 12, expected_version="")
    assert WorkedHours.objects.get().hours == Decimal(20)


@pytest.mark.django_db
def test_the_same_value_saved_meanwhile_is_no_conflict(structure_a):
    parcours = enrol(structure_a)
    record(parcours, 20, expected_version="")
    assert record(parcours, 20, expected_version="").hours == Decimal(20)


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["garbage", "2025-03-03T10:00:00", "2025-03-03T10:00:00+00:00"])
def test_an_unknown_version_never_overwrites(structure_a, token):
    parcours = enrol(structure_a)
    record(parcours, 20)
    with pytest.raises(services.WorkedHoursConflict):
        record(parcours, 12, expected_version=token)
    assert WorkedHours.objects.get().hours == Decimal(20)


# --- the service, concurrent transactions ------------------------------------------------


def _race(parcours, shown: str) -> tuple[list, list]:
    """Transaction 1 saves 24 h from `shown` and holds its transaction open; transaction 2
    saves 18 h from the same `shown` meanwhile. Returns (outcomes of 2, errors)."""
    saved_by_first, release = threading.Event(), threading.Event()
    outcomes, errors = [], []

    def first() -> None:
        try:
            with transaction.atomic():
                record(parcours, 24, expected_version=shown)
                saved_by_first.set()
                release.wait(10)
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            saved_by_first.set()
            connection.close()

    def second() -> None:
        try:
            saved_by_first.wait(10)
            with transaction.atomic():
                record(parcours, 18, expected_version=shown)
            outcomes.append("saved")
        except services.WorkedHoursConflict as conflict:
            outcomes.append(conflict.current.hours)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    saved_by_first.wait(10)
    time.sleep(0.5)
    blocked = threads[1].is_alive()  # waiting on the first one's lock, not deciding alone
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert blocked
    return outcomes, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_an_existing_row_serialise(structure_a):
    parcours = enrol(structure_a)
    shown = services.worked_hours_version(record(parcours, 20))
    outcomes, errors = _race(parcours, shown)
    assert not errors, errors
    assert outcomes == [Decimal(24)]  # the second saw the first one's value, wrote nothing
    assert WorkedHours.objects.get().hours == Decimal(24)


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_saves_of_a_week_serialise(structure_a):
    parcours = enrol(structure_a)
    outcomes, errors = _race(parcours, "")
    assert not errors, errors
    assert outcomes == [Decimal(24)]
    assert WorkedHours.objects.get().hours == Decimal(24)


# --- the grid ------------------------------------------------------------------------------


@pytest.fixture
def site(structure_a):
    return f.WorkSiteFactory(structure=structure_a, name="La Claire Fontaine")


def grid_url(site):
    return reverse("participants:hours_grid", kwargs={"site_pk": site.pk, "year": 2025, "week": 10})


def versions(response) -> dict[str, str]:
    """The per-row versions the page sends back, as a browser would."""
    return {f"version-{row.parcours.pk}": row.version for row in response.context["rows"]}


@pytest.mark.django_db
def test_a_stale_grid_saves_the_untouched_rows_and_shows_the_changed_ones(
    client, site, structure_a, caseworker_a
):
    bernard = enrol(structure_a, site, last_name="Bernard")
    diallo = enrol(structure_a, site, last_name="Diallo")
    morel = enrol(structure_a, site, last_name="Morel")
    record(bernard, 20)
    record(morel, 20)
    client.force_login(caseworker_a)
    page = client.get(grid_url(site))  # the second person's page, left open
    shown = versions(page)

    # Meanwhile the first person saves Bernard's and Morel's rows.
    first = f.MembershipFactory(
        structure=structure_a, user__first_name="Alex", user__last_name="Premier"
    ).user
    with pghistory.context(user=first.pk, url="/participants/heures/"):
        record(bernard, 24)
        saved_at = record(morel, 22).updated_at

    response = client.post(
        grid_url(site),
        {
            **shown,
            f"hours-{bernard.pk}": "20",  # untouched: what the page showed
            f"hours-{diallo.pk}": "26",  # a new row nobody else touched
            f"hours-{morel.pk}": "18",  # typed over what the page showed
        },
    )

    assert response.status_code == 200
    saved = dict(WorkedHours.objects.values_list("parcours_id", "hours"))
    assert saved == {bernard.pk: Decimal(24), diallo.pk: Decimal(26), morel.pk: Decimal(22)}
    rows = {row.parcours: row for row in response.context["rows"]}
    assert rows[diallo].saved and rows[diallo].conflict is None
    assert rows[bernard].hours == "24"  # the value saved meanwhile replaces the stale one
    assert rows[morel].hours == "18"  # what was typed stays, to confirm deliberately
    when = timezone.localtime(saved_at)
    assert rows[morel].conflict.message == (
        f"Modifié entre-temps par Alex Premier le {when:%d/%m/%Y} à {when:%H:%M} : "
        "22 h travaillées, 0 h d'absence. "
        "Votre saisie n'a pas été enregistrée : enregistrez à nouveau pour la confirmer."
    )
    assert rows[bernard].conflict.message.endswith(
        "24 h travaillées, 0 h d'absence. La valeur enregistrée est conservée."
    )
    html = response.content.decode()
    assert f'id="conflict-{morel.pk}"' in html
    assert f'aria-describedby="band-{morel.pk} conflict-{morel.pk}"' in html
    assert 'id="grid-conflicts"' in html
    messages = [str(m) for m in response.context["messages"]]
    assert any("1 ligne(s) enregistrée(s) ; 2 modifiée(s) entre-temps" in m for m in messages)

    # Saving the page as it came back: Bernard's row is not reverted, Morel's typed value
    # is applied deliberately, nothing else changes.
    again = client.post(
        grid_url(site),
        {
            **versions(response),
            f"hours-{bernard.pk}": rows[bernard].hours,
            f"hours-{diallo.pk}": "26",
            f"hours-{morel.pk}": rows[morel].hours,
        },
    )
    assert again.status_code == 302
    saved = dict(WorkedHours.objects.values_list("parcours_id", "hours"))
    assert saved == {bernard.pk: Decimal(24), diallo.pk: Decimal(26), morel.pk: Decimal(18)}


@pytest.mark.django_db
def test_an_empty_cell_changes_nothing_even_on_a_stale_page(
    client, site, structure_a, caseworker_a
):
    bernard = enrol(structure_a, site, last_name="Bernard")
    client.force_login(caseworker_a)
    shown = versions(client.get(grid_url(site)))
    record(bernard, 24)  # someone saves the row the page shows empty
    response = client.post(grid_url(site), {**shown, f"hours-{bernard.pk}": ""})
    assert response.status_code == 302
    assert WorkedHours.objects.get().hours == Decimal(24)


@pytest.mark.django_db
def test_the_grid_sends_each_rows_version(client, site, structure_a, caseworker_a):
    bernard = enrol(structure_a, site, last_name="Bernard")
    diallo = enrol(structure_a, site, last_name="Diallo")
    row = record(bernard, 20)
    client.force_login(caseworker_a)
    html = client.get(grid_url(site)).content.decode()
    assert f'name="version-{bernard.pk}" value="{row.updated_at.isoformat()}"' in html
    assert f'name="version-{diallo.pk}" value=""' in html
