"""Shared fixtures of the browser tests: the system Chromium, headless, in French.

Browser tests drive a real Chromium (never downloaded: `playwright install` cannot run here)
against pytest-django's `live_server`. Where no Chromium is installed they are skipped with a
visible reason; `.ci/run` installs it, so in CI they always run.

Fixtures other browser tests reuse:
- `e2e_structure`, `e2e_caseworker`: a structure with a work site, the four programmes, and a
  caseworker (with sensitive-data access) who belongs to it;
- `logged_in_page`: a Playwright page already logged in as `e2e_caseworker`;
- `login(page, user)`: logs a user in through the login form (one place to extend if the
  login flow gains steps, e.g. a second factor);
- `assert_no_serious_axe_violations(page)`: axe-core, offline, fails on serious/critical.
"""

import os
from pathlib import Path

import pytest

from tests import factories as f

CHROMIUM = Path(os.environ.get("SILLON_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# (factories, assertions) are still synchronous, so Django's async guard must be lifted here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"No Chromium at {CHROMIUM}: browser tests skipped "
                        "(apt-get install -y chromium)."
                    )
                )


@pytest.fixture(scope="session")
def base_url():
    """Overrides pytest-playwright's fallback fixture, whose definition as an instance method
    raises a pytest deprecation warning (an error in this strict harness); pages use
    `live_server.url` instead."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
        "viewport": {"width": 1280, "height": 900},
        # Bootstrap drops its transitions under reduced motion: axe then measures a button's
        # final colours, not a frame of its hover fade (a flaky colour-contrast failure).
        "reduced_motion": "reduce",
    }


@pytest.fixture
def e2e_structure(transactional_db):
    structure = f.StructureFactory(name="Les Eaux Vives", slug="les-eaux-vives")
    f.WorkSiteFactory(structure=structure, name="La Claire Fontaine", activity="Restauration")
    for code in ("CVG", "PHC", "DPH", "IAE"):
        f.programme(code)
    return structure


@pytest.fixture
def e2e_caseworker(e2e_structure):
    membership = f.MembershipFactory(
        structure=e2e_structure,
        can_view_sensitive=True,
        user__first_name="Camille",
        user__last_name="Martin",
        user__email="camille.martin@example.org",
    )
    return membership.user


@pytest.fixture
def login(live_server):
    def _login(page, user, password: str = PASSWORD):
        page.goto(f"{live_server.url}/connexion/")
        page.get_by_label("Adresse e-mail").fill(user.email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
        assert "/connexion/" not in page.url, "login failed"
        return page

    return _login


@pytest.fixture
def logged_in_page(page, login, e2e_caseworker):
    page.set_default_timeout(10_000)
    return login(page, e2e_caseworker)


@pytest.fixture
def assert_no_serious_axe_violations():
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def _check(page, label: str = ""):
        results = axe.run(page)
        serious = [
            v for v in results.response["violations"] if v["impact"] in ("serious", "critical")
        ]
        detail = "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} → "
            + ", ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in serious
        )
        assert not serious, f"axe violations on {label or page.url}:\n{detail}"

    return _check
