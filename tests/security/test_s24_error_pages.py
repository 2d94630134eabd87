"""S24: error pages in French, no traceback or SQL in any body, an incident number that the
log shares; a missing page reads the same whether the id exists elsewhere or not (S1)."""

import logging

import pytest
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.django_db

LEAKS = ("Traceback", "SELECT", "ValueError", "S24-SECRET", "participants_participant")


@pytest.mark.urls("tests.security.urls_s24")
def test_a_server_error_shows_an_incident_number_the_log_shares(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="sillon.incidents"):
        response = client.get("/boom/?q=Dupont")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Une erreur est survenue" in page
    for leak in LEAKS:
        assert leak not in page
    (record,) = [r for r in caplog.records if r.name == "sillon.incidents"]
    incident = record.args[0]
    assert len(incident) == 8
    assert f"<strong>{incident}</strong>" in page
    assert record.exc_info is not None  # the traceback goes to the log, not to the page
    assert "Dupont" not in record.getMessage()  # the path only, never the query string


def test_a_missing_page_is_a_french_page_without_details(client):
    client.force_login(f.MembershipFactory().user)
    response = client.get("/participants/999999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page introuvable" in page
    assert "Retour à l'accueil" in page
    for leak in ("Traceback", "DoesNotExist", "Http404", "No Participant matches"):
        assert leak not in page


def test_an_expired_form_says_what_to_do():
    client = Client(enforce_csrf_checks=True)
    client.force_login(f.MembershipFactory().user)
    response = client.post("/participants/nouveau/", {"last_name": "X"})
    assert response.status_code == 403
    assert "La page a expiré" in response.content.decode()
