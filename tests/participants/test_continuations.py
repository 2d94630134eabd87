"""A continuation (suite de parcours) in one step: the exit and the next parcours, linked, in
one transaction (services.parcours_continue)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from participants import services
from participants.enums import ParcoursStatus
from participants.models import Exit, Parcours
from tests import factories as f
from tests.participants.conftest import phc_parcours

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def person(structure_a, programmes):
    return f.ParticipantFactory(structure=structure_a)


def test_phc_exit_to_convergence_opens_the_next_parcours_linked(person, caseworker_a):
    site = f.WorkSiteFactory(structure=person.structure)
    phc = phc_parcours(person, start=D(2024, 1, 8), work_site=site)
    exit_, cvg = services.parcours_continue(
        parcours=phc,
        actor=caseworker_a,
        date=D(2024, 11, 29),
        situation="SUITE_CVG",
        weekly_hours=Decimal(26),
        work_site=site,
    )
    phc.refresh_from_db()
    assert (phc.status, phc.end_date) == (ParcoursStatus.SORTI, D(2024, 11, 29))
    assert (exit_.situation, exit_.dgefp_category) == ("SUITE_CVG", "SORTIE_POSITIVE")
    assert (cvg.programme.code, cvg.previous, cvg.status) == ("CVG", phc, ParcoursStatus.EN_COURS)
    assert (cvg.start_date, cvg.work_site, cvg.structure) == (
        D(2024, 11, 30),
        site,
        person.structure,
    )
    contract = cvg.contracts.get()
    assert (contract.start_date, contract.weekly_hours, contract.kind) == (
        D(2024, 11, 30),
        Decimal(26),
        "CDDI",
    )
    # The PHC contract ended with the exit.
    assert phc.contracts.get().actual_end_date == D(2024, 11, 29)


def test_suite_cddi_opens_an_iae_parcours_from_the_given_date(person, caseworker_a):
    phc = phc_parcours(person, start=D(2024, 1, 8))
    _, iae = services.parcours_continue(
        parcours=phc,
        actor=caseworker_a,
        date=D(2024, 6, 28),
        situation="SUITE_CDDI",
        weekly_hours=Decimal(26),
        next_start_date=D(2024, 7, 1),
    )
    assert (iae.programme.code, iae.previous, iae.start_date) == ("IAE", phc, D(2024, 7, 1))


def test_a_situation_without_continuation_is_refused(person, caseworker_a):
    phc = phc_parcours(person, start=D(2024, 1, 8))
    with pytest.raises(ValidationError) as error:
        services.parcours_continue(
            parcours=phc,
            actor=caseworker_a,
            date=D(2024, 6, 28),
            situation="CDI",
            weekly_hours=Decimal(26),
        )
    assert "situation" in error.value.message_dict
    assert not Exit.objects.exists()


def test_an_error_on_the_next_parcours_saves_nothing(person, caseworker_a):
    phc = phc_parcours(person, start=D(2024, 1, 8))
    with pytest.raises(ValidationError) as error:
        services.parcours_continue(
            parcours=phc,
            actor=caseworker_a,
            date=D(2024, 6, 28),
            situation="SUITE_CVG",
            weekly_hours=Decimal(4),  # below Convergence's band
        )
    assert set(error.value.message_dict) == {"next_weekly_hours"}
    phc.refresh_from_db()
    assert (phc.status, phc.end_date) == (ParcoursStatus.EN_COURS, None)
    assert not Exit.objects.exists()
    assert list(Parcours.objects.filter(participant=person)) == [phc]
    assert phc.contracts.get().actual_end_date is None


def test_an_error_on_the_exit_saves_nothing(person, caseworker_a):
    phc = phc_parcours(person, start=D(2024, 1, 8))
    with pytest.raises(ValidationError) as error:
        services.parcours_continue(
            parcours=phc,
            actor=caseworker_a,
            date=D(2023, 12, 1),  # before the start
            situation="SUITE_CVG",
            weekly_hours=Decimal(26),
        )
    assert "date" in error.value.message_dict
    assert list(Parcours.objects.filter(participant=person)) == [phc]


def test_another_structure_s_work_site_is_refused(person, caseworker_a, structure_b):
    phc = phc_parcours(person, start=D(2024, 1, 8))
    with pytest.raises(ValidationError) as error:
        services.parcours_continue(
            parcours=phc,
            actor=caseworker_a,
            date=D(2024, 6, 28),
            situation="SUITE_CVG",
            weekly_hours=Decimal(26),
            work_site=f.WorkSiteFactory(structure=structure_b),
        )
    assert "next_work_site" in error.value.message_dict
    assert not Exit.objects.exists()
