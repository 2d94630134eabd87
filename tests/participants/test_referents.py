"""The referents' page and handing files over: caseloads that agree with "Aujourd'hui", a
constant number of queries, managers only, no lost update, and never another structure's
files or staff (forged ids)."""

import datetime as dt

import pghistory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.models import Participant
from participants.referents import NOBODY, handover_files, handover_source, referent_caseloads
from participants.today import TodayKind, is_overdue, today_items
from sites.audit.models import AccessAction, AccessLog
from sites.enums import Role
from sites.tenancy import scope_for_user
from tests import factories as f

from .conftest import phc_parcours

pytestmark = pytest.mark.django_db

PAGE = reverse("participants:referents")
REASSIGN = reverse("participants:referents_reassign")


def months_ago(today: dt.date, months: int) -> dt.date:
    from participants.rules import add_months

    return add_months(today, -months)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def manager_a(structure_a):
    return f.MembershipFactory(structure=structure_a, role=Role.MANAGER).user


@pytest.fixture
def team(structure_a, caseworker_a, manager_a, programmes, today):
    """A structure with two active caseworkers, a departed one (account deactivated), one
    who left for another structure (membership closed), and files of each, some overdue."""
    other = f.MembershipFactory(structure=structure_a, user__last_name="Collègue").user
    departed = f.MembershipFactory(
        structure=structure_a, user__last_name="Partie", user__is_active=False
    ).user
    moved = f.MembershipFactory(
        structure=structure_a, user__last_name="Mutée", is_active=False
    ).user

    def person(referent, name, *, months=2):
        p = f.ParticipantFactory(structure=structure_a, referent=referent, last_name=name)
        phc_parcours(p, start=months_ago(today, months))
        return p

    files = {
        "mine": person(caseworker_a, "Mien"),
        "mine_late": person(caseworker_a, "Retard", months=13),  # PHC past 12 months
        "other": person(other, "Autre"),
        "departed1": person(departed, "Depart1", months=13),
        "departed2": person(departed, "Depart2"),
        "moved": person(moved, "Mutation"),
        "orphan": person(None, "Orphelin"),
    }
    # A second open parcours of one person: two parcours, one person.
    f.ParcoursFactory(
        participant=files["departed2"],
        programme=programmes["CVG"],
        status="ORIENTE",
        start_date=today,
    )
    # A person of the departed caseworker in post-exit follow-up, nothing open.
    exited = f.ParticipantFactory(structure=structure_a, referent=departed, last_name="Suivi")
    parcours = f.ParcoursFactory(
        participant=exited, programme=programmes["CVG"], start_date=months_ago(today, 20)
    )
    f.ContractFactory(parcours=parcours)
    services.parcours_exit(
        parcours=parcours, date=months_ago(today, 4), situation="CDI", actor=None
    )
    files["exited"] = exited
    # A closed file (exited long ago, follow-up over): nobody's caseload.
    old = f.ParticipantFactory(structure=structure_a, referent=departed, last_name="Ancien")
    f.ParcoursFactory(
        participant=old,
        status="SORTI",
        start_date=dt.date(2021, 3, 1),
        end_date=dt.date(2022, 3, 1),
    )
    return {"other": other, "departed": departed, "moved": moved, "files": files}


def _caseloads(user, structure, today):
    return referent_caseloads(scope=scope_for_user(user), structure_id=structure.pk, today=today)


def test_caseloads_per_referent_with_the_files_without_an_active_referent(
    structure_a, caseworker_a, manager_a, team, today
):
    caseloads = _caseloads(manager_a, structure_a, today)
    staff = {row.referent_id: row for row in caseloads.staff}
    # Every active member of the staff has a row, even with no file (the manager).
    assert set(staff) == {caseworker_a.pk, manager_a.pk, team["other"].pk}
    assert (staff[caseworker_a.pk].people, staff[caseworker_a.pk].parcours) == (2, 2)
    assert staff[manager_a.pk].files == 0
    unassigned = {row.referent_id: row for row in caseloads.unassigned}
    assert set(unassigned) == {None, team["departed"].pk, team["moved"].pk}
    departed = unassigned[team["departed"].pk]
    assert (departed.people, departed.parcours, departed.followup) == (2, 3, 1)
    assert not departed.on_staff and departed.name.endswith("Partie")
    assert (unassigned[None].people, unassigned[team["moved"].pk].people) == (1, 1)
    # The "sans référent·e" total is exactly the people "Aujourd'hui" lists under that kind.
    scope = scope_for_user(manager_a)
    items = today_items(scope=scope, structure_id=structure_a.pk, referent_id=None, today=today)
    no_referent = [i for i in items if i.kind == TodayKind.NO_REFERENT]
    assert caseloads.unassigned_total.people == len(no_referent) == 4
    # Every item of "Aujourd'hui" is counted once, with its overdue ones.
    assert caseloads.totals.todo + caseloads.unattributed == len(items)
    assert caseloads.totals.overdue == sum(is_overdue(i, today) for i in items)
    mine = today_items(
        scope=scope, structure_id=structure_a.pk, referent_id=caseworker_a.pk, today=today
    )
    mine = [i for i in mine if i.kind != TodayKind.NO_REFERENT]  # listed for everyone
    assert staff[caseworker_a.pk].todo == len(mine) and staff[caseworker_a.pk].overdue >= 1


