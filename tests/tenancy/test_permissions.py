"""The declarative authorisation of views (sites/tenancy/permissions.py)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from sites.tenancy import Scope
from sites.tenancy.permissions import (
    AUTHENTICATED,
    PUBLIC,
    authenticated,
    authorize,
    policy,
    public,
)


def sees_persons(scope: Scope) -> bool:
    return scope.sees_persons


def manages(scope: Scope, structure_id: int) -> bool:
    return structure_id in scope.manager_structure_ids


CASEWORKER = Scope(user_id=1, structure_ids=frozenset({7}))
MANAGER = Scope(user_id=2, structure_ids=frozenset({7}), manager_structure_ids=frozenset({7}))
FUNDER = Scope(user_id=3, funder_ids=frozenset({1}))


def _request(scope):
    request = RequestFactory().get("/")
    request.scope = scope
    return request


def _view(request, *args, **kwargs):
    """The view's docstring."""
    return HttpResponse("ok")


def test_a_refused_rule_is_a_403_or_a_hidden_404():
    shown, hidden = policy(sees_persons)(_view), policy(sees_persons, hidden=True)(_view)
    assert shown(_request(CASEWORKER)).status_code == 200
    with pytest.raises(PermissionDenied):
        shown(_request(FUNDER))
    with pytest.raises(Http404):
        hidden(_request(FUNDER))


def test_the_view_carries_its_declared_policy():
    view = policy(sees_persons, hidden=True)(_view)
    assert view.policy.name == "tests.tenancy.test_permissions.sees_persons"
    assert view.policy.hidden
    assert view.__doc__ == "The view's docstring."
    assert authenticated(_view).policy is AUTHENTICATED
    assert public(_view).policy is PUBLIC


def test_public_skips_the_login_and_authenticated_needs_a_user():
    assert public(_view).login_required is False
    assert authenticated(_view)(_request(FUNDER)).status_code == 200
    with pytest.raises(PermissionDenied):
        authenticated(_view)(_request(Scope(user_id=None)))


def test_an_object_rule_after_the_scoped_fetch():
    authorize(_request(MANAGER), manages, 7)
    with pytest.raises(PermissionDenied):
        authorize(_request(CASEWORKER), manages, 7)
    with pytest.raises(Http404):
        authorize(_request(CASEWORKER), manages, 7, hidden=True)


def test_links_ask_the_linked_views_policy(rf):
    from sites.tenancy.permissions import may_open

    assert may_open(_request(CASEWORKER), "participants:list")
    assert not may_open(_request(FUNDER), "participants:list")
    assert not may_open(rf.get("/"), "participants:list")  # no scope: an error page
