"""Declarative authorisation: every view says who may call it (docs/security.md §1).

    @require_GET
    @rate_limited("export")
    @policy(policies.can_work_on_files)                     # refused: 403
    def view(request, ...): ...

    @policy(policies.may_see_national_view, hidden=True)    # refused: 404, as if missing
    @public                                                 # no login needed
    @authenticated                                          # any logged-in person

A rule is a small named predicate of the request's scope (`request.scope`), kept in each
app's `policies.py`. `hidden=True` answers 404 where even the page's existence must not be
confirmed; otherwise a refusal is a 403. The decorator goes right above the function (the
innermost one), so the method and rate-limit decorators still answer first, as before.

The view carries its `Policy` as `view.policy` (copied up by `functools.wraps`), so a test
enumerates the URLconf and fails on a view that declares none
(tests/security/test_declared_policies.py).

Links and redirects ask the same declared policy: `may_open(request, url_name)` (the
template filter `may_open` of `sites/templatetags/policies.py`).

What depends on one object is decided after the scoped selector fetched it (an object of
another structure is a 404 there, like a missing one): `authorize(request, rule, structure_id)`
then applies an object rule of the same policies modules.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import resolve, reverse

from .scope import Scope

Rule = Callable[..., bool]


@dataclass(frozen=True)
class Policy:
    """Who may call a view: `rule(scope)` must hold; a refusal is a 404 when `hidden`."""

    name: str
    rule: Rule
    hidden: bool = False
    public: bool = False

    def allows(self, scope: Scope, *args) -> bool:
        return bool(self.rule(scope, *args))

    def enforce(self, request, *args) -> None:
        if not self.allows(request.scope, *args):
            raise Http404 if self.hidden else PermissionDenied


def rule_name(rule: Rule) -> str:
    """`participants.policies.can_work_on_files`: the rule's dotted name, for inventories."""
    return f"{rule.__module__}.{rule.__qualname__}"


def _guard(view, declared: Policy):
    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        declared.enforce(request)
        return view(request, *args, **kwargs)

    guarded.policy = declared
    return guarded


def policy(rule: Rule, *, hidden: bool = False):
    """Refuse the view (403, or 404 when `hidden`) unless `rule(request.scope)` holds."""
    declared = Policy(rule_name(rule), rule, hidden=hidden)
    return lambda view: _guard(view, declared)


def is_authenticated(scope: Scope) -> bool:
    """Any logged-in person (`LoginRequiredMiddleware` already sends the others to log in)."""
    return scope.user_id is not None


def _anyone(scope: Scope) -> bool:
    return True


PUBLIC = Policy("public", _anyone, public=True)
AUTHENTICATED = Policy("authenticated", is_authenticated)


def authenticated(view):
    """Every logged-in person may call the view (their own account pages, the home page)."""
    return _guard(view, AUTHENTICATED)


def public(view):
    """No login needed (logging in, password reset, health checks, the language switcher):
    the view is exempted from `LoginRequiredMiddleware` and says so."""

    @functools.wraps(view)
    def open_view(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    open_view.policy = PUBLIC
    return login_not_required(open_view)


def authorize(request, rule: Rule, *args, hidden: bool = False) -> None:
    """An object rule, after the scoped fetch: `authorize(request, can_read_access_log,
    participant.structure_id)` refuses (403, or 404 when `hidden`) unless it holds."""
    Policy(rule_name(rule), rule, hidden=hidden).enforce(request, *args)


def may_open(request, url_name: str, *args) -> bool:
    """Does the view behind `url_name` let this request in? Links and redirects ask the
    view's own declared policy (`{% if request|may_open:"participants:list" %}`), so a
    link is shown exactly to the people the page admits."""
    scope = getattr(request, "scope", None)  # none on a bare error page
    if scope is None:
        return False
    declared = _declared_policy(settings.ROOT_URLCONF, url_name, args)
    return declared is not None and declared.allows(scope)


@functools.lru_cache(maxsize=256)
def _declared_policy(urlconf: str, url_name: str, args: tuple) -> Policy | None:
    """The policy declared by the view behind `url_name` in `urlconf` (None for a view that
    declares none, like the admin's): looked up once, not on every page's navigation."""
    view = resolve(reverse(url_name, args=args, urlconf=urlconf), urlconf=urlconf).func
    return getattr(view, "policy", None)
