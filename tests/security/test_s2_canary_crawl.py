"""S2: a crawl of everything the users of structure A can reach — pages, CSV/XLSX exports and
PDFs, followed from the home page through same-origin links — contains 0 canary strings of
structure B (whose participants, notes, work sites and structure name carry `CANARY-B-…`).

The crawl is breadth-first and bounded (depth, pages per role, variants per path) to stay
under a minute; it must see A's own canaries, so a crawl that reaches nothing fails.
"""

import io
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import openpyxl
import pypdf
import pytest

from sites.enums import Role
from tests import factories as f
from tests.security.seed import full_file

pytestmark = pytest.mark.django_db

MAX_DEPTH = 4
MAX_PAGES = 90
VARIANTS_PER_PATH = 2  # query-string variants (sort orders, pages) of one path
SKIP = ("/deconnexion/", "/admin/", "/static/", "/i18n/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "hx-get", "src"):
            if attrs.get(name) and tag != "link" and tag != "script":
                self.links.append(attrs[name])


def _text(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in content_type:
        return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
    if "spreadsheetml" in content_type:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return body.decode("utf-8", errors="replace")


def crawl(client) -> dict:
    """{url: text} of every same-origin page reachable from the home page."""
    seen, texts = {"/"}, {}
    variants: Counter = Counter()
    queue = deque([("/", 0)])
    while queue and len(texts) < MAX_PAGES:
        url, depth = queue.popleft()
        response = client.get(url, follow=True)
        text = _text(response)
        texts[url] = text
        if depth >= MAX_DEPTH or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(text)
        for link in parser.links:
            parts = urlsplit(urljoin(url, link))
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen or parts.path.startswith(SKIP):
                continue
            if parts.query:
                if variants[parts.path] >= VARIANTS_PER_PATH:
                    continue
                variants[parts.path] += 1
            seen.add(target)
            queue.append((target, depth + 1))
    return texts


@pytest.fixture
def world(structure_a, structure_b):
    a = full_file(structure_a, "A")
    f.ParcoursFactory(participant=a.participant, work_site=a.work_site)  # an open parcours
    b = full_file(structure_b, "B")
    f.ParcoursFactory(participant=b.participant, work_site=b.work_site)
    return {"a": a, "b": b}


@pytest.fixture
def a_users(structure_a):
    return {
        "caseworker": f.MembershipFactory(structure=structure_a, can_view_sensitive=True).user,
        "manager": f.MembershipFactory(
            structure=structure_a, role=Role.MANAGER, can_view_sensitive=True
        ).user,
        "coordinator": f.MembershipFactory(
            role=Role.COORDINATOR, structure=None, coordination=f.CoordinationFactory()
        ).user,
        "funder": f.MembershipFactory(
            role=Role.FUNDER, structure=None, funder=f.FunderFactory()
        ).user,
    }


def test_nothing_structure_a_can_reach_carries_a_canary_of_b(client, world, a_users):
    reached = {}
    for role, user in a_users.items():
        client.force_login(user)
        texts = crawl(client)
        reached[role] = texts
        leaks = [url for url, text in texts.items() if "CANARY-B" in text]
        assert leaks == [], f"{role} sees B's data at {leaks}"
        client.logout()
    # The crawl really went through A's files, exports and PDFs.
    staff = {**reached["caseworker"], **reached["manager"]}
    assert sum("CANARY-A-NOM" in text for text in staff.values()) >= 5
    assert any("CANARY-A-NOTE" in text for text in staff.values())
    assert any("export.xlsx" in url and "CANARY-A-NOM" in t for url, t in staff.items())
    assert any("export.pdf" in url and "CANARY-A-NOTE" in t for url, t in staff.items())
    assert len(reached["caseworker"]) >= 25 and len(reached["manager"]) >= 30
    assert len(reached["coordinator"]) >= 2 and len(reached["funder"]) >= 2
