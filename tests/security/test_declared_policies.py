"""Every view of the project declares who may call it (docs/security.md §1): the URLconf is
enumerated and a route whose view carries no `policy` (set by `sites.tenancy.permissions`:
`@policy(rule)`, `@authenticated`, `@public`) fails the test with the view's name.

The admin's routes are Django's: `admin.site` lets in active staff only (and our middleware
asks them for the second factor), so they are left out here and covered by S3.
"""

import pytest

from sites.tenancy.permissions import AUTHENTICATED, PUBLIC, Policy
from tests.security.routes import all_routes
from tests.security.test_s3_route_inventory import PUBLIC as S3_PUBLIC

ROUTES = [
    route
    for route in all_routes()
    if not route.name.startswith("admin:") and not route.pattern.startswith("admin/")
]


def _view_name(view) -> str:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return f"{view_class.__module__}.{view_class.__qualname__}"
    return f"{view.__module__}.{view.__qualname__}"


def test_the_inventory_covers_the_applications():
    names = {route.name for route in ROUTES}
    assert {
        "home",
        "login",
        "participants:detail",
        "participants_access_log",
        "reporting:national",
        "otp_verify",
    } <= names


def test_every_view_declares_a_policy():
    undeclared = [
        f"{route.name} ({_view_name(route.view)})"
        for route in ROUTES
        if not isinstance(getattr(route.view, "policy", None), Policy)
    ]
    assert undeclared == [], (
        "Views without a declared policy: decorate them with @policy(rule), @authenticated "
        "or @public (sites/tenancy/permissions.py): " + ", ".join(undeclared)
    )


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_public_views_and_only_they_skip_the_login(route):
    """`@public` is the one way to open a view to anonymous visitors, and S3's list of
    public routes is exactly the routes that declare it."""
    declared = route.view.policy
    opens_without_login = getattr(route.view, "login_required", True) is False
    assert declared.public == opens_without_login, route.name
    assert declared.public == (route.name in S3_PUBLIC), route.name


# The pages about a structure's team: its managers only (the structure shown is then
# checked against `can_manage_team`, tests/participants/test_referents.py).
MANAGERS_ONLY = {"participants:referents", "participants:referents_reassign"}


def test_declared_policies_by_kind():
    """A readable inventory: every person-level route is behind the participants' rule."""
    by_name = {route.name: route.view.policy for route in ROUTES}
    for name, declared in by_name.items():
        if name in MANAGERS_ONLY:
            assert declared.name == "participants.policies.manages_a_structure", name
        elif name.startswith("participants:"):
            assert declared.name == "participants.policies.can_work_on_files", name
        if name.startswith("reporting:") and name != "reporting:index":
            assert declared.name.startswith("reporting.policies."), name
            assert declared.hidden, name
    assert by_name["participants_access_log"].hidden
    assert by_name["home"] is AUTHENTICATED
    assert by_name["login"] is PUBLIC
