"""Follow-up and orientation figures (docs/indicators.md), against a hand computation.

Period: the calendar year 2025. Two structures (A, B), Convergence unless said otherwise.
Each parcours below says what it contributes and why.
"""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from participants.enums import Housing, NonEntryReason, ParcoursStatus, SnapshotContext
from participants.models import FollowupCheck, Parcours
from reporting import periods
from reporting.outcomes import FollowupCounts, OrientationCounts, Outcomes, outcomes
from reporting.pdf import render_pdf
from reporting.presentation import publish_dashboard
from reporting.published_outcomes import (
    _followup_cells,
    _statuses,
    publish_followup,
    publish_orientations,
)
from reporting.selectors import ReportScope, dashboard_figures
from reporting.suppression import PUBLISHED
from sites.enums import Role
from sites.tenancy.rls import rls_structures
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
Y2025 = periods.year(2025)


def _exit(structure, *, on, situation, exit_housing=None, programme="CVG"):
    """An exited parcours (started a year before), with its housing at exit if given."""
    exit_ = f.ExitFactory(
        parcours__participant=f.ParticipantFactory(structure=structure),
        parcours__programme=f.programme(programme),
        parcours__start_date=on - dt.timedelta(days=365),
        date=on,
        situation=situation,
    )
    if exit_housing:
        f.SnapshotFactory(
            participant=exit_.parcours.participant,
            parcours=exit_.parcours,
            context=SnapshotContext.SORTIE,
            date=on,
            housing=exit_housing,
        )
    return exit_.parcours


def _check(parcours, months, *, done_on, reached, situation="", housing=""):
    return FollowupCheck.objects.create(
        structure_id=parcours.structure_id,
        parcours=parcours,
        months=months,
        due_on=done_on,
        done_on=done_on,
        reached=reached,
        situation=situation,
        housing=housing,
    )


def _referred(
    structure, *, on, status=ParcoursStatus.ORIENTE, start=None, end=None, reason="", by="SIAO"
):
    return f.ParcoursFactory(
        participant=f.ParticipantFactory(structure=structure),
        status=status,
        referred_by=by,
        referred_on=on,
        start_date=start or on,
        end_date=end,
        non_entry_reason=reason,
    )


@pytest.fixture
def structures():
    return f.StructureFactory(name="A"), f.StructureFactory(name="B")


@pytest.fixture
def followup_world(structures):
    a, b = structures
    # P1 (A): 6-month check in 2024 (out of P); 12-month check in P, reached, CDI, housed at
    # exit and still: 12 m → checks, reached, employed, housed at exit, kept.
    p1 = _exit(a, on=D(2024, 6, 1), situation="CDI", exit_housing=Housing.LOG_AUTONOME)
    _check(p1, 6, done_on=D(2024, 12, 10), reached=True, situation="CDI")
    _check(p1, 12, done_on=D(2025, 6, 2), reached=True, situation="CDI", housing="LOG_AUTONOME")
    # P2 (A): 6 m in P, reached, in training (positive exit) → 6 m: employed.
    p2 = _exit(a, on=D(2024, 12, 1), situation="CHOMAGE", exit_housing=Housing.CHU)
    _check(p2, 6, done_on=D(2025, 6, 1), reached=True, situation="FORMATION")
    # P3 (B): 6 m in P, unreachable.
    p3 = _exit(b, on=D(2025, 1, 15), situation="CDD_MOINS_6M")
    _check(p3, 6, done_on=D(2025, 7, 20), reached=False)
    # P4 (B): 12 m on d1, reached, unemployed, housed at exit (supported) but not any more.
    p4 = _exit(b, on=D(2024, 3, 1), situation="INACTIVITE", exit_housing=Housing.LOG_ACCOMPAGNE)
    _check(p4, 12, done_on=D(2025, 1, 1), reached=True, situation="CHOMAGE", housing="CHU")
    # P5 (A): neutralised exit (imprisonment): its check, recorded anyway, is not counted.
    p5 = _exit(a, on=D(2024, 7, 1), situation="INCARCERATION")
    _check(p5, 6, done_on=D(2025, 1, 10), reached=True, situation="CDI")
    # P6 (A): 6 m on d2, reached, short fixed-term contract (transition employment).
    p6 = _exit(a, on=D(2025, 6, 30), situation="CDI")
    _check(p6, 6, done_on=D(2025, 12, 31), reached=True, situation="CDD_MOINS_6M")
    # P7 (A): a 3-month check: not a reported month.
    p7 = _exit(a, on=D(2025, 1, 31), situation="CDI")
    _check(p7, 3, done_on=D(2025, 4, 30), reached=True, situation="CDI")
    # P8 (B): Premières Heures: another programme.
    p8 = _exit(b, on=D(2024, 10, 1), situation="CHOMAGE", programme="PHC")
    _check(p8, 6, done_on=D(2025, 4, 1), reached=True, situation="CDI")
    # P9 (A): 12 m done the day after d2.
    p9 = _exit(a, on=D(2025, 1, 1), situation="CDI")
    _check(p9, 12, done_on=D(2026, 1, 1), reached=True, situation="CDI")
    # P10 (B): 6 m in P, reached, unemployed.
    p10 = _exit(b, on=D(2024, 10, 1), situation="ABANDON")
    _check(p10, 6, done_on=D(2025, 4, 1), reached=True, situation="CHOMAGE")
    # P11 (A): 12 m in P, reached, CDI; housing at exit unknown (no snapshot): not in the
    # housing figure.
    p11 = _exit(a, on=D(2024, 9, 1), situation="CDI")
    _check(p11, 12, done_on=D(2025, 9, 9), reached=True, situation="CDI", housing="LOG_AUTONOME")
    return a, b


