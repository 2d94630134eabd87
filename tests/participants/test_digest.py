"""The daily digest by e-mail: opt-in on "Mon compte", counts and a link only (never a
person: checked against every name, birth date and contact of a seeded world), at most one
a day whatever the number of runs, retried after a failure."""

import datetime as dt
import io
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from participants.digest import send_today_digests
from participants.models import Participant
from participants.presentation.today import kind_counts
from participants.today import is_overdue, today_items
from sites.enums import Role
from sites.services import user_claim_daily_digest
from sites.tenancy import scope_for_user
from tests import factories as f
from tests.security.seed import full_file

from .conftest import phc_parcours

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("account")


def months_ago(today, months):
    from participants.rules import add_months

    return add_months(today, -months)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def world(structure_a, structure_b, caseworker_a, programmes, today):
    """Structure A: the caseworker's people and a colleague's, with items due; full files
    with canaries in both structures; everyone with a birth date and contact details."""
    manager = f.MembershipFactory(structure=structure_a, role=Role.MANAGER).user
    colleague = f.MembershipFactory(structure=structure_a).user
    people = []
    for n, (referent, months) in enumerate(
        [(caseworker_a, 13), (caseworker_a, 2), (colleague, 13), (None, 1)]
    ):
        person = f.ParticipantFactory(
            structure=structure_a,
            referent=referent,
            last_name=f"Zanzibar{n}",
            first_name=f"Ophélie{n}",
            birth_date=dt.date(1971 + n, 2, 3 + n),
            phone=f"06123456{n:02d}",
            email=f"ophelie{n}@example.net",
        )
        phc_parcours(person, start=months_ago(today, months))
        people.append(person)
    full_file(structure_a, "A")
    full_file(structure_b, "B")
    waiting_b = f.ParticipantFactory(structure=structure_b, last_name="CANARY-B-OUVERT")
    phc_parcours(waiting_b, start=months_ago(today, 1))  # B's manager has one file to give
    b_manager = f.MembershipFactory(structure=structure_b, role=Role.MANAGER).user
    for user in (caseworker_a, manager, b_manager):
        user.daily_digest = True
        user.save()
    return {"manager": manager, "colleague": colleague, "people": people, "b_manager": b_manager}


def _forbidden_strings() -> list[str]:
    """Every participant's name, birth date (as the site and ISO write it), phone, e-mail."""
    values = []
    for p in Participant.objects.all():
        values += [p.last_name, p.first_name, p.last_name.upper(), p.phone, p.email]
        if p.birth_date:
            values += [
                p.birth_date.strftime("%d/%m/%Y"),
                p.birth_date.isoformat(),
                date_format(p.birth_date, "j F Y"),
            ]
    return [v for v in values if v]


def _by_recipient():
    return {message.to[0]: message for message in mail.outbox}


def test_counts_and_a_link_only_never_a_person(world, structure_a, caseworker_a, today):
    call_command("send_today_digest", stdout=io.StringIO())
    sent = _by_recipient()
    assert set(sent) == {caseworker_a.email, world["manager"].email, world["b_manager"].email}
    mine = sent[caseworker_a.email]
    text = f"{mine.subject}\n{mine.body}"
    assert "https://sillon.test/participants/aujourdhui/" in mine.body
    assert "https://sillon.test/compte/" in mine.body
    assert mine.extra_headers["Auto-Submitted"] == "auto-generated"
    # The caseworker's own people (and the file without a referent everyone sees), counted
    # by kind as the page counts them.
    scope = scope_for_user(caseworker_a)
    items = today_items(
        scope=scope, structure_id=structure_a.pk, referent_id=caseworker_a.pk, today=today
    )
    overdue = sum(is_overdue(i, today) for i in items)
    assert overdue >= 1 and len(items) >= 3
    assert f"Vos personnes : {len(items)} choses à faire, dont {overdue} en retard" in mine.body
    for count in kind_counts(items):
        assert f"  – {count.label} : {count.count}\n" in mine.body
    assert mine.subject == f"Sillon – Aujourd'hui : {len(items)} choses à faire"
    # The manager's: the whole structure.
    assert "Toute la structure" in sent[world["manager"].email].body
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        for value in _forbidden_strings():
            assert value not in text, (message.to, value)
        assert "CANARY" not in text
        assert "Structure A" not in text and "Structure B" not in text  # one structure each


