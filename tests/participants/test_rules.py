"""Every rule of domain.md §5: the valid case accepted, the invalid one refused or warned,
including the bounds. Pure rules first, then through the services and the database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from participants import rules, services
from participants.enums import ContractKind, ParcoursStatus, SnapshotContext
from participants.models import Exit, Parcours
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def cvg():
    return f.programme("CVG")


@pytest.fixture
def phc():
    return f.programme("PHC")


@pytest.fixture
def dph():
    return f.programme("DPH")


@pytest.fixture
def person():
    return f.ParticipantFactory()


def test_add_months_clamps_to_month_end():
    assert rules.add_months(D(2021, 1, 31), 1) == D(2021, 2, 28)
    assert rules.add_months(D(2021, 3, 1), 60) == D(2026, 3, 1)
    assert rules.add_months(D(2021, 3, 1), -24) == D(2019, 3, 1)


# Block: a parcours ends on or after it starts ----------------------------------------------


def test_end_on_start_day_is_accepted():
    assert rules.dates_errors(start_date=D(2021, 3, 1), end_date=D(2021, 3, 1)) == []


def test_end_before_start_is_refused():
    errors = rules.dates_errors(start_date=D(2021, 3, 1), end_date=D(2021, 2, 28))
    assert errors and "antérieure" in errors[0]


def test_database_refuses_end_before_start(person, cvg):
    with pytest.raises(IntegrityError):
        f.ParcoursFactory(
            participant=person,
            programme=cvg,
            start_date=D(2021, 3, 1),
            end_date=D(2021, 2, 1),
            status=ParcoursStatus.SORTI,
        )


def test_exit_date_becomes_the_parcours_end_date(person, cvg):
    parcours = services.parcours_enrol(
        participant=person, programme=cvg, start_date=D(2021, 3, 1), weekly_hours=26, actor=None
    )
    services.parcours_exit(parcours=parcours, date=D(2022, 1, 10), situation="CDI", actor=None)
    parcours.refresh_from_db()
    assert parcours.end_date == parcours.exit.date == D(2022, 1, 10)
    assert parcours.status == ParcoursStatus.SORTI


def test_exit_before_start_is_refused(person, cvg):
    parcours = services.parcours_enrol(
        participant=person, programme=cvg, start_date=D(2021, 3, 1), weekly_hours=26, actor=None
    )
    with pytest.raises(ValidationError) as exc:
        services.parcours_exit(parcours=parcours, date=D(2021, 2, 1), situation="CDI", actor=None)
    assert "date" in exc.value.message_dict
    assert not Exit.objects.exists()


# Block: Convergence ≤ 60 months; beyond 24 months a reason ---------------------------------


def test_convergence_exactly_60_months_is_accepted(cvg):
    # Both days count: 01/03/2021 → 28/02/2026 is exactly 60 months.
    assert (
        rules.duration_errors(
            programme=cvg,
            start_date=D(2021, 3, 1),
            end_date=D(2026, 2, 28),
            prolongation_reason="Santé",
        )
        == []
    )


def test_convergence_one_day_over_60_months_is_refused(cvg):
    errors = rules.duration_errors(
        programme=cvg, start_date=D(2021, 3, 1), end_date=D(2026, 3, 1), prolongation_reason="Santé"
    )
    assert errors and "60 mois" in errors[0] and "28/02/2026" in errors[0]


def test_convergence_exactly_24_months_needs_no_reason(cvg):
    assert (
        rules.duration_errors(programme=cvg, start_date=D(2021, 3, 1), end_date=D(2023, 2, 28))
        == []
    )


def test_convergence_beyond_24_months_without_reason_is_refused(cvg):
    errors = rules.duration_errors(programme=cvg, start_date=D(2021, 3, 1), end_date=D(2023, 3, 1))
    assert errors and "motif de prolongation" in errors[0]


def test_convergence_beyond_24_months_with_reason_is_accepted(cvg):
    assert (
        rules.duration_errors(
            programme=cvg,
            start_date=D(2021, 3, 1),
            end_date=D(2024, 3, 1),
            prolongation_reason="Logement",
        )
        == []
    )


def test_exit_after_60_months_is_refused_by_the_service(person, cvg):
    parcours = services.parcours_enrol(
        participant=person,
        programme=cvg,
        start_date=D(2021, 3, 1),
        weekly_hours=26,
        actor=None,
        prolongation_reason="Santé",
    )
    with pytest.raises(ValidationError):
        services.parcours_exit(parcours=parcours, date=D(2026, 3, 1), situation="CDI", actor=None)
    exit_ = services.parcours_exit(
        parcours=parcours, date=D(2026, 2, 28), situation="CDI", actor=None
    )
    assert exit_.pk


def test_phc_has_no_maximum_duration_block(phc):
    assert (
        rules.duration_errors(programme=phc, start_date=D(2021, 1, 1), end_date=D(2023, 1, 1)) == []
    )


# Block: follow-up ≤ exit + 12 months --------------------------------------------------------


def test_followup_exactly_12_months_is_accepted(cvg):
    assert (
        rules.followup_errors(
            programme=cvg, exit_date=D(2022, 6, 30), followup_until=D(2023, 6, 30)
        )
        == []
    )


def test_followup_beyond_12_months_is_refused(cvg):
    errors = rules.followup_errors(
        programme=cvg, exit_date=D(2022, 6, 30), followup_until=D(2023, 7, 1)
    )
    assert errors and "12 mois" in errors[0]


def test_followup_before_exit_is_refused(cvg):
    assert rules.followup_errors(
        programme=cvg, exit_date=D(2022, 6, 30), followup_until=D(2022, 6, 1)
    )


def test_followup_refused_by_service(person, cvg):
    parcours = services.parcours_enrol(
        participant=person, programme=cvg, start_date=D(2021, 3, 1), weekly_hours=26, actor=None
    )
    with pytest.raises(ValidationError) as exc:
        services.parcours_exit(
            parcours=parcours,
            date=D(2022, 1, 1),
            situation="CDI",
            followup_until=D(2023, 1, 2),
            actor=None,
        )
    assert "followup_until" in exc.value.message_dict


# Block: weekly hours inside the programme's band -------------------------------------------


@pytest.mark.parametrize(
    ("code", "hours", "ok"),
    [
        ("CVG", "20", True),
        ("CVG", "35", True),
        ("CVG", "19.5", False),
        ("CVG", "35.5", False),
        ("PHC", "4", True),
        ("PHC", "20", True),
        ("PHC", "3.5", False),
        ("PHC", "20.5", False),
        ("DPH", "1", True),
        ("DPH", "16", True),
        ("DPH", "0.5", False),
        ("DPH", "16.5", False),
        ("IAE", "20", True),
        ("IAE", "19", False),
    ],
)
def test_weekly_hours_band_bounds(code, hours, ok):
    errors = rules.weekly_hours_errors(
        programme=f.programme(code), hours=Decimal(hours), on_date=D(2021, 5, 1)
    )
    assert (errors == []) is ok


def test_convergence_below_20_hours_with_covering_derogation_is_accepted(cvg):
    assert (
        rules.weekly_hours_errors(
            programme=cvg,
            hours=Decimal(15),
            on_date=D(2021, 5, 1),
            derogation_from=D(2021, 5, 1),
            derogation_to=D(2021, 8, 31),
        )
        == []
    )


def test_convergence_below_20_hours_outside_the_derogation_is_refused(cvg):
    errors = rules.weekly_hours_errors(
        programme=cvg,
        hours=Decimal(15),
        on_date=D(2021, 9, 1),
        derogation_from=D(2021, 5, 1),
        derogation_to=D(2021, 8, 31),
    )
    assert errors and "dérogation" in errors[0]


def test_derogation_must_cover_the_whole_contract(cvg):
    errors = rules.weekly_hours_errors(
        programme=cvg,
        hours=Decimal(15),
        on_date=D(2021, 5, 1),
        derogation_from=D(2021, 5, 1),
        derogation_to=D(2021, 8, 31),
        until=D(2021, 10, 31),
    )
    assert errors and "31/10/2021" in errors[0]


def test_band_does_not_bind_an_iae_ai_placement():
    assert (
        rules.weekly_hours_errors(
            programme=f.programme("IAE"),
            hours=Decimal(8),
            on_date=D(2021, 5, 1),
            contract_kind=ContractKind.AI_MISE_A_DISPOSITION,
        )
        == []
    )


def test_band_binds_phc_even_on_an_ai_placement(phc):
    assert rules.weekly_hours_errors(
        programme=phc,
        hours=Decimal(24),
        on_date=D(2021, 5, 1),
        contract_kind=ContractKind.AI_MISE_A_DISPOSITION,
    )


def test_phc_has_no_individual_derogation(phc):
    assert rules.weekly_hours_errors(
        programme=phc,
        hours=Decimal(3),
        on_date=D(2021, 5, 1),
        derogation_from=D(2021, 1, 1),
        derogation_to=D(2021, 12, 31),
    )


def test_enrol_refuses_hours_outside_band(person, phc):
    with pytest.raises(ValidationError) as exc:
        services.parcours_enrol(
            participant=person,
            programme=phc,
            start_date=D(2021, 3, 1),
            weekly_hours=Decimal(21),
            actor=None,
        )
    assert "weekly_hours" in exc.value.message_dict
    assert not Parcours.objects.exists()


def test_hours_stage_refused_outside_band_and_accepted_at_bound(person, phc):
    parcours = services.parcours_enrol(
        participant=person, programme=phc, start_date=D(2021, 3, 1), weekly_hours=4, actor=None
    )
    stage = services.parcours_set_hours(
        parcours=parcours, start_date=D(2021, 4, 1), weekly_hours=Decimal(20), actor=None
    )
    assert stage.weekly_hours == 20
    with pytest.raises(ValidationError):
        services.parcours_set_hours(
            parcours=parcours, start_date=D(2021, 5, 1), weekly_hours=Decimal("20.5"), actor=None
        )


def test_worked_hours_above_band_refused(person, phc):
    parcours = services.parcours_enrol(
        participant=person, programme=phc, start_date=D(2021, 3, 1), weekly_hours=4, actor=None
    )
    services.worked_hours_record(parcours=parcours, week_start=D(2021, 3, 1), hours=20, actor=None)
    with pytest.raises(ValidationError):
        services.worked_hours_record(
            parcours=parcours, week_start=D(2021, 3, 8), hours=Decimal("20.25"), actor=None
        )


# Warn: PHC/DPH longer than 12 months --------------------------------------------------------


def test_phc_exactly_12_months_raises_no_warning(phc):
    assert (
        rules.long_parcours_warning(
            programme=phc, start_date=D(2021, 3, 1), end_date=D(2022, 2, 28), today=D(2024, 1, 1)
        )
        == {}
    )


def test_phc_over_12_months_warns_and_still_saves(person, phc):
    parcours = services.parcours_enrol(
        participant=person, programme=phc, start_date=D(2021, 3, 1), weekly_hours=4, actor=None
    )
    services.snapshot_record(
        participant=person,
        parcours=parcours,
        context=SnapshotContext.ENTREE,
        date=D(2021, 3, 2),
        actor=None,
    )
    services.parcours_exit(parcours=parcours, date=D(2022, 3, 2), situation="SUITE_CVG", actor=None)
    parcours.refresh_from_db()
    assert parcours.status == ParcoursStatus.SORTI
    assert set(parcours.warnings) == {"long_parcours"}


def test_phc_12_months_and_a_day_warns(phc):
    assert "long_parcours" in rules.long_parcours_warning(
        programme=phc, start_date=D(2021, 3, 1), end_date=D(2022, 3, 1), today=D(2024, 1, 1)
    )


def test_open_dph_over_12_months_warns(dph):
    warning = rules.long_parcours_warning(
        programme=dph, start_date=D(2021, 3, 1), end_date=None, today=D(2022, 3, 2)
    )
    assert "long_parcours" in warning


def test_convergence_never_gets_the_sas_warning(cvg):
    assert (
        rules.long_parcours_warning(
            programme=cvg, start_date=D(2021, 3, 1), end_date=None, today=D(2024, 3, 2)
        )
        == {}
    )


# Block: one open parcours per programme ----------------------------------------------------


def test_second_open_parcours_in_same_programme_is_refused(person, cvg):
    services.parcours_enrol(
        participant=person, programme=cvg, start_date=D(2021, 3, 1), weekly_hours=26, actor=None
    )
    with pytest.raises(ValidationError) as exc:
        services.parcours_enrol(
            participant=person, programme=cvg, start_date=D(2021, 6, 1), weekly_hours=26, actor=None
        )
    assert "déjà un parcours" in str(exc.value.message_dict["programme"])


def test_open_parcours_in_another_programme_is_accepted(person, cvg, phc):
    services.parcours_enrol(
        participant=person, programme=phc, start_date=D(2021, 3, 1), weekly_hours=4, actor=None
    )
    services.parcours_enrol(
        participant=person, programme=cvg, start_date=D(2021, 6, 1), weekly_hours=26, actor=None
    )
    assert Parcours.objects.filter(participant=person).count() == 2


def test_new_parcours_after_exit_is_accepted(person, cvg):
    first = services.parcours_enrol(
        participant=person, programme=cvg, start_date=D(2021, 3, 1), weekly_hours=26, actor=None
    )
    services.parcours_exit(parcours=first, date=D(2021, 9, 1), situation="ABANDON", actor=None)
    with pytest.raises(ValidationError):  # overlapping the closed one
        services.parcours_enrol(
            participant=person, programme=cvg, start_date=D(2021, 8, 1), weekly_hours=26, actor=None
        )
    second = services.parcours_enrol(
        participant=person, programme=cvg, start_date=D(2021, 9, 2), weekly_hours=26, actor=None
    )
    assert second.pk


def test_database_refuses_two_open_parcours(person, cvg):
    f.ParcoursFactory(participant=person, programme=cvg)
    with pytest.raises(IntegrityError):
        f.ParcoursFactory(participant=person, programme=cvg, start_date=D(2022, 1, 1))


# Block: an exit has a detailed situation, hence a DGEFP category ---------------------------


@pytest.mark.parametrize(
    ("situation", "category"),
    [
        ("CDI", "EMPLOI_DURABLE"),
        ("CDD_MOINS_6M", "EMPLOI_TRANSITION"),
        ("SUITE_CVG", "SORTIE_POSITIVE"),
        ("ABANDON", "AUTRE_SORTIE"),
        ("DECES", "NEUTRALISEE"),
    ],
)
def test_exit_gets_its_dgefp_category(person, cvg, situation, category):
    parcours = services.parcours_enrol(
        participant=person, programme=cvg, start_date=D(2021, 3, 1), weekly_hours=26, actor=None
    )
    exit_ = services.parcours_exit(
        parcours=parcours, date=D(2021, 9, 1), situation=situation, actor=None
    )
    assert exit_.dgefp_category == category


@pytest.mark.parametrize("situation", ["", "PROMOTION"])
def test_exit_without_known_situation_is_refused(person, cvg, situation):
    parcours = services.parcours_enrol(
        participant=person, programme=cvg, start_date=D(2021, 3, 1), weekly_hours=26, actor=None
    )
    with pytest.raises(ValidationError) as exc:
        services.parcours_exit(
            parcours=parcours, date=D(2021, 9, 1), situation=situation, actor=None
        )
    assert "situation" in exc.value.message_dict
    parcours.refresh_from_db()
    assert parcours.end_date is None


def test_database_refuses_exit_without_category(person, cvg):
    parcours = f.ParcoursFactory(participant=person, programme=cvg)
    with pytest.raises(IntegrityError):
        Exit.objects.bulk_create(
            [
                Exit(
                    structure=parcours.structure,
                    parcours=parcours,
                    date=D(2021, 9, 1),
                    situation="",
                    dgefp_category="",
                )
            ]
        )


# Warn: AI placement with one company ≤ 480 h over 24 months ---------------------------------


def _ai_parcours(person, company="Mairie de Rezé"):
    return services.parcours_enrol(
        participant=person,
        programme=f.programme("IAE"),
        start_date=D(2021, 1, 4),
        weekly_hours=20,
        actor=None,
        contract_kind=ContractKind.AI_MISE_A_DISPOSITION,
        placement_company=company,
    )


def test_ai_placement_exactly_480_hours_raises_no_warning(person):
    parcours = _ai_parcours(person)
    for week in range(24):  # 24 × 20 h = 480 h
        f.WorkedHoursFactory(
            parcours=parcours, week_start=D(2021, 1, 4) + dt.timedelta(weeks=week), hours=20
        )
    warnings = services.parcours_warnings(parcours=parcours, today=D(2021, 12, 31))
    assert not any(key.startswith("ai_placement") for key in warnings)


def test_ai_placement_over_480_hours_warns(person):
    parcours = _ai_parcours(person)
    for week in range(24):
        f.WorkedHoursFactory(
            parcours=parcours, week_start=D(2021, 1, 4) + dt.timedelta(weeks=week), hours=20
        )
    services.worked_hours_record(
        parcours=parcours, week_start=D(2021, 6, 21), hours=Decimal("0.5"), actor=None
    )
    warnings = services.parcours_warnings(parcours=parcours, today=D(2021, 12, 31))
    assert "480 h" in warnings["ai_placement:Mairie de Rezé"]


def test_ai_placement_hours_older_than_24_months_do_not_count(person):
    parcours = _ai_parcours(person)
    for week in range(30):
        f.WorkedHoursFactory(
            parcours=parcours, week_start=D(2021, 1, 4) + dt.timedelta(weeks=week), hours=20
        )
    assert "ai_placement:Mairie de Rezé" in services.parcours_warnings(
        parcours=parcours, today=D(2022, 12, 31)
    )
    assert "ai_placement:Mairie de Rezé" not in services.parcours_warnings(
        parcours=parcours, today=D(2023, 12, 31)
    )


# Warn: entry snapshot within 30 days --------------------------------------------------------


def test_entry_snapshot_on_day_30_raises_no_warning(phc):
    assert (
        rules.entry_snapshot_warning(
            programme=phc,
            start_date=D(2021, 3, 1),
            first_entry_snapshot=D(2021, 3, 31),
            today=D(2021, 6, 1),
        )
        == {}
    )


def test_entry_snapshot_on_day_31_warns(phc):
    assert "entry_snapshot" in rules.entry_snapshot_warning(
        programme=phc,
        start_date=D(2021, 3, 1),
        first_entry_snapshot=D(2021, 4, 1),
        today=D(2021, 6, 1),
    )


def test_missing_entry_snapshot_warns_only_after_30_days(phc):
    assert (
        rules.entry_snapshot_warning(
            programme=phc, start_date=D(2021, 3, 1), first_entry_snapshot=None, today=D(2021, 3, 31)
        )
        == {}
    )
    assert rules.entry_snapshot_warning(
        programme=phc, start_date=D(2021, 3, 1), first_entry_snapshot=None, today=D(2021, 4, 1)
    )


def test_recording_the_entry_snapshot_clears_the_warning(person, phc):
    parcours = services.parcours_enrol(
        participant=person, programme=phc, start_date=D(2021, 3, 1), weekly_hours=4, actor=None
    )
    assert "entry_snapshot" in parcours.warnings
    services.snapshot_record(
        participant=person,
        parcours=parcours,
        context=SnapshotContext.ENTREE,
        date=D(2021, 3, 20),
        actor=None,
    )
    parcours.refresh_from_db()
    assert "entry_snapshot" not in parcours.warnings
