"""No input breaks a route (issue 16 item 4, docs/security.md §9).

For every route of the URLconf (the inventory of S1–S4), hypothesis sends requests whose path
arguments, query parameters and form fields (tests/security/route_inputs.py: every form
rendered to any role, every parameter the code reads by name, django-tables2's) carry
boundary and hostile values (tests/security/hostile_values.py: the calendar's edges, huge,
negative and non-numbers, NUL bytes, long, right-to-left, emoji and combining text, markup,
spreadsheet formulas, `next=` to other hosts), as each role: a caseworker and a manager of A,
a coordinator and a funder of A's territory, an anonymous visitor. Every answer must be:

- no server error (the test client re-raises a view's exception: hypothesis then shrinks the
  request to the smallest one that fails and prints it);
- no traceback in the body;
- no redirect off the site (Location, HX-Redirect, HX-Location);
- structure B's rows unchanged (a fingerprint of every structure-owned table).

The world is built once per module (fuzz_world.py) inside a transaction rolled back at the
end; each request runs in a savepoint rolled back after its checks, so every example starts
from the same world. `make test` sends a handful of requests per route, CI 40
(HYPOTHESIS_PROFILE=ci), `make fuzz` FUZZ_EXAMPLES (tests/hypothesis_profiles.py).
"""

from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hypothesis_profiles import PROFILE, route_examples
from tests.security import hostile_values as hv
from tests.security.fuzz_world import ROLES, build, other_structure_values, path_values
from tests.security.route_inputs import Inputs, survey
from tests.security.routes import Route, all_routes
from tests.security.seed import fingerprint

pytestmark = pytest.mark.django_db

ROUTES = [route for route in all_routes() if not route.pattern.startswith("admin/")]
TRACEBACK_MARKS = (b"Traceback (most recent call last)", b'File "/', b"Exception Value:")
# Path arguments out of any range: ids past int4 and bigint, years and weeks past the edges.
HOSTILE_PATH_INTS = ("0", "2147483648", str(2**63), str(10**30), "9" * 400, "53", "9999")


@dataclass(repr=False)
class Arena:
    world: object
    inventory: dict[str, Inputs]
    b_fingerprint: str

    def __repr__(self) -> str:  # hypothesis prints the test's arguments
        return "Arena(structures A and B, one user per role)"


@dataclass
class Attack:
    """One request; its repr is what hypothesis prints for a failing example."""

    role: str
    method: str
    url: str
    data: dict = field(default_factory=dict)
    htmx: bool = False

    def send(self, user):
        client = Client()
        if user is not None:
            client.force_login(user)
        headers = {"HX-Request": "true"} if self.htmx else {}
        return getattr(client, self.method)(self.url, self.data, headers=headers)


def _logged_in_clients(world) -> dict[str, Client]:
    clients = {}
    for role, user in world.users.items():
        clients[role] = Client()
        if user is not None:
            clients[role].force_login(user)
    return clients


@pytest.fixture(scope="module")
def arena(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))  # /readyz: 200
    with media, django_db_blocker.unblock(), transaction.atomic():
        world = build()

        def valid_url(route: Route) -> str:
            values = path_values(world, route.name)
            return route.url({kwarg: values[kwarg][0] for kwarg in route.converters})

        inventory = survey(world.users, _logged_in_clients(world), valid_url)
        yield Arena(world, inventory, fingerprint(world.structure_b.pk))
        transaction.set_rollback(True)


def _path_value(route: Route, kwarg: str, converter: str, world) -> st.SearchStrategy:
    own = path_values(world, route.name)[kwarg]
    theirs = other_structure_values(world).get(kwarg, [])
    if converter == "int":
        hostile = st.sampled_from(HOSTILE_PATH_INTS)
    elif converter == "uuid":
        hostile = st.uuids()
    else:
        hostile = hv.texts.filter(bool).map(lambda text: quote(text, safe=""))
    families = [st.sampled_from(own)] * 3 + [hostile]
    if theirs:
        families.append(st.sampled_from(theirs))
    return st.one_of(families)


def _field_value(name: str, kind: str, valid: list[str]) -> st.SearchStrategy:
    value = hv.value_for(name, kind, valid)
    if kind == "file":
        return value.map(
            lambda text: SimpleUploadedFile(
                f"{text[:40]}.csv", text.encode("utf-8", "replace"), content_type="text/csv"
            )
        )
    if kind in ("choice", "flag"):  # check boxes and multiple selects send lists
        return st.one_of(value, st.lists(value, min_size=2, max_size=3))
    return value


