""" "Aujourd'hui": each kind of item appears when due and disappears once settled, for the
referent's people or the whole structure, in a constant number of queries."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.enums import ParcoursStatus, SnapshotContext
from participants.models import FollowupCheck
from participants.today import LimitKind, today_items
from participants.today_badge import SESSION_KEY
from sites.tenancy import scope_for_user
from tests import factories as f

from .conftest import phc_parcours

TODAY_URL = reverse("participants:today")


def months_ago(today: dt.date, months: int, days: int = 0) -> dt.date:
    from participants.rules import add_months

    return add_months(today, -months) - dt.timedelta(days=days)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def scope_a(caseworker_a):
    return scope_for_user(caseworker_a)


def items_of(scope, structure, *, referent=None, today):
    return today_items(
        scope=scope,
        structure_id=structure.pk,
        referent_id=referent.pk if referent else None,
        today=today,
    )


def kinds(items, kind):
    return [i for i in items if i.kind == kind]


def person(structure, referent, name):
    return f.ParticipantFactory(structure=structure, referent=referent, last_name=name)


@pytest.mark.django_db
def test_parcours_limits_premieres_heures_and_convergence(
    structure_a, caseworker_a, scope_a, programmes, today
):
    phc_late = phc_parcours(person(structure_a, caseworker_a, "Late"), start=months_ago(today, 13))
    phc_parcours(person(structure_a, caseworker_a, "Young"), start=months_ago(today, 6))
    cvg = f.ParcoursFactory(
        participant=person(structure_a, caseworker_a, "Cvg"),
        programme=programmes["CVG"],
        start_date=months_ago(today, 23),  # 24 months in about 30 days: within the notice
    )
    motivated = f.ParcoursFactory(
        participant=person(structure_a, caseworker_a, "Motivated"),
        programme=programmes["CVG"],
        start_date=months_ago(today, 30),
        prolongation_reason="Soins en cours",
    )
    limits = {i.subject_id: i for i in kinds(items_of(scope_a, structure_a, today=today), "limit")}
    assert set(limits) == {phc_late.pk, cvg.pk}
    assert limits[phc_late.pk].details["limit"] == LimitKind.WARN
    assert limits[phc_late.pk].due_on == months_ago(today, 1)  # 12 months after the start
    assert limits[cvg.pk].details["limit"] == LimitKind.BASE
    # Near 60 months, even a motivated parcours is listed (its maximum).
    motivated.start_date = months_ago(today, 58)
    motivated.save()
    limits = {i.subject_id: i for i in kinds(items_of(scope_a, structure_a, today=today), "limit")}
    assert limits[motivated.pk].details["limit"] == LimitKind.MAX


@pytest.mark.django_db
def test_followup_checks_are_scheduled_by_the_exit_and_settled_by_recording(
    structure_a, caseworker_a, scope_a, programmes, today
):
    parcours = f.ParcoursFactory(
        participant=person(structure_a, caseworker_a, "Sortie"),
        programme=programmes["CVG"],
        start_date=months_ago(today, 20),
    )
    f.ContractFactory(parcours=parcours)
    exit_day = months_ago(today, 7)
    exit_ = services.parcours_exit(
        parcours=parcours, date=exit_day, situation="CDD_MOINS_6M", actor=caseworker_a
    )
    checks = list(FollowupCheck.objects.filter(parcours=parcours).order_by("months"))
    assert [(c.months, c.due_on) for c in checks] == [
        (3, months_ago(today, 4)),
        (6, months_ago(today, 1)),
        (12, exit_day.replace(year=exit_day.year + 1)),
    ]
    assert exit_.followup_until == exit_day.replace(year=exit_day.year + 1)
    due = kinds(items_of(scope_a, structure_a, today=today), "followup")
    assert [i.details["months"] for i in due] == [3, 6]  # the 12-month one is months away
    three, six = checks[0], checks[1]
    services.followup_check_record(
        check=three, actor=caseworker_a, expected_version=1, done_on=today, reached=False
    )
    services.followup_check_record(
        check=six,
        actor=caseworker_a,
        expected_version=1,
        done_on=today,
        reached=True,
        situation="CDI",
        housing="LOG_AUTONOME",
    )
    assert kinds(items_of(scope_a, structure_a, today=today), "followup") == []
    six.refresh_from_db()
    assert (six.reached, six.dgefp_category) == (True, "EMPLOI_DURABLE")


@pytest.mark.django_db
def test_premieres_heures_schedules_no_check(structure_a, caseworker_a, programmes, today):
    parcours = phc_parcours(person(structure_a, caseworker_a, "Phc"), start=months_ago(today, 5))
    services.parcours_exit(
        parcours=parcours, date=months_ago(today, 1), situation="SUITE_CVG", actor=caseworker_a
    )
    assert not FollowupCheck.objects.filter(parcours=parcours).exists()


@pytest.mark.django_db
def test_a_check_refuses_a_date_before_the_exit_and_a_stale_version(
    structure_a, caseworker_a, programmes, today
):
    exit_ = f.ExitFactory(
        parcours__participant=person(structure_a, caseworker_a, "Check"),
        date=months_ago(today, 4),
        situation="CHOMAGE",
        followup_until=months_ago(today, -8),
    )
    check = FollowupCheck.objects.create(
        structure=structure_a, parcours=exit_.parcours, months=3, due_on=months_ago(today, 1)
    )
    with pytest.raises(ValidationError, match="précéder la sortie"):
        services.followup_check_record(
            check=check,
            actor=caseworker_a,
            expected_version=1,
            done_on=months_ago(today, 5),
            reached=False,
        )
    services.followup_check_record(
        check=check, actor=caseworker_a, expected_version=1, done_on=today, reached=False
    )
    with pytest.raises(services.FollowupCheckConflict):
        services.followup_check_record(
            check=check,
            actor=caseworker_a,
            expected_version=1,
            done_on=today,
            reached=True,
            situation="CDI",
        )


@pytest.mark.django_db
def test_diagnosis_hours_contracts_contact_orientation_and_referent(
    structure_a, site_a, caseworker_a, scope_a, programmes, today
):
    colleague = f.MembershipFactory(structure=structure_a).user
    no_diag = phc_parcours(
        person(structure_a, caseworker_a, "Diag"), start=today - dt.timedelta(days=40)
    )
    with_diag = phc_parcours(
        person(structure_a, caseworker_a, "Done"), start=today - dt.timedelta(days=40)
    )
    f.SnapshotFactory(
        participant=with_diag.participant,
        parcours=with_diag,
        date=with_diag.start_date,
        context=SnapshotContext.ENTREE,
    )
    on_site = phc_parcours(
        person(structure_a, colleague, "Site"), start=months_ago(today, 3), work_site=site_a
    )
    worked = phc_parcours(
        person(structure_a, colleague, "Worked"), start=months_ago(today, 3), work_site=site_a
    )
    monday = today - dt.timedelta(days=today.isoweekday() - 1 + 7)
    f.WorkedHoursFactory(parcours=worked, work_site=site_a, week_start=monday)
    ending = phc_parcours(person(structure_a, caseworker_a, "Ending"), start=months_ago(today, 2))
    ending.contracts.update(planned_end_date=today + dt.timedelta(days=10))
    silent = person(structure_a, caseworker_a, "Silent")
    phc_parcours(silent, start=months_ago(today, 4))
    silent.last_contact_on = today - dt.timedelta(weeks=10)
    silent.save()
    oriented = services.orientation_refer(
        structure=structure_a,
        actor=caseworker_a,
        programme=programmes["CVG"],
        referred_by="SIAO",
        referred_on=today - dt.timedelta(days=9),
        last_name="Orient",
        first_name="Oli",
    )
    orphan = person(structure_a, None, "Orphan")
    phc_parcours(orphan, start=months_ago(today, 1))
    gone = f.UserFactory(is_active=False)
    left = person(structure_a, gone, "Left")
    phc_parcours(left, start=months_ago(today, 1))

    items = items_of(scope_a, structure_a, today=today)
    diagnoses = [i.subject_id for i in kinds(items, "diagnosis")]
    assert no_diag.pk in diagnoses and with_diag.pk not in diagnoses
    (site_item,) = kinds(items, "hours")
    assert (site_item.subject_id, site_item.details["people"]) == (site_a.pk, 1)
    assert on_site.work_site_id == site_a.pk
    assert [i.participant_id for i in kinds(items, "contract")] == [ending.participant_id]
    assert silent.pk in [i.participant_id for i in kinds(items, "contact")]
    (waiting,) = kinds(items, "orientation")
    assert (waiting.subject_id, waiting.details["days"]) == (oriented.pk, 9)
    assert {i.participant_id for i in kinds(items, "referent")} == {orphan.pk, left.pk}

    # "Mes personnes": the colleague's site person is not mine; the orphans stay listed.
    mine = items_of(scope_a, structure_a, referent=caseworker_a, today=today)
    assert kinds(mine, "hours") == []
    assert {i.participant_id for i in kinds(mine, "referent")} == {orphan.pk, left.pk}

    # Settled: hours recorded, contact noted, orientation entered.
    f.WorkedHoursFactory(parcours=on_site, work_site=site_a, week_start=monday)
    services.action_log(
        parcours=silent.parcours.get(),
        actor=caseworker_a,
        date=today,
        kind="ENTRETIEN_INDIVIDUEL",
        theme="EMPLOI",
        duration_minutes=30,
    )
    services.orientation_enter(
        parcours=oriented, actor=caseworker_a, start_date=today, weekly_hours=Decimal(20)
    )
    items = items_of(scope_a, structure_a, today=today)
    assert kinds(items, "hours") == []
    assert silent.pk not in [i.participant_id for i in kinds(items, "contact")]
    assert kinds(items, "orientation") == []
    oriented.refresh_from_db()
    assert (oriented.status, oriented.start_date) == (ParcoursStatus.EN_COURS, today)
    assert oriented.contracts.count() == 1


@pytest.mark.django_db
def test_a_non_entry_closes_the_orientation_with_its_reason(
    structure_a, caseworker_a, programmes, today
):
    parcours = services.orientation_refer(
        structure=structure_a,
        actor=caseworker_a,
        programme=programmes["PHC"],
        referred_by="MARAUDE",
        referred_on=today,
        last_name="Non",
        first_name="Entre",
    )
    services.orientation_decline(
        parcours=parcours, actor=caseworker_a, reason="REFUS", decided_on=dt.date.today()
    )
    parcours.refresh_from_db()
    assert (parcours.status, parcours.non_entry_reason) == (ParcoursStatus.NON_ENTRE, "REFUS")


@pytest.mark.django_db
def test_the_page_lists_items_with_their_actions_and_counts_them_in_the_navigation(
    client_a, structure_a, caseworker_a, programmes, today
):
    parcours = phc_parcours(
        person(structure_a, caseworker_a, "Retard"), start=months_ago(today, 13)
    )
    response = client_a.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == TODAY_URL
    body = client_a.get(TODAY_URL).content.decode()
    assert "RETARD Dominique" in body
    exit_url = reverse("participants:parcours_exit", kwargs={"parcours_pk": parcours.pk})
    assert f"{exit_url}?next=" in body
    assert "CANARY-B" not in body
    assert client_a.session[SESSION_KEY]["count"] >= 1


# The session, the user, the second factor, the scope, the role's settings, the statement
# and the read-audit rows (docs/performance.md §10).
QUERIES = 10


@pytest.mark.django_db
@pytest.mark.parametrize("people", [3, 30])
def test_query_count_does_not_grow_with_people(
    client_a, structure_a, site_a, caseworker_a, programmes, today, people,
    django_assert_num_queries,
):  # fmt: skip
    for i in range(people):
        p = person(structure_a, caseworker_a if i % 2 else None, f"P{i}")
        phc_parcours(p, start=months_ago(today, 13), work_site=site_a)
    client_a.get(TODAY_URL)  # the session's first stamps are written once
    with django_assert_num_queries(QUERIES) as captured:
        response = client_a.get(TODAY_URL, {"qui": "structure"})
    assert response.status_code == 200
    # Every kind of item in one statement, whatever the number of people.
    assert sum("WITH live AS" in q["sql"] for q in captured.captured_queries) == 1


@pytest.mark.django_db
def test_a_long_list_is_paged_most_urgent_first_and_logs_only_the_people_shown(
    client_a, structure_a, caseworker_a, programmes, today
):
    from participants.views.today import ITEMS_PER_PAGE
    from sites.audit.models import AccessLog

    for i in range(ITEMS_PER_PAGE + 5):  # one duration limit each, a day apart
        phc_parcours(person(structure_a, caseworker_a, f"P{i:03}"), start=months_ago(today, 13, i))
    client_a.get(TODAY_URL)
    AccessLog.objects.all().delete()
    first = client_a.get(TODAY_URL, {"qui": "structure", "type": "limit"})
    body = first.content.decode()
    assert body.count("<tr") - 1 == ITEMS_PER_PAGE
    assert "Page 1 sur 2" in body and "page=2" in body
    # Most urgent first: the oldest parcours (P054, 13 months and 54 days) opens the list.
    assert body.index("P054") < body.index("P053") and "P000" not in body
    assert AccessLog.objects.count() == ITEMS_PER_PAGE
    second = client_a.get(TODAY_URL, {"qui": "structure", "type": "limit", "page": 2})
    assert second.content.decode().count("<tr") - 1 == 5
    assert "P000" in second.content.decode()
    # An item settled from page 2 comes back to page 2.
    assert "page%3D2" in second.content.decode()
    for page in ("abc", "-1", "0", "999999", "1" * 40, "2.5"):
        assert client_a.get(TODAY_URL, {"page": page}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "Orientation CVG – SIAO – reçue aujourd'hui"),
        (1, "Orientation CVG – SIAO – en attente depuis 1 jour"),
        (9, "Orientation CVG – SIAO – en attente depuis 9 jours"),
    ],
)
def test_an_orientation_says_how_long_it_has_waited(
    client_a, structure_a, caseworker_a, programmes, today, days, text
):
    services.orientation_refer(
        structure=structure_a,
        actor=caseworker_a,
        programme=programmes["CVG"],
        referred_by="SIAO",
        referred_on=today - dt.timedelta(days=days),
        last_name="Orient",
        first_name="Oli",
    )
    body = html.unescape(client_a.get(TODAY_URL).content.decode())
    assert text in body
    assert "depuis 0 jour" not in body
