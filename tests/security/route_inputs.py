"""What each route of the URLconf reads: its path arguments (from the URL pattern), the fields
of every form that posts or gets to it (found by rendering every page as every role and
reading its `<form>`s, so a filterset, a formset or a grid with one field per row is seen as
a browser sees it), and the query or form parameters the code reads by name (a static scan of
`request.GET` / `request.POST` in the project's sources, so a parameter read by a helper is
covered by construction).

`survey(users, clients, url_of)` returns {route name: Inputs}; the route fuzzer
(tests/security/test_fuzz_routes.py) sends hostile values in each of them.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

from sites.tenancy.scope import scope_for_user
from tests.packages import PROJECT_PACKAGES
from tests.security.routes import Route, all_routes

ROOT = Path(__file__).resolve().parents[2]
# django-tables2's query parameters, sent to every route (a list ignores none of them).
TABLE_PARAMETERS = ("sort", "page", "per_page")
# Routes that answer a file (an export, a PDF, a download): no form to read there.
FILES = re.compile(r"(\.\w+|\.<str:export_fmt>|telecharger/)$")
_READ = re.compile(
    r"request\.(GET|POST)(?:\.get|\.getlist)?[\(\[]\s*[\"'](\w+)[\"']"
    r"|[\"'](\w+)[\"']\s+in\s+request\.(GET|POST)"
)


@dataclass
class Field:
    """A parameter and what it takes: `kind` guides the hostile values (date, number,
    choice, text, file, flag), `values` are the valid ones a form offered."""

    name: str
    kind: str = "text"
    values: list[str] = field(default_factory=list)


@dataclass
class Inputs:
    get: dict[str, Field] = field(default_factory=dict)
    post: dict[str, Field] = field(default_factory=dict)
    admitted: set[str] = field(default_factory=set)  # roles the declared policy lets in

    def add(self, method: str, new: Field) -> None:
        fields = self.post if method == "post" else self.get
        known = fields.setdefault(new.name, Field(new.name, new.kind))
        if known.kind == "text":
            known.kind = new.kind
        known.values.extend(v for v in new.values if v not in known.values)


def parameters_read_in_code() -> dict[str, set[str]]:
    """{"get": names, "post": names} read by name anywhere in the project's code."""
    found: dict[str, set[str]] = {"get": set(), "post": set()}
    for package in PROJECT_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in _READ.finditer(path.read_text()):
                method = (match.group(1) or match.group(4)).lower()
                found[method].add(match.group(2) or match.group(3))
    return found


def _kind(tag: str, attrs: dict) -> str:
    kind = attrs.get("type", "text") if tag == "input" else tag
    if kind in ("date", "datetime-local", "month", "week"):
        return "date"
    if kind == "number" or attrs.get("inputmode") in ("decimal", "numeric"):
        # A jj/mm/aaaa field is numeric to the keyboard, a date to the server.
        return (
            "date" if "/" in attrs.get("pattern", "") + attrs.get("placeholder", "") else ("number")
        )
    if kind in ("select", "radio"):
        return "choice"
    if kind == "checkbox":
        return "flag"
    if kind == "file":
        return "file"
    return "text"


class _Forms(HTMLParser):
    """Every form of a page (its method, its action, its fields with their values) and every
    link or htmx request with a query string (its parameters, as GET fields)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[dict] = []
        self._open = False
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            method = "post" if attrs.get("hx-post") else attrs.get("method", "get").lower()
            action = attrs.get("action") or attrs.get("hx-post") or attrs.get("hx-get")
            self.forms.append({"method": method, "action": action, "fields": []})
            self._open = True
            return
        for attribute, method in (("href", "get"), ("hx-get", "get"), ("hx-post", "post")):
            if attrs.get(attribute) and (method == "post" or "?" in attrs[attribute]):
                self.links.append({"method": method, "action": attrs[attribute], "fields": []})
        if not self._open:
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag in ("input", "textarea", "button") and name:
            fields.append(Field(name, _kind(tag, attrs), [attrs.get("value", "")]))
        elif tag == "select" and name:
            self._select = Field(name, "choice", [])
            fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.values.append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._open = False


def _target(page_url: str, action: str | None) -> tuple[str, list[tuple[str, str]]] | None:
    """The route name a form sends to, and the query its action carries."""
    parts = urlsplit(urljoin(page_url, action or page_url))
    if parts.netloc not in ("", "testserver"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    return name, parse_qsl(parts.query)


def admitted_roles(route: Route, users: dict) -> set[str]:
    """The roles the route's declared policy lets in (anonymous: public routes only)."""
    declared = route.view.policy
    return {
        role
        for role, user in users.items()
        if declared.public or (user is not None and declared.allows(scope_for_user(user)))
    }


def survey(users: dict, clients: dict[str, Client], url_of) -> dict[str, Inputs]:
    """Render every page as every role it admits; read its forms; add the parameters read
    in code. `users`/`clients`: role -> user (None: anonymous) / a logged-in test client;
    `url_of(route)`: A's valid URL of a route."""
    routes = [r for r in all_routes() if not r.pattern.startswith("admin/")]
    inventory: dict[str, Inputs] = {route.name: Inputs() for route in routes}
    for route in routes:
        inventory[route.name].admitted = admitted_roles(route, users)
        if route.name == "logout" or FILES.search(route.pattern):
            continue  # a GET would end the survey's session; a file holds no form
        url = url_of(route)
        for role in sorted(inventory[route.name].admitted):
            response = clients[role].get(url)
            if response.status_code == 302:  # a list's remembered filters: the same route
                target = _target(url, response["Location"])
                if target is not None and target[0] == route.name:
                    url = urljoin(url, response["Location"])
                    response = clients[role].get(url)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                _read_forms(url, response.content.decode(), inventory)
    read = parameters_read_in_code()
    for inputs in inventory.values():
        for name in read["get"] | {"next", *TABLE_PARAMETERS}:
            inputs.add("get", Field(name))
        for name in read["post"] | {"next"}:
            inputs.add("post", Field(name))
    return inventory


def _read_forms(url: str, html: str, inventory: dict[str, Inputs]) -> None:
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms + parser.links:
        target = _target(url, form["action"])
        if target is None or target[0] not in inventory:
            continue
        name, query = target
        method = "post" if form["method"] == "post" else "get"
        for key, value in query:
            inventory[name].add("get", Field(key, values=[value]))
        for found in form["fields"]:
            if found.name != "csrfmiddlewaretoken":
                inventory[name].add(method, found)


def summary(inventory: dict[str, Inputs], route: Route) -> str:
    inputs = inventory[route.name]
    return (
        f"{route.name}: path {sorted(route.converters)}, GET {sorted(inputs.get)}, "
        f"POST {sorted(inputs.post)}, admits {sorted(inputs.admitted)}"
    )
