"""S12: no GET request writes business data (the read-access log and sessions excepted)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sites.enums import Role
from tests import factories as f
from tests.security.routes import all_routes
from tests.security.seed import full_file
from tests.security.test_s1_cross_tenant import _kwargs_for

pytestmark = pytest.mark.django_db

# Tables a GET may write: the audit of reads, sessions, login bookkeeping, and the
# anti-automation counters (S23: a search, an export or a file opened is counted).
ALLOWED = {
    "sites_accesslog",
    "django_session",
    "pghistory_context",
    "sites_rateevent",
    "sites_fileopening",
}
# Anywhere in a statement, not only at its start: `WITH … INSERT` writes too. Row locks
# (`FOR UPDATE`, `FOR NO KEY UPDATE`) and an upsert's `DO UPDATE SET` are not other tables.
WRITE = re.compile(
    r'\b(INSERT\s+INTO|DELETE\s+FROM|(?<!FOR )(?<!KEY )(?<!DO )UPDATE)\s+"?(\w+)"?',
    re.IGNORECASE,
)


def _writes(queries) -> list[str]:
    tables = []
    for query in queries:
        for match in WRITE.finditer(query["sql"]):
            table = match.group(2)
            if table not in ALLOWED and not table.startswith("axes_"):
                tables.append(table)
    return tables


@pytest.fixture
def a_objects(structure_a):
    file = full_file(structure_a, "A")
    from django.apps import apps

    objects = {"file": file}
    job = apps.get_model("participants", "ImportJob")
    objects["import_job"] = job.objects.create(
        structure=structure_a, sha256="a" * 64, filename="a.csv", kind="csv", content=b"x"
    ).pk
    return objects


ROUTES = [
    route
    for route in all_routes()
    if not route.pattern.startswith("admin/") and route.name not in {"logout"}
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_get_writes_no_business_row(client, route, a_objects, structure_a):
    values = _kwargs_for(route, a_objects) if route.converters else {}
    if values is None:
        return
    manager = f.MembershipFactory(
        structure=structure_a, role=Role.MANAGER, can_view_sensitive=True
    ).user
    client.force_login(manager)
    url = route.url(values)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:  # file downloads: read and close, as a server would
            b"".join(response.streaming_content)
        response.close()
    assert _writes(queries.captured_queries) == [], f"GET {url} wrote business rows"