@pytest.fixture
def orientation_world(structures):
    a, b = structures
    started, declined = ParcoursStatus.EN_COURS, ParcoursStatus.NON_ENTRE
    # R1 (A): referred in 2024, entered on 9 Jan 2025 → an entry, delay 20 days.
    _referred(a, on=D(2024, 12, 20), status=started, start=D(2025, 1, 9))
    # R2 (A): referred and entered in P → a referral and an entry, delay 10 days.
    _referred(a, on=D(2025, 2, 1), status=started, start=D(2025, 2, 11))
    # R3 (A): referred in P, still waiting → a referral.
    _referred(a, on=D(2025, 3, 1))
    # R4 (A): referred in P, declined in 2026 → a referral, no non-entry in P.
    _referred(a, on=D(2025, 11, 20), status=declined, end=D(2026, 1, 5), reason="REFUS")
    # R5 (A): referred in 2024, declined on d1 → a non-entry (refusal).
    _referred(a, on=D(2024, 11, 1), status=declined, end=D(2025, 1, 1), reason="REFUS")
    # R6 (B): referred and declined in P → a referral and a non-entry (health).
    _referred(b, on=D(2025, 5, 5), status=declined, end=D(2025, 5, 20), reason="SANTE")
    # R7 (A): referred and entered in 2024, exited in P: nothing of P.
    _referred(
        a, on=D(2024, 1, 1), status=ParcoursStatus.SORTI, start=D(2024, 2, 1), end=D(2025, 3, 1)
    )
    # T1, T2 (B): files transferred from another structure in P, one entered: the people
    # were already in the programme, so no referral, entry or delay of P.
    _referred(b, on=D(2025, 6, 1), by="TRANSFERT")
    _referred(b, on=D(2025, 6, 1), status=started, start=D(2025, 6, 30), by="TRANSFERT")
    # Not referred: an entry of P that is no orientation.
    f.ParcoursFactory(participant=f.ParticipantFactory(structure=a), start_date=D(2025, 4, 1))
    return a, b


def _outcomes(a, b, period=Y2025):
    with rls_structures([a.pk, b.pk]):
        return outcomes(
            programme=f.programme("CVG"),
            period=period,
            structure_ids=[a.pk, b.pk],
            territory_id=None,
        )


