"""seed_demo: the official geography, Nantes and the 25 territories of the roll-out with
their targets, idempotent; a deterministic plan; and, loaded whole, figures near the
programme's targets and an "Aujourd'hui" with every kind of item."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from demo import catalogue as cat
from demo.plan import Planner, Unit
from participants.models import Participant
from participants.today import TodayKind, today_items
from programmes.enums import TargetMetric
from programmes.models import Deployment, Target
from reporting import indicators as ind
from reporting import periods
from reporting.models import FunderPack, ReportStatus
from sites.models import GeoUnit, Structure, Territory, User
from sites.tenancy.scope import scope_for_user
from tests import factories as f

pytestmark = pytest.mark.django_db


def _counts():
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"sites", "programmes", "participants"}
    }


def test_reference_only_creates_the_reference_and_no_participant():
    call_command("seed_demo", "--reference-only")
    assert Participant.objects.count() == 0
    slugs = set(Structure.objects.values_list("slug", flat=True))
    assert {"asbl", "trajet", "ocean", "eaux-vives", "partage-44"} <= slugs
    sizes = [cat.rollout_size(t[2], t[6], t[7]) for t in cat.ROLLOUT]
    assert len(slugs) == 5 + sum(sizes)
    assert min(sizes) == 3  # enough to publish a territory's figures
    # The official geography: communes under their département, with their EPCI.
    nantes = GeoUnit.objects.get(kind="COMMUNE", code="44109")
    assert (nantes.parent.code, nantes.epci.code) == ("44", "244400404")
    assert GeoUnit.objects.filter(kind="COMMUNE").count() > 34_000
    # Targets: every year of Nantes up to the current one, the 800 entries shared out.
    this_year = timezone.localdate().year
    cvg = Deployment.objects.get(programme__code="CVG", territory__slug=cat.NANTES)
    assert cvg.structures.count() == 3
    assert sorted(t.period_start.year for t in cvg.targets.all()) == list(
        range(2021, this_year + 1)
    )
    assert cvg.targets.get(period_start__year=2021).value == 118
    phc_nantes = Deployment.objects.get(programme__code="PHC", territory__slug=cat.NANTES)
    assert phc_nantes.targets.get(period_start__year=2021).value == 60
    rollout = Target.objects.filter(
        metric=TargetMetric.ENTRIES,
        deployment__territory__slug__in=[t[0] for t in cat.ROLLOUT],
    )
    assert rollout.count() == 25
    assert sum(rollout.values_list("value", flat=True)) == 800
    first = _counts()
    call_command("seed_demo", "--reference-only")
    assert _counts() == first


def _unit(structure_id=1) -> Unit:
    return Unit(
        structure_id=structure_id,
        slug="x",
        programme="PHC",
        deployment_id=None,
        opened=dt.date(2021, 3, 1),
        entries={2021: 30, 0: 20},
        site_ids=[1, 2],
        referent_id=1,
        employer_id=structure_id,
        continues_to_cvg=False,
    )


def _plan(today):
    f.programme("PHC")
    planner = Planner(today)
    planner.fill(_unit())
    return [
        (p.person.external_id, p.programme, p.start, p.end, p.situation, p.status)
        for p in planner.parcours
    ]


def test_the_same_seed_gives_the_same_plan_and_a_later_day_keeps_the_past():
    today = dt.date(2026, 12, 7)
    plan = _plan(today)
    assert plan == _plan(today)
    assert 100 < len(plan) < 250
    later = _plan(dt.date(2027, 3, 1))
    ended = [row for row in plan if row[3] is not None and row[3] < today]
    assert ended and set(ended) <= set(later)


def test_seed_twice_leaves_the_same_row_counts():
    call_command("seed_demo", "--small")
    first = _counts()
    assert 200 <= first["participants.Participant"] <= 500
    call_command("seed_demo", "--small")
    assert _counts() == first
    call_command("seed_demo")  # the whole demo is loaded once only, whatever its size
    assert _counts() == first
    # One funder's pack of last year, frozen once.
    assert FunderPack.objects.count() == 1


def _accompanied(territory: str, code: str, year: int) -> int:
    territory_id = Territory.objects.get(slug=territory).pk
    table = ind.indicator_table(
        programme=f.programme(code),
        period=periods.year(year),
        structure_ids=ind.structures_in_territory(territory_id),
        territory_id=territory_id,
        with_months=False,
    )
    return table.total.raw()["accompanied"]


@pytest.mark.slow_seed
def test_the_whole_demo_tells_the_story():
    call_command("seed_demo")
    counts = _counts()
    assert 2_500 <= counts["participants.Participant"] <= 5_000
    # Nantes 2021 near its targets: 118 in Convergence, 60 in Premières Heures.
    assert 100 <= _accompanied(cat.NANTES, "CVG", 2021) <= 125
    assert 50 <= _accompanied(cat.NANTES, "PHC", 2021) <= 70
    # Every territory of the roll-out has people and targets.
    for slug, *_ in cat.ROLLOUT:
        assert _accompanied(slug, "PHC", 2022) >= 10, slug
    # Convergence in three more métropoles, so that the national view compares territories.
    for slug in cat.CVG_ELSEWHERE:
        assert _accompanied(slug, "CVG", timezone.localdate().year - 1) >= 30, slug
    # Each Nantes caseworker's "Aujourd'hui" has things to do; together, every kind.
    today = timezone.localdate()
    kinds = set()
    for slug in ("asbl", "trajet", "ocean", "eaux-vives"):
        user = User.objects.get(email=f"cip.{slug}@demo.sillon.test")
        structure = Structure.objects.get(slug=slug)
        items = today_items(
            scope=scope_for_user(user), structure_id=structure.pk, referent_id=None, today=today
        )
        assert len(items) >= 5, slug
        kinds |= {item.kind for item in items}
    assert kinds == set(TodayKind)
    # A funder's first visit finds a pack: last year's, one report per deployment it funds,
    # rendered (here at once; by the worker under `make run`), each printing the pack's hash.
    pack = FunderPack.objects.get()
    assert pack.funder.slug == "dgcs" and pack.period_code == str(today.year - 1)
    reports = list(pack.snapshots.all())
    assert len(reports) == 2
    assert all(r.status == ReportStatus.DONE and bytes(r.pdf)[:5] == b"%PDF-" for r in reports)