@st.composite
def attacks(draw, route: Route, arena: Arena) -> Attack:
    inputs = arena.inventory[route.name]
    admitted = sorted(inputs.admitted)
    roles = st.sampled_from(ROLES)
    role = draw(st.one_of(st.sampled_from(admitted), roles) if admitted else roles)
    method = draw(st.sampled_from(["get", "post"]))
    values = {
        kwarg: draw(_path_value(route, kwarg, converter, arena.world))
        for kwarg, converter in route.converters.items()
    }
    fields = inputs.post if method == "post" else inputs.get
    data = {}
    for name, found in sorted(fields.items()):
        choice = draw(
            st.sampled_from(["valid", "hostile", "omit"] if found.values else ["hostile", "omit"])
        )
        if choice == "valid":
            data[name] = draw(st.sampled_from(found.values))
        elif choice == "hostile":
            data[name] = draw(_field_value(name, found.kind, found.values))
    return Attack(role, method, route.url(values), data, htmx=draw(st.booleans()))


def problems_with(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    found = []
    if response.status_code >= 500:
        found.append(f"server error {response.status_code}")
    found += [f"a traceback ({mark!r}) in the body" for mark in TRACEBACK_MARKS if mark in body]
    for header in ("Location", "HX-Redirect", "HX-Location"):
        target = response.headers.get(header)
        if target and leaves_the_site(target):
            found.append(f"{header} leaves the site: {target[:200]!r}")
    return found


def leaves_the_site(target: str) -> bool:
    """A redirect a browser would follow to another host. (Django's own check also refuses
    URLs over 2,048 characters: a long path of this site is not an open redirect.)"""
    target = target.lstrip(" ")  # as browsers do
    if target.startswith(("//", "/\\")) or any(ord(c) < 32 for c in target):
        return True
    parts = urlsplit(target.replace("\\", "/"))
    return parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver")


def test_the_survey_finds_the_forms_and_the_roles(arena):
    inventory = arena.inventory
    assert {"q", "entry_after", "programme"} <= set(inventory["participants:list"].get)
    assert {"start_date", "weekly_hours"} <= set(inventory["participants:parcours_enrol"].post)
    assert any(name.startswith("hours") for name in inventory["participants:hours_grid"].post)
    assert {"du", "au", "periode"} <= set(inventory["reporting:territory"].get)
    assert {"periode"} <= set(inventory["reporting:deployment_reports"].post)
    assert inventory["participants:detail"].admitted == {"caseworker", "manager"}
    assert inventory["reporting:territory"].admitted == {"coordinator", "funder"}
    assert inventory["login"].admitted == set(ROLES)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_no_input_breaks_a_route(arena, route):
    # @given on an inner function: given directly on this parametrized test, with the
    # module's fixture, hypothesis reported its shrinking as inconsistent data generation.
    # No example database: a failure prints its request (and, under ci/fuzz, a blob).
    @settings(
        max_examples=route_examples(),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def attack_the_route(data):
        attack = data.draw(attacks(route, arena), label="request")
        with transaction.atomic():
            response = attack.send(arena.world.users[attack.role])
            assert problems_with(response) == []
            assert fingerprint(arena.world.structure_b.pk) == arena.b_fingerprint, (
                "rows of structure B changed"
            )
            transaction.set_rollback(True)

    attack_the_route()


@pytest.mark.skipif(PROFILE != "fuzz", reason="the sweep of make fuzz")
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_each_killer_value_in_every_field_at_once(arena, route):
    """Deterministic, beside the random search: each value of KILLERS in every parameter
    of the route at once (GET and POST), as each role the route admits (anonymous for the
    others), on A's valid path. It found the NUL and page-size errors before hypothesis."""
    inputs = arena.inventory[route.name]
    values = path_values(arena.world, route.name)
    url = route.url({kwarg: values[kwarg][0] for kwarg in route.converters})
    failures = []
    for method, fields in (("get", inputs.get), ("post", inputs.post)):
        for killer in hv.KILLERS:
            for role in sorted(inputs.admitted) or ["anonymous"]:
                data = {name: killer for name in fields if name != "next"}
                attack = Attack(role, method, url, data)
                with transaction.atomic():
                    problems = problems_with(attack.send(arena.world.users[role]))
                    transaction.set_rollback(True)
                if problems:
                    failures.append((role, method, killer[:20], problems))
    assert failures == []