def test_the_page_shows_counts_and_no_person(client, manager_a, team, file_b):
    client.force_login(manager_a)
    before = AccessLog.objects.count()
    body = client.get(PAGE).content.decode()
    assert "Sans référent·e en activité" in body and "Partie" in body
    assert f"{REASSIGN}?de={team['departed'].pk}" in body
    assert f"{REASSIGN}?de={NOBODY}" in body
    assert "DEPART1" not in body.upper() and "CANARY-B" not in body
    assert AccessLog.objects.count() == before  # no person named: no read-access row
    # Linked from the navigation.
    assert f'href="{PAGE}"' in body


@pytest.mark.parametrize("size", [1, 12])
def test_the_page_runs_a_constant_number_of_queries(
    client, structure_a, manager_a, programmes, today, size, django_assert_max_num_queries
):
    """Referents and people grow 12-fold; the page's queries do not (counted exactly by the
    next test, bounded here for each size)."""
    for n in range(size):
        referent = f.MembershipFactory(structure=structure_a).user
        gone = f.MembershipFactory(structure=structure_a, user__is_active=False).user
        for who in (referent, gone, None):
            p = f.ParticipantFactory(structure=structure_a, referent=who, last_name=f"P{n}")
            phc_parcours(p, start=months_ago(today, 13))
    client.force_login(manager_a)
    client.get(PAGE)  # the session's first writes
    # Login, scope and row-level security, the staff, the files' counts, the 10 queries of
    # "Aujourd'hui", their people's referents, the former referents' names.
    with django_assert_max_num_queries(22):
        assert client.get(PAGE).status_code == 200


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len(queries)


def test_the_query_count_is_the_same_for_3_and_30_people(
    client, structure_a, manager_a, programmes, today
):
    client.force_login(manager_a)

    def grow(n):
        for i in range(n):
            referent = f.MembershipFactory(structure=structure_a).user
            gone = f.UserFactory(is_active=False)
            for who in (referent, gone, None):
                p = f.ParticipantFactory(structure=structure_a, referent=who, last_name=f"Q{i}")
                phc_parcours(p, start=months_ago(today, 13))

    grow(1)
    client.get(PAGE)
    small = _page_queries(client)
    grow(10)
    assert _page_queries(client) == small


def test_the_handover_page_runs_the_same_queries_for_3_and_30_files(
    client, structure_a, manager_a, programmes, today
):
    gone = f.MembershipFactory(structure=structure_a, user__is_active=False).user
    client.force_login(manager_a)

    def grow(n):
        for i in range(n):
            p = f.ParticipantFactory(structure=structure_a, referent=gone, last_name=f"H{i}")
            phc_parcours(p, start=months_ago(today, 2))

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(REASSIGN, {"de": gone.pk})
        assert response.status_code == 200
        return len(queries), len(response.context["rows"])

    grow(3)
    client.get(REASSIGN, {"de": gone.pk})
    small, shown = count()
    grow(27)
    assert count() == (small, 30) and shown == 3


# Who may see and act ---------------------------------------------------------------------


def test_a_caseworker_gets_403_and_no_link(client, caseworker_a, team):
    client.force_login(caseworker_a)
    assert client.get(PAGE).status_code == 403
    assert client.get(REASSIGN, {"de": NOBODY}).status_code == 403
    file = team["files"]["orphan"]
    response = client.post(
        f"{REASSIGN}?de={NOBODY}",
        {"files": [file.pk], f"version-{file.pk}": file.version, "referent": caseworker_a.pk},
    )
    assert response.status_code == 403
    file.refresh_from_db()
    assert file.referent_id is None
    body = client.get(reverse("participants:today"), {"qui": "structure"}).content.decode()
    assert f'href="{PAGE}"' not in body and REASSIGN not in body


