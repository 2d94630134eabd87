"""S1: every URL with an object identifier, enumerated from the URLconf, × every role of
structure A × the objects of structure B: never a 2xx, always 404 (same as a missing id) for
A's staff, and no row of B changed.

A new route must say what its kwargs designate: the test FAILS on an unknown kwarg, so
register it in OBJECT_KWARGS (or ROUTE_KWARGS when the name is ambiguous, e.g. `pk`).
"""

import pytest
from django.apps import apps

from sites.enums import Role
from tests import factories as f
from tests.security.routes import all_routes
from tests.security.seed import fingerprint, full_file

pytestmark = pytest.mark.django_db

# kwarg name -> how to get B's object id from the seeded file (and B's extra objects).
OBJECT_KWARGS = {
    "participant_pk": lambda b: b["file"].participant.pk,
    "parcours_pk": lambda b: b["file"].parcours.pk,
    "site_pk": lambda b: b["file"].work_site.pk,
    "check_pk": lambda b: b["file"].followup_check.pk,
    # Not identifiers: values that make the URL valid around B's identifier.
    "year": lambda b: 2021,
    "week": lambda b: 9,
}
# Ambiguous kwargs, decided per route-name prefix.
ROUTE_KWARGS = {
    "participants:import_": {"pk": lambda b: b["import_job"]},
}
# Routes whose identifiers are not structure-owned objects (reference data, reports of a
# territory, password-reset tokens, the admin, which requires a superuser): their access is
# the subject of S3/S4, not of a cross-structure test.
NOT_STRUCTURE_OWNED = ("admin", "password_reset_confirm", "reporting:")


def _kwargs_for(route, b) -> dict | None:
    if route.name.startswith(NOT_STRUCTURE_OWNED) or route.pattern.startswith("admin/"):
        return None
    values = {}
    for kwarg in route.converters:
        resolver = next(
            (
                table[kwarg]
                for prefix, table in ROUTE_KWARGS.items()
                if route.name.startswith(prefix) and kwarg in table
            ),
            OBJECT_KWARGS.get(kwarg),
        )
        assert resolver is not None, (
            f"Route {route.name} has kwarg {kwarg!r} unknown to S1: register what it designates "
            "in tests/security/test_s1_cross_tenant.py"
        )
        values[kwarg] = resolver(b)
    return values


ROUTES = [route for route in all_routes() if route.converters]


@pytest.fixture
def b_objects(structure_b):
    file = full_file(structure_b, "B", actor=f.UserFactory())
    objects = {"file": file}
    try:
        import_job_model = apps.get_model("participants", "ImportJob")
    except LookupError:
        import_job_model = None
    if import_job_model is not None:
        objects["import_job"] = import_job_model.objects.create(
            structure=structure_b,
            sha256="b" * 64,
            filename="CANARY-B-import.csv",
            kind="csv",
            content=b"CANARY-B",
        ).pk
    return objects


@pytest.fixture
def a_users(structure_a):
    full_file(structure_a, "A")
    return {
        "caseworker": f.MembershipFactory(structure=structure_a).user,
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


def test_every_route_with_an_identifier_is_covered():
    assert {r.name for r in ROUTES} >= {"participants:detail", "participants_access_log"}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_objects_of_another_structure_are_404_for_every_role(
    client, route, a_users, b_objects, structure_b
):
    values = _kwargs_for(route, b_objects)
    if values is None:
        return
    url = route.url(values)
    before = fingerprint(structure_b.pk)
    for role, user in a_users.items():
        client.force_login(user)
        statuses = {}
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"structure": structure_b.pk})
            statuses[method] = response.status_code
            assert not 200 <= response.status_code < 300, f"{role} {method} {url}"
        # 405 (method not allowed) answers before any lookup, so it reveals nothing; the
        # method the route does accept must give a 404, like a missing id.
        if role in ("caseworker", "manager"):
            assert set(statuses.values()) <= {404, 405} and 404 in statuses.values(), (
                f"{role} {url}: {statuses}"
            )
        else:
            assert set(statuses.values()) <= {302, 403, 404, 405}, f"{role} {url}: {statuses}"
        client.logout()
    assert fingerprint(structure_b.pk) == before, f"{route.name} changed rows of B"
