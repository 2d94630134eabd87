"""S8 lockout, S10 second factor, S11 sessions (quality.md §3.1)."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from sites.enums import Role
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


def _login(client, email, password=PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def _reaches(client, url) -> bool:
    """The page answers 200, following its own redirects (e.g. a list's default filter) but
    not a detour through login or the second factor."""
    response = client.get(url, follow=True)
    detours = [reverse("login"), reverse("otp_setup"), reverse("otp_verify")]
    hops = [location for location, _status in response.redirect_chain]
    return response.status_code == 200 and not any(
        hop.startswith(detour) for hop in hops for detour in detours
    )


def _is_logged_in(client) -> bool:
    return SESSION_KEY in client.session


# S8 ------------------------------------------------------------------------------------


def test_five_failures_lock_the_account_for_fifteen_minutes(client, caseworker_a):
    with freeze_time(T0) as clock:
        for _attempt in range(4):
            assert _login(client, caseworker_a.email, "wrong password!").status_code == 200
            clock.tick(dt.timedelta(minutes=2))
        # The fifth failure locks the account.
        assert _login(client, caseworker_a.email, "wrong password!").status_code == 429
        response = _login(client, caseworker_a.email)  # the right password, too late
        assert response.status_code == 429
        assert "bloqué" in response.content.decode()
        assert not _is_logged_in(client)
        assert AccessAttempt.objects.filter(username=caseworker_a.email).exists()
        clock.tick(dt.timedelta(minutes=16))
        assert _login(client, caseworker_a.email).status_code == 302
        assert _is_logged_in(client)


def test_the_lockout_page_says_when_to_retry(client, caseworker_a):
    with freeze_time(T0) as clock:
        for _attempt in range(5):
            _login(client, caseworker_a.email, "wrong password!")
        locked = _login(client, caseworker_a.email)
        assert locked.status_code == 429
        assert "bloqué" in locked.content.decode()
        assert locked["Retry-After"] == str(15 * 60)  # 15 minutes after the last failure
        clock.tick(dt.timedelta(minutes=5))
        later = _login(client, caseworker_a.email)
        assert later.status_code == 429
        assert 0 < int(later["Retry-After"]) <= 15 * 60
        clock.tick(dt.timedelta(seconds=int(later["Retry-After"]) + 1))
        assert _login(client, caseworker_a.email).status_code == 302


def test_case_and_spaces_do_not_give_extra_attempts(client, caseworker_a):
    variants = [caseworker_a.email.upper(), f" {caseworker_a.email}", caseworker_a.email]
    for email in [*variants, *variants[:2]]:
        _login(client, email, "wrong password!")
    assert _login(client, caseworker_a.email).status_code == 429


def test_four_failures_then_success_resets_the_counter(client, caseworker_a):
    for _ in range(4):
        _login(client, caseworker_a.email, "wrong password!")
    assert _login(client, caseworker_a.email).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, caseworker_a.email, "wrong password!")
    assert _login(client, caseworker_a.email).status_code == 302


# S10 -----------------------------------------------------------------------------------


def _code(device: TOTPDevice, at: dt.datetime) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at.timestamp()
    return f"{totp.token():06d}"


@pytest.fixture
def otp_required(settings):
    settings.OTP_REQUIRED_ROLES = ["MANAGER", "COORDINATOR", "FUNDER", "ADMIN"]


@pytest.fixture
def manager_a(structure_a):
    return f.MembershipFactory(structure=structure_a, role=Role.MANAGER).user


def _protected_urls(participant) -> list[str]:
    return [
        reverse("participants:list"),
        reverse("participants:detail", args=[participant.pk]),
        reverse("participants_access_log", args=[participant.pk]),
        reverse("home"),
    ]


@pytest.mark.usefixtures("otp_required")
def test_password_only_session_reaches_no_participant_page(client, manager_a, structure_a):
    participant = f.ParticipantFactory(structure=structure_a)
    _login(client, manager_a.email)
    assert _is_logged_in(client)
    for url in _protected_urls(participant):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("otp_setup"))


@pytest.mark.usefixtures("otp_required")
def test_enrolment_then_verification_on_the_next_login(client, manager_a, structure_a):
    participant = f.ParticipantFactory(structure=structure_a)
    with freeze_time(T0) as clock:
        _login(client, manager_a.email)
        page = client.get(reverse("otp_setup"))
        assert page.status_code == 200
        assert "<svg" in page.content.decode()
        assert not TOTPDevice.objects.exists()  # a GET writes nothing
        device = TOTPDevice(user=manager_a, key=client.session["sillon_otp_setup_key"])
        response = client.post(reverse("otp_setup"), {"token": _code(device, T0)})
        assert response.status_code == 302
        assert TOTPDevice.objects.get(user=manager_a).confirmed
        assert client.get(reverse("participants:detail", args=[participant.pk])).status_code == 200

        client.logout()
        clock.tick(dt.timedelta(minutes=5))
        _login(client, manager_a.email)
        response = client.get(reverse("participants:list"))
        assert response["Location"].startswith(reverse("otp_verify"))
        now = T0 + dt.timedelta(minutes=5)
        client.post(reverse("otp_verify"), {"token": _code(device, now)})
        assert _reaches(client, reverse("participants:list"))


@pytest.fixture
def enrolled_manager(manager_a):
    TOTPDevice.objects.create(user=manager_a, name="app", confirmed=True)
    return manager_a


@pytest.mark.usefixtures("otp_required")
def test_a_code_used_twice_is_refused(client, enrolled_manager):
    device = TOTPDevice.objects.get(user=enrolled_manager)
    with freeze_time(T0):
        code = _code(device, T0)
        _login(client, enrolled_manager.email)
        assert client.post(reverse("otp_verify"), {"token": code}).status_code == 302
        client.logout()
        _login(client, enrolled_manager.email)
        replay = client.post(reverse("otp_verify"), {"token": code})
        assert replay.status_code == 200
        assert "Code incorrect" in replay.content.decode()
        assert client.get(reverse("participants:list")).status_code == 302


@pytest.mark.usefixtures("otp_required")
def test_an_expired_code_is_refused(client, enrolled_manager):
    device = TOTPDevice.objects.get(user=enrolled_manager)
    with freeze_time(T0):
        _login(client, enrolled_manager.email)
        stale = _code(device, T0 - dt.timedelta(seconds=90))  # 3 steps ago, outside ±1
        assert client.post(reverse("otp_verify"), {"token": stale}).status_code == 200
        assert client.get(reverse("participants:list")).status_code == 302


@pytest.mark.usefixtures("otp_required")
def test_caseworkers_may_skip_the_second_factor_unless_they_enrolled(client, caseworker_a):
    _login(client, caseworker_a.email)
    assert _reaches(client, reverse("participants:list"))
    client.logout()
    TOTPDevice.objects.create(user=caseworker_a, name="app", confirmed=True)
    _login(client, caseworker_a.email)
    assert client.get(reverse("participants:list"))["Location"].startswith(reverse("otp_verify"))


@pytest.mark.usefixtures("otp_required")
def test_admin_site_requires_the_second_factor(client):
    admin = f.UserFactory(is_staff=True, is_superuser=True)
    _login(client, admin.email)
    assert client.get("/admin/")["Location"].startswith(reverse("otp_setup"))


# S11 -----------------------------------------------------------------------------------


def test_session_key_changes_at_login(client, caseworker_a):
    client.get(reverse("login"))
    client.session["probe"] = 1
    before = client.session.session_key
    _login(client, caseworker_a.email)
    assert client.session.session_key != before


def test_idle_sessions_expire_after_thirty_minutes(client, caseworker_a):
    url = reverse("participants:list")
    with freeze_time(T0) as clock:
        _login(client, caseworker_a.email)
        clock.tick(dt.timedelta(minutes=29))
        assert _reaches(client, url)
        clock.tick(dt.timedelta(minutes=29))  # active 29 min ago: still fine
        assert _reaches(client, url)
        clock.tick(dt.timedelta(minutes=31))
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert not _is_logged_in(client)


def test_sessions_end_after_twelve_hours_whatever_the_activity(client, caseworker_a):
    url = reverse("participants:list")
    with freeze_time(T0) as clock:
        _login(client, caseworker_a.email)
        for _ in range(35):  # every 20 minutes for 11 h 40
            clock.tick(dt.timedelta(minutes=20))
            assert _reaches(client, url)
        clock.tick(dt.timedelta(minutes=21))
        assert client.get(url).status_code == 302
        assert not _is_logged_in(client)


def test_deactivating_an_account_ends_its_sessions(client, caseworker_a):
    _login(client, caseworker_a.email)
    assert _reaches(client, reverse("participants:list"))
    caseworker_a.is_active = False
    caseworker_a.save()
    response = client.get(reverse("participants:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()


def test_logout_ends_the_session(client, caseworker_a):
    _login(client, caseworker_a.email)
    cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    client.cookies["sessionid"] = cookie
    assert client.get(reverse("participants:list")).status_code == 302


def test_session_cookie_flags(client, caseworker_a, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = _login(client, caseworker_a.email)
    morsel = response.cookies["sessionid"]
    assert morsel["httponly"] and morsel["secure"]
    assert morsel["samesite"] == "Lax"


def test_the_session_store_loads_what_djangos_store_loads_and_nothing_expired(caseworker_a):
    """The project's session engine reads a session with one plain statement: the data of a
    live session, nothing for an expired or unknown key (the key is then forgotten, so a new
    one is made), as Django's database store."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.contrib.sessions.models import Session

    from sites.auth.sessions import SessionStore

    assert settings.SESSION_ENGINE == "sites.auth.sessions"
    with freeze_time(T0) as clock:
        created = SessionStore()
        created["probe"] = "valeur"
        created.set_expiry(600)
        created.create()
        key = created.session_key
        for store in (SessionStore, DjangoStore):
            loaded = store(session_key=key)
            assert loaded["probe"] == "valeur"
            assert loaded.session_key == key
        clock.tick(dt.timedelta(seconds=601))
        for store in (SessionStore, DjangoStore):
            expired = store(session_key=key)
            assert "probe" not in expired
            assert expired.session_key is None
        assert Session.objects.filter(session_key=key).exists()  # not deleted by a read
        assert dict(SessionStore(session_key="inconnue" * 5).items()) == {}


@pytest.mark.parametrize("key", ["abcdefgh\x00ijkl", "ABCDEFGH%%'--", "a" * 300, "é" * 32, "court"])
def test_a_session_cookie_django_could_not_have_made_is_no_session(client, key):
    """Forged session cookies (a NUL byte, quotes, too long, other characters, too short):
    the visitor is signed out, never a 500, and no query is sent with the key."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.cookies["sessionid"] = key
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("participants:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