def test_a_manager_elsewhere_gets_403_on_a_structure_they_only_work_in(
    client, structure_a, structure_b, team
):
    """Manager of B, caseworker of A, A active: A's team is not theirs to hand over."""
    user = f.MembershipFactory(structure=structure_b, role=Role.MANAGER).user
    f.MembershipFactory(structure=structure_a, user=user)
    client.force_login(user)
    session = client.session
    session["active_structure_id"] = structure_a.pk
    session.save()
    assert client.get(PAGE).status_code == 403
    assert client.get(REASSIGN, {"de": NOBODY}).status_code == 403


def test_aujourdhui_links_files_without_referent_to_the_handover_for_managers(
    client, manager_a, team
):
    client.force_login(manager_a)
    body = client.get(reverse("participants:today"), {"qui": "structure"}).content.decode()
    assert f"{REASSIGN}?de={NOBODY}" in body and "Attribuer en lot" in body


# Handing over ----------------------------------------------------------------------------


def _post(client, source, files, referent, versions=None):
    data = {"files": [p.pk for p in files], "referent": referent.pk}
    for p in files:
        data[f"version-{p.pk}"] = (versions or {}).get(p.pk, p.version)
    return client.post(f"{REASSIGN}?de={source}", data)


def test_a_departed_colleagues_files_handed_over_in_one_step(
    client, structure_a, manager_a, team, today
):
    client.force_login(manager_a)
    departed = team["departed"]
    page = client.get(REASSIGN, {"de": departed.pk})
    body = page.content.decode()
    listed = {row["file"].participant.pk for row in page.context["rows"]}
    files = team["files"]
    assert listed == {files["departed1"].pk, files["departed2"].pk, files["exited"].pk}
    assert all(row["checked"] for row in page.context["rows"])
    assert "Suivi après sortie" in body and "plus en activité" in body
    # The departed colleague is not offered as the new referent.
    assert departed.pk not in {u.pk for u in page.context["form"].fields["referent"].queryset}

    chosen = [files["departed1"], files["exited"]]
    before = AccessLog.objects.count()
    response = _post(client, departed.pk, chosen, team["other"])
    assert response.status_code == 302 and response["Location"] == PAGE
    moved = Participant.objects.filter(pk__in=[p.pk for p in chosen])
    assert {p.referent_id for p in moved} == {team["other"].pk}
    assert {p.version for p in moved} == {2}
    assert Participant.objects.get(pk=files["departed2"].pk).referent_id == departed.pk
    # One EDIT row per file the request named.
    rows = AccessLog.objects.order_by("pk")[before:]
    assert sorted(r.participant_id for r in rows) == sorted(p.pk for p in chosen)
    assert {r.action for r in rows} == {AccessAction.EDIT}
    # The write history: one event per file, with the request's user and this operation.
    events = Participant.pgh_event_model.objects.filter(
        pgh_obj_id__in=[p.pk for p in chosen],
        pgh_label="update",
        pgh_context__metadata__operation="participants_reassign",
    ).select_related("pgh_context")
    assert sorted(e.pgh_obj_id for e in events) == sorted(p.pk for p in chosen)
    for event in events:
        assert event.pgh_context.metadata["user"] == manager_a.pk
        assert (event.referent_id, event.version) == (team["other"].pk, 2)
    follow = client.get(PAGE)
    assert "2 dossiers confiés à" in follow.content.decode()
    unassigned = follow.context["caseloads"].unassigned_total
    assert unassigned.people == 3  # departed2, the moved colleague's and the orphan


def test_files_changed_meanwhile_are_reported_not_overwritten(
    client, structure_a, caseworker_a, manager_a, team
):
    client.force_login(manager_a)
    files = team["files"]
    first, second = files["departed1"], files["departed2"]
    shown = {first.pk: first.version, second.pk: second.version}
    # Between the page and the submit, a caseworker gives the first file to herself.
    with pghistory.context(user=caseworker_a.pk, url="/participants/x/modifier/"):
        services.participant_update(
            participant=first, actor=caseworker_a, expected_version=1, referent=caseworker_a
        )
    response = _post(client, team["departed"].pk, [first, second], team["other"], shown)
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.referent_id == caseworker_a.pk  # kept, not overwritten
    assert second.referent_id == team["other"].pk  # the other one moved
    body = response.content.decode()
    assert "1 dossier a été modifié par quelqu'un d'autre" in body
    assert "Modifié entre-temps par" in body and str(caseworker_a) in body
    assert "1 dossier confié à" in body


