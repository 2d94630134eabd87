"""English as the second interface language: French by default, English through the browser's
Accept-Language or the switcher in the footer, and a complete, compiled English catalogue."""

import ast
import datetime as dt
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from tests import factories as f

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_login_page_is_french_by_default(client):
    page = _page(client.get(reverse("login")))
    assert '<html lang="fr">' in page
    assert "Se connecter" in page and "Mot de passe oublié ?" in page
    assert "Log in" not in page
    # The switcher offers the other language, named in that language.
    assert 'name="language" value="en" lang="en"' in page


@pytest.mark.django_db
def test_an_english_browser_gets_the_english_login_page(client):
    page = _page(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"))
    assert '<html lang="en">' in page
    assert "Log in" in page and "Password" in page and "Forgotten your password?" in page
    assert "Se connecter" not in page and "Mot de passe" not in page
    assert 'name="language" value="fr" lang="fr"' in page


@pytest.mark.django_db
def test_an_unsupported_browser_language_falls_back_to_french(client):
    page = _page(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9"))
    assert '<html lang="fr">' in page and "Se connecter" in page


@pytest.mark.django_db
def test_the_switcher_works_before_logging_in_and_back(client):
    client.get(reverse("login"))  # the CSRF cookie, as a browser would have it
    client.handler.enforce_csrf_checks = True
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    login = reverse("login")

    response = client.post(
        reverse("set_language"),
        {"language": "en", "next": login, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and response["Location"] == login
    cookie = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and cookie["httponly"] and cookie["samesite"] == "Lax"
    # The choice beats the browser's French.
    page = _page(client.get(login, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9"))
    assert "Log in" in page and "Se connecter" not in page

    client.post(
        reverse("set_language"),
        {"language": "fr", "next": login, "csrfmiddlewaretoken": token},
    )
    assert "Se connecter" in _page(client.get(login))


@pytest.mark.django_db
def test_the_switcher_needs_the_csrf_token_and_stays_on_the_site(client):
    client.handler.enforce_csrf_checks = True
    refused = client.post(reverse("set_language"), {"language": "en"})
    assert refused.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies

    client.handler.enforce_csrf_checks = False
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/phish"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_a_caseworker_reads_their_list_in_english_and_only_their_people(
    client, caseworker_a, structure_a, structure_b
):
    mine = f.ParticipantFactory(structure=structure_a, last_name="Lefebvre")
    f.ParcoursFactory(participant=mine)
    theirs = f.ParticipantFactory(structure=structure_b, last_name="CANARY-B-NAME")
    client.force_login(caseworker_a)

    page = _page(client.get(reverse("participants:list"), HTTP_ACCEPT_LANGUAGE="en", follow=True))
    assert "Search and filter" in page and "Log out" in page
    assert "Rechercher et filtrer" not in page
    assert "LEFEBVRE" in page.upper() and "17/05/1980" in page
    assert theirs.last_name.upper() not in page.upper()


def test_english_dates_stay_day_first():
    """An English interface must not turn a typed 03/04/2025 into March 4th."""
    with translation.override("en"):
        assert forms.DateField().clean("03/04/2025") == dt.date(2025, 4, 3)
        assert date_format(dt.date(2025, 4, 3), "SHORT_DATE_FORMAT") == "03/04/2025"
        assert date_format(dt.date(2025, 4, 3)) == "03/04/2025"


def _catalogue(po: Path = CATALOGUE / "django.po") -> list[dict]:
    """The entries of a django.po (a tiny reader: the file is what makemessages writes);
    obsolete `#~` entries, which gettext ignores, are left out."""
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": set()}
        key = None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def test_every_message_is_translated_and_compiled():
    entries = _catalogue()
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "Language: en" in header["msgstr"]
    assert "fuzzy" not in header["flags"]
    assert len(messages) > 500
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for entry in messages:
        msgid = entry["msgid"]
        assert "fuzzy" not in entry["flags"], f"fuzzy: {msgid!r}"
        if "msgid_plural" in entry:
            singular, plural = entry["msgstr[0]"], entry["msgstr[1]"]
            assert singular and plural, f"untranslated: {msgid!r}"
            # The .mo holds the very same translation (compilemessages was run after editing).
            assert compiled.ngettext(msgid, entry["msgid_plural"], 1) == singular, msgid
            assert compiled.ngettext(msgid, entry["msgid_plural"], 2) == plural, msgid
            sources, targets = [msgid, entry["msgid_plural"]], [singular, plural]
        else:
            translated = entry["msgstr"]
            assert translated, f"untranslated: {msgid!r}"
            found = (
                compiled.pgettext(entry["msgctxt"], msgid)
                if "msgctxt" in entry
                else compiled.gettext(msgid)
            )
            assert found == translated, f"not compiled: {msgid!r}"
            sources, targets = [msgid], [translated]
        # Every placeholder survives translation, or the page shows a raw %(x)s or crashes.
        names = {m for s in sources for m in PLACEHOLDER.findall(s)}
        assert names == {m for t in targets for m in PLACEHOLDER.findall(t)}, msgid


def test_the_compiled_catalogue_is_not_older_than_its_source():
    """Same-second tolerance: a fresh checkout writes both files at about the same moment;
    the content comparison above is the real guarantee."""
    po, mo = (CATALOGUE / "django.po").stat(), (CATALOGUE / "django.mo").stat()
    assert mo.st_mtime >= po.st_mtime - 2


# What `make messages` leaves out of its scan (the Makefile's --ignore), plus what a copy of
# the sources does not need.
NOT_SOURCES = (".venv", "var", ".git", ".hypothesis", "*_cache", "__pycache__", "vendor")


def _message_keys(entries: list[dict]) -> set[tuple[str, str]]:
    return {(entry.get("msgctxt", ""), entry["msgid"]) for entry in entries[1:]}


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="gettext is not installed (scripts/system-deps.sh test installs it)",
)
def test_every_source_message_is_in_the_catalogue_and_no_other(tmp_path):
    """`make messages` run on a copy of the sources finds exactly the catalogue's messages:
    a new interface string missing from django.po (shown in French to English readers) or a
    translation whose string left the code fails here, not in a reader's browser."""
    copy = tmp_path / "sillon"
    shutil.copytree(settings.BASE_DIR, copy, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy)},
        check=True,
        capture_output=True,
    )
    found = _message_keys(_catalogue(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    kept = _message_keys(_catalogue())
    assert not found - kept, f"not in the catalogue (make messages): {sorted(found - kept)}"
    assert not kept - found, f"no longer in the sources: {sorted(kept - found)}"