def test_followup_counts_match_the_hand_computation(followup_world):
    a, b = followup_world
    result = _outcomes(a, b)
    six, twelve = result.followup_total[6], result.followup_total[12]
    # 6 m: P2 (training), P3 (unreachable), P6 (transition), P10 (unemployed).
    assert (six.checks, six.reached, six.unreachable, six.employed) == (4, 3, 1, 2)
    assert six.employment_rate == pytest.approx(2 / 3)
    # 12 m: P1 (CDI, kept), P4 (unemployed, housing lost), P11 (CDI, exit housing unknown).
    assert (twelve.checks, twelve.reached, twelve.employed) == (3, 3, 2)
    assert (twelve.housed_at_exit, twelve.housing_kept) == (2, 1)
    assert twelve.housing_kept_rate == 0.5
    # Per structure: A holds P2, P6 (6 m) and P1, P11 (12 m); B P3, P10 and P4.
    assert result.followup[6][a.pk].checks == 2
    assert result.followup[6][b.pk].unreachable == 2 - 1
    assert result.followup[12][b.pk].housed_at_exit == 1


def test_a_period_without_the_checks_has_none(followup_world):
    a, b = followup_world
    result = _outcomes(a, b, period=periods.year(2023))
    assert result.followup_total[6] == FollowupCounts()
    assert result.followup_total[12] == FollowupCounts()


def test_checks_and_referrals_count_where_their_parcours_lies(structures):
    """A parcours lies in its work site's commune, else its structure's: structure A works
    at home and on a site in B's territory; each check and referral counts in the territory
    of its parcours only (docs/indicators.md)."""
    a, b = structures
    home, away = f.TerritoryFactory(), f.TerritoryFactory()
    home.geo_units.set([a.commune])
    away.geo_units.set([b.commune])
    site = f.WorkSiteFactory(structure=a, commune=b.commune)
    at_home = _exit(a, on=D(2024, 12, 1), situation="CDI")
    _check(at_home, 6, done_on=D(2025, 6, 1), reached=True, situation="CDI")
    on_site = _exit(a, on=D(2024, 12, 1), situation="CDI")
    _check(on_site, 6, done_on=D(2025, 6, 1), reached=False)
    _check(on_site, 12, done_on=D(2025, 12, 1), reached=True, situation="CDI")
    Parcours.objects.filter(pk=on_site.pk).update(work_site=site)
    _referred(a, on=D(2025, 2, 1))
    for _ in range(2):
        referred = _referred(a, on=D(2025, 3, 1))
        Parcours.objects.filter(pk=referred.pk).update(work_site=site)
    expected = {home: (1, 1, 0, 1), away: (1, 0, 1, 2)}  # 6 m checks, reached, 12 m, referrals
    for territory, (six, reached, twelve, referrals) in expected.items():
        with rls_structures([a.pk, b.pk]):
            result = outcomes(
                programme=f.programme("CVG"),
                period=Y2025,
                structure_ids=[a.pk, b.pk],
                territory_id=territory.pk,
            )
        assert result.followup_total[6].checks == six, territory
        assert result.followup_total[6].reached == reached, territory
        assert result.followup_total[12].checks == twelve, territory
        assert result.orientations_total.referrals == referrals, territory


def test_orientation_counts_match_the_hand_computation(orientation_world):
    a, b = orientation_world
    o = _outcomes(a, b).orientations_total
    assert o.referrals == 4  # R2 R3 R4 R6
    assert o.entries == 2  # R1 R2
    assert o.average_delay_days == 15  # (20 + 10) / 2
    assert o.non_entries == 2  # R5 R6
    assert o.non_entries_by_reason["REFUS"] == 1
    assert o.non_entries_by_reason["SANTE"] == 1
    assert sum(o.non_entries_by_reason.values()) == 2


def test_exact_figures_for_the_structures_own_staff(followup_world, orientation_world):
    a, b = followup_world
    result = _outcomes(a, b)
    rows = publish_followup(result, suppressed=False, territorial=False)
    assert [r["months"] for r in rows] == [6, 12]
    six, twelve = rows
    assert (six["checks"], six["unreachable"]) == ("4", "1")
    assert six["employment_rate"].startswith("66,7")
    assert six["housing_kept_rate"] is None  # housing is reported at 12 months only
    assert twelve["housing_kept_rate"].startswith("50,0")
    o = publish_orientations(result, suppressed=False, territorial=False)
    assert (o["referrals"], o["entries"], o["non_entries"]) == ("4", "2", "2")
    assert o["average_delay_days"] == "15,0"


