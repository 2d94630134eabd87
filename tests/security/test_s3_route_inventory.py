"""S3: every route is either on the public allow-list or refuses anonymous visitors."""

import re

import pytest

from tests.security.routes import all_routes

# The fixed public surface: logging in, resetting a password, health, choosing the interface
# language. Nothing else.
PUBLIC = {
    "login",
    "healthz",
    "readyz",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "admin:login",  # the admin's own login form (it then requires staff + second factor)
    "set_language",  # the language switcher: sets a cookie, redirects within the site
}
# Admin routes given as regexes by django.contrib.admin are exercised with harmless values.
DUMMY = {"int": 999999, "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def _url(route) -> str:
    values = {}
    for kwarg, converter in route.converters.items():
        values[kwarg] = DUMMY.get(converter, "x")
    url = route.url(values)
    # Regex patterns (django.contrib.admin): replace groups with a plain value.
    return re.sub(r"\(\?P<\w+>[^)]*\)", "1", url).replace("\\", "")


ROUTES = all_routes()


def test_the_inventory_is_not_empty():
    names = {route.name for route in ROUTES}
    assert {"login", "participants:detail", "participants_access_log"} <= names


def test_every_public_route_exists():
    assert {route.name for route in ROUTES} >= PUBLIC


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_anonymous_visitors_never_get_a_protected_page(client, route):
    if route.name in PUBLIC:
        return
    for method in ("get", "post"):
        response = getattr(client, method)(_url(route))
        assert response.status_code != 200, f"{method.upper()} {route.name} is public"
        if response.status_code in (301, 302):
            assert (
                "/connexion/" in response["Location"] or "/admin/login/" in response["Location"]
            ), response["Location"]
        else:
            assert response.status_code in (401, 403, 404, 405), response.status_code