def test_a_person_of_several_structures_gets_each_by_name(
    world, structure_a, structure_b, caseworker_a
):
    f.MembershipFactory(structure=structure_b, user=caseworker_a)
    send_today_digests(today=timezone.localdate())
    body = _by_recipient()[caseworker_a.email].body
    assert "Structure A – Vos personnes" in body
    assert "CANARY-B-STRUCT – Vos personnes" in body  # B's name (a structure, no person)
    for value in _forbidden_strings():
        assert value not in body


def test_once_a_day_whatever_the_number_of_runs(world, caseworker_a, today):
    first = send_today_digests(today=today)
    assert first.sent == 3 and len(mail.outbox) == 3
    again = send_today_digests(today=today)
    assert again.sent == 0 and len(mail.outbox) == 3
    # Two overlapping runs: the claim is taken once.
    assert user_claim_daily_digest(user_id=caseworker_a.pk, day=today) is False
    tomorrow = send_today_digests(today=today + dt.timedelta(days=1))
    assert tomorrow.sent == 3 and len(mail.outbox) == 6


def test_opted_out_deactivated_funders_and_empty_days_get_nothing(
    structure_a, caseworker_a, world, today
):
    world["manager"].daily_digest = False
    world["manager"].save()
    world["b_manager"].is_active = False
    world["b_manager"].save()
    funder = f.MembershipFactory(role=Role.FUNDER, structure=None, funder=f.FunderFactory()).user
    funder.daily_digest = True
    funder.save()
    idle = f.MembershipFactory(structure=f.StructureFactory()).user  # nothing to do there
    idle.daily_digest = True
    idle.save()
    run = send_today_digests(today=today)
    assert [m.to for m in mail.outbox] == [[caseworker_a.email]]
    assert (run.sent, run.nothing_to_do) == (1, 1)


def test_a_failed_send_is_retried_by_the_next_run(world, caseworker_a, today, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with pytest.raises(CommandError):
        call_command("send_today_digest", stdout=io.StringIO())
    assert mail.outbox == []
    caseworker_a.refresh_from_db()
    assert caseworker_a.daily_digest_done_on is None  # the claim was given back
    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    assert send_today_digests(today=today).sent == 3


def test_the_command_needs_the_sites_address(world, settings):
    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="SITE_URL"):
        call_command("send_today_digest")
    assert mail.outbox == []


# "Mon compte" ----------------------------------------------------------------------------


def test_the_account_page_sets_the_preference(client, caseworker_a):
    client.force_login(caseworker_a)
    page = client.get(ACCOUNT).content.decode()
    assert "Recevoir chaque matin le résumé" in page and caseworker_a.email in page
    assert f'href="{ACCOUNT}"' in page  # the navigation's link to the account
    response = client.post(ACCOUNT, {"daily_digest": "on"})
    assert response.status_code == 302 and response["Location"] == ACCOUNT
    caseworker_a.refresh_from_db()
    assert caseworker_a.daily_digest
    client.post(ACCOUNT, {})
    caseworker_a.refresh_from_db()
    assert not caseworker_a.daily_digest


def test_people_without_aujourdhui_are_not_offered_the_digest(client):
    funder = f.MembershipFactory(role=Role.FUNDER, structure=None, funder=f.FunderFactory()).user
    client.force_login(funder)
    page = client.get(ACCOUNT)
    assert page.status_code == 200 and "résumé" not in page.content.decode()
    assert client.post(ACCOUNT, {"daily_digest": "on"}).status_code == 403
    funder.refresh_from_db()
    assert not funder.daily_digest