def _synthetic(per_structure: list[tuple[int, int, int]]) -> Outcomes:
    """Outcomes with 6-month checks (checks, reached, employed) per structure."""
    followup = {6: {}, 12: {}}
    total = {6: FollowupCounts(), 12: FollowupCounts()}
    for pk, (checks, reached, employed) in enumerate(per_structure, start=1):
        row = FollowupCounts(checks=checks, reached=reached, employed=employed)
        followup[6][pk] = row
        total[6].add(row)
    return Outcomes(
        followup=followup,
        followup_total=total,
        orientations={},
        orientations_total=OrientationCounts(),
        tracks_followup=True,
        tracks_housing=False,
    )


def test_large_counts_are_published_to_funders():
    rows = publish_followup(
        _synthetic([(20, 15, 10), (20, 15, 10), (20, 15, 10)]), suppressed=True, territorial=True
    )
    assert (rows[0]["checks"], rows[0]["unreachable"]) == ("60", "15")
    assert rows[0]["employment_rate"].startswith("66,7")


def test_a_small_count_is_hidden_and_cannot_be_recomputed():
    # 4 unreachable people: "< 11". The checks (60) are published, so the people reached
    # (56) are hidden as well, or 60 − 56 would give them; with the margin hidden, the
    # rate's parts cannot both be published: the rate is withheld.
    outcomes_ = _synthetic([(20, 19, 14), (20, 19, 15), (20, 18, 15)])
    rows = publish_followup(outcomes_, suppressed=True, territorial=True)
    assert rows[0]["unreachable"] == "< 11"
    assert rows[0]["checks"] == "60"
    assert rows[0]["employment_rate"] == "s"
    values, parts, constraints = _followup_cells(outcomes_)
    status = _statuses(values, parts, constraints, suppressed=True, territorial=True)
    assert status[(6, "reached")] != PUBLISHED


def test_one_dominant_structure_hides_the_territory_figures():
    rows = publish_followup(
        _synthetic([(100, 80, 40), (5, 5, 2), (5, 5, 3)]), suppressed=True, territorial=True
    )
    assert rows[0]["checks"] == "s"
    assert rows[0]["employment_rate"] == "s"


@pytest.fixture
def manager_a(followup_world, orientation_world):
    a, _ = followup_world
    return f.MembershipFactory(role=Role.MANAGER, structure=a).user


def test_dashboard_export_and_pdf_carry_them(client, manager_a, followup_world):
    a, _ = followup_world
    client.force_login(manager_a)
    url = reverse("reporting:own", args=["CVG"])
    page = client.get(url, {"periode": "2025"}).content.decode()
    assert "Suivi après la sortie" in page
    assert "Délai moyen de l'orientation à l'entrée" in page
    csv = client.get(reverse("reporting:own_export", args=["CVG", "xlsx"]), {"periode": "2025"})
    assert csv.status_code == 200
    scope = ReportScope(
        programme=f.programme("CVG"),
        territory=None,
        structure_ids=frozenset({a.pk}),
        suppressed=False,
    )
    document = publish_dashboard(dashboard_figures(report_scope=scope, period=Y2025))
    # A alone: 6 m P2 and P6, both employed; 12 m P1 and P11.
    assert [(r["checks"], r["unreachable"]) for r in document["followup"]] == [
        ("2", "0"),
        ("2", "0"),
    ]
    meta = {
        "deployment_label": "Test",
        "funders": [],
        "created_on": "31/12/2025",
        "created_iso": "2025-12-31",
        "period_start": "01/01/2025",
        "period_end": "31/12/2025",
        "sha256": "0" * 64,
    }
    pdf = render_pdf(figures=document, meta=meta)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Suivi après la sortie" in text
    assert "Orientations reçues" in text
    assert "Entrées après orientation" in text


def test_non_entry_reasons_cover_the_reference_list():
    assert set(OrientationCounts().non_entries_by_reason) == {str(r) for r in NonEntryReason}