def test_a_stale_file_still_listed_stays_checked_and_a_second_submit_applies_it(
    client, manager_a, caseworker_a, team
):
    client.force_login(manager_a)
    file = team["files"]["orphan"]
    services.participant_update(
        participant=file, actor=caseworker_a, expected_version=1, phone="0600000001"
    )
    response = _post(client, NOBODY, [file], team["other"], {file.pk: 1})
    assert response.status_code == 200
    (row,) = [r for r in response.context["rows"] if r["file"].participant.pk == file.pk]
    assert row["checked"] and row["file"].version == 2
    assert _post(client, NOBODY, [file], team["other"], {file.pk: 2}).status_code == 302
    file.refresh_from_db()
    assert (file.referent_id, file.phone) == (team["other"].pk, "0600000001")


def test_nothing_chosen_or_no_referent_is_refused_in_french(client, manager_a, team):
    client.force_login(manager_a)
    empty = client.post(f"{REASSIGN}?de={NOBODY}", {})
    assert empty.status_code == 200 and "Cochez au moins un dossier." in empty.content.decode()
    response = client.post(f"{REASSIGN}?de={NOBODY}", {"referent": team["other"].pk})
    assert response.status_code == 200
    assert "Cochez au moins un dossier." in response.content.decode()
    file = team["files"]["orphan"]
    response = client.post(
        f"{REASSIGN}?de={NOBODY}", {"files": [file.pk], f"version-{file.pk}": "1"}
    )
    assert response.status_code == 200 and "Ce champ est obligatoire" in response.content.decode()
    assert Participant.objects.get(pk=file.pk).referent_id is None


# As an attacker: another structure's ids ------------------------------------------------


def test_forged_ids_of_another_structure_are_refused_and_change_nothing(
    client, structure_a, structure_b, manager_a, team, file_b
):
    b_staff = f.MembershipFactory(structure=structure_b, user__last_name="CANARY-B-USER").user
    file_b.participant.referent = b_staff
    file_b.participant.save()
    own = team["files"]["orphan"]
    client.force_login(manager_a)
    b_before = list(Participant.objects.filter(structure=structure_b).values())

    # B's file among A's, to A's colleague.
    response = client.post(
        f"{REASSIGN}?de={NOBODY}",
        {
            "files": [own.pk, file_b.participant.pk],
            f"version-{own.pk}": 1,
            f"version-{file_b.participant.pk}": 1,
            "referent": team["other"].pk,
        },
    )
    assert response.status_code == 200 and "CANARY-B" not in response.content.decode()
    # A's file to B's staff member.
    response = _post(client, NOBODY, [own], b_staff)
    assert response.status_code == 200 and "CANARY-B" not in response.content.decode()
    # B's referent as the source: not named, as if missing.
    assert client.get(REASSIGN, {"de": b_staff.pk}).status_code == 404
    for garbage in ("", "x", "-1", "99999999999999999999", "1 OR 1=1"):
        assert client.get(REASSIGN, {"de": garbage}).status_code == 404, garbage

    assert list(Participant.objects.filter(structure=structure_b).values()) == b_before
    own.refresh_from_db()
    assert own.referent_id is None


def test_the_service_never_writes_another_structures_file_nor_to_an_outsider(
    structure_a, structure_b, manager_a, team, file_b
):
    own = team["files"]["orphan"]
    result = services.participants_reassign(
        structure=structure_a,
        referent=team["other"],
        versions={own.pk: own.version, file_b.participant.pk: file_b.participant.version},
        actor=manager_a,
    )
    assert result.moved == [own.pk]
    assert [(c.participant_id, c.gone) for c in result.conflicts] == [(file_b.participant.pk, True)]
    file_b.participant.refresh_from_db()
    assert (file_b.participant.referent_id, file_b.participant.version) == (None, 1)

    from django.core.exceptions import ValidationError

    outsider = f.MembershipFactory(structure=structure_b).user
    with pytest.raises(ValidationError):
        services.participants_reassign(
            structure=structure_a, referent=outsider, versions={own.pk: 2}, actor=manager_a
        )
    with pytest.raises(ValidationError):  # nor to a departed colleague
        services.participants_reassign(
            structure=structure_a, referent=team["departed"], versions={own.pk: 2}, actor=None
        )
    own.refresh_from_db()
    assert own.referent_id == team["other"].pk


def test_the_selectors_refuse_a_structure_outside_the_scope(
    structure_a, structure_b, caseworker_a, today
):
    scope = scope_for_user(caseworker_a)
    with pytest.raises(PermissionError):
        referent_caseloads(scope=scope, structure_id=structure_b.pk, today=today)
    with pytest.raises(PermissionError):
        handover_source(scope=scope, structure_id=structure_b.pk, raw=NOBODY)
    source = handover_source(scope=scope, structure_id=structure_a.pk, raw=NOBODY)
    with pytest.raises(PermissionError):
        handover_files(scope=scope, structure_id=structure_b.pk, source=source, today=today)
