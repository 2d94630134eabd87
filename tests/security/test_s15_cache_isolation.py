"""S15: no page is ever served from a cache to another user.

Sillon caches no page and no fragment: no cache middleware, no `cache_page`, no low-level
cache at all (a cache key that forgot the structure would serve one structure's people to
another). The one thing kept between requests is the small-count audit's answer
(`reporting.suppression.suppress`): statuses, no figure, given back only for an identical
grid of counts (tests/reporting/test_suppression.py). Authenticated responses say
`Cache-Control: no-store` so that no proxy or browser keeps them (S14). Two users replaying
the same URLs each see only their own structure.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from sites.enums import Role
from tests import factories as f
from tests.packages import PROJECT_PACKAGES
from tests.security.routes import all_routes
from tests.security.seed import full_file

ROOT = Path(__file__).resolve().parents[2]
CACHE_MODULES = ("django.core.cache", "django.views.decorators.cache", "django.middleware.cache")
CACHING_NAMES = {"cache_page", "cache_control", "CacheMiddleware", "caches", "cache"}


def _caching_uses() -> list[str]:
    """Every import of Django's cache machinery in the project's code."""
    found = []
    for package in PROJECT_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    (
                        "django.core.cache",
                        "django.views.decorators.cache",
                        "django.middleware.cache",
                    )
                ):
                    names = {alias.name for alias in node.names}
                    if names & CACHING_NAMES or node.module.startswith("django.core.cache"):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_nothing_in_the_project_caches_pages_or_data():
    assert not [m for m in settings.MIDDLEWARE if "cache" in m.lower()]
    assert _caching_uses() == [], (
        "A cache was introduced: its keys must include the structure (tenant) and this test "
        "must then check them (quality.md S15)."
    )


@pytest.mark.django_db
def test_two_users_replaying_the_same_pages_each_see_only_their_own(client):
    a, b = f.StructureFactory(slug="s15-a"), f.StructureFactory(slug="s15-b")
    full_file(a, "A")
    full_file(b, "B")
    users = {
        "A": f.MembershipFactory(structure=a, role=Role.MANAGER, can_view_sensitive=True).user,
        "B": f.MembershipFactory(structure=b, role=Role.MANAGER, can_view_sensitive=True).user,
    }
    urls = [
        route.url({})
        for route in all_routes()
        if not route.converters
        and not route.pattern.startswith(("admin/", "i18n/"))
        and route.name not in {"logout"}
    ]
    checked = 0
    for _ in range(2):  # A, B, A, B: a cached answer would cross over on the second pass
        for me, other in (("A", "B"), ("B", "A")):
            client.force_login(users[me])
            for url in urls:
                response = client.get(url)
                if response.streaming:  # read to the end: the file is then closed
                    content = b"".join(response.streaming_content)
                else:
                    content = response.content
                if response.status_code != 200:
                    continue
                body = content.decode(errors="replace")
                assert f"CANARY-{other}" not in body, (me, url)
                assert response["Cache-Control"] == "no-store", url
                checked += 1
    assert checked >= 20  # the lists, the hours, the imports, the dashboards…
