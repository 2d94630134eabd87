"""Accounts in the browser: log in by e-mail, accessible login page."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_is_accessible_and_logs_in(
    page, live_server, login, e2e_caseworker, assert_no_serious_axe_violations
):
    page.goto(f"{live_server.url}/connexion/")
    assert_no_serious_axe_violations(page, "login")
    login(page, e2e_caseworker)
    assert page.get_by_role("button", name="Se déconnecter").is_visible()
