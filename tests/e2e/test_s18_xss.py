"""S18: stored payloads in every free-text field a page shows run nowhere.

A file whose names, notes, comment and work site carry script payloads is opened in
Chromium — the list, a search, the file, its forms, the hours grid — with a dialog listener:
0 dialogs, no element or attribute of a payload in the DOM (the escaping itself, since the
CSP would block inline handlers anyway), and the payloads read as text. The places that
mark HTML safe are a reviewed list (every one escapes what it inserts), and the CSP forbids
inline scripts (tests/security/test_headers_and_deployment.py).
"""

import ast
import datetime as dt
from pathlib import Path

import pytest

from participants.enums import ParcoursStatus
from participants.models import AccompanimentAction
from sites.models import WorkSite
from tests import factories as f
from tests.packages import PROJECT_PACKAGES

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOADS = [
    '<script>alert("xss-script")</script>',
    '"><img src=x onerror=alert("xss-img")>',
    "'><svg onload=alert('xss-svg')>",
    "<a href=\"javascript:alert('xss-href')\">lien</a>",
    "{{ 7*7 }}<iframe src=javascript:alert('xss-frame')>",
]
# Elements or attributes only a payload would have put in the page.
INJECTED_ELEMENTS = """() => [...document.querySelectorAll('main *')].filter(el =>
    ['SCRIPT', 'IFRAME'].includes(el.tagName)
    || (el.tagName === 'IMG' && el.getAttribute('src') === 'x')
    || [...el.attributes].some(a => a.name.startsWith('on')
        || (a.name === 'href' && a.value.trim().toLowerCase().startsWith('javascript:')))
).map(el => el.outerHTML.slice(0, 120))"""
ROOT = Path(__file__).resolve().parents[2]
# Every mark_safe of the project, reviewed: what each inserts is escaped or generated.
REVIEWED_MARK_SAFE = {
    "sites/auth/views.py",  # the TOTP QR code, an SVG drawn by qrcode from our own URL
    "reporting/presentation.py",  # charts (SVG, labels escaped) and the structures' cells
    "web/jinja2.py",  # hot fragments rendered by Jinja2, which escaped every value
}


@pytest.fixture
def poisoned(e2e_structure):
    site = WorkSite.objects.get(structure=e2e_structure)
    WorkSite.objects.filter(pk=site.pk).update(name=f"Chantier {PAYLOADS[3]}")
    person = f.ParticipantFactory(
        structure=e2e_structure, last_name=PAYLOADS[0], first_name=PAYLOADS[1]
    )
    parcours = f.ParcoursFactory(
        participant=person, work_site=site, start_date=dt.date.today() - dt.timedelta(days=30)
    )
    AccompanimentAction.objects.create(
        structure=e2e_structure,
        parcours=parcours,
        date=dt.date.today(),
        kind="ENTRETIEN_INDIVIDUEL",
        theme="EMPLOI",
        duration_minutes=30,
        partner=PAYLOADS[2],
        note=PAYLOADS[4],
    )
    closed = f.ParcoursFactory(
        participant=person,
        programme=f.programme("PHC"),
        start_date=dt.date(2024, 1, 8),
        end_date=dt.date(2024, 6, 7),
        status=ParcoursStatus.SORTI,
    )
    f.ExitFactory(parcours=closed, date=closed.end_date, comment=PAYLOADS[4])
    return person, parcours, site


def test_stored_payloads_run_nowhere(logged_in_page, live_server, poisoned):
    person, parcours, site = poisoned
    page = logged_in_page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    base = live_server.url
    year, week, _ = dt.date.today().isocalendar()
    for path in (
        "/participants/?status=EN_COURS",
        "/participants/?q=script",
        f"/participants/{person.pk}/",
        f"/participants/{person.pk}/modifier/",
        f"/participants/parcours/{parcours.pk}/actions/nouvelle/",
        "/participants/heures/",
        f"/participants/heures/{site.pk}/{year}/semaine-{week}/",
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        # The CSP would stop inline handlers anyway: check the escaping itself, in the DOM.
        injected = page.evaluate(INJECTED_ELEMENTS)
        assert injected == [], (path, injected)
    assert dialogs == []
    page.goto(f"{base}/participants/{person.pk}/")
    shown = page.inner_text("main")
    assert PAYLOADS[0].upper() in shown  # shown as the text it is (last names in capitals)
    assert PAYLOADS[1] in shown and PAYLOADS[4] in shown


def test_html_is_marked_safe_only_in_reviewed_places():
    found = set()
    for package in PROJECT_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(), filename=str(path))
            if any(
                isinstance(node, ast.Call) and getattr(node.func, "id", "") == "mark_safe"
                for node in ast.walk(tree)
            ):
                found.add(str(path.relative_to(ROOT)))
    assert found == REVIEWED_MARK_SAFE
    templates = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if "|safe" in path.read_text() or "autoescape off" in path.read_text()
    ]
    assert templates == []
