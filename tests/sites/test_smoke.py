import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_public(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Connexion" in response.content.decode()


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_caseworker_logs_in_by_email(client, caseworker_a):
    response = client.post(
        reverse("login"),
        {"username": caseworker_a.email, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    # Caseworkers are sent on to their participant list.
    assert client.get(reverse("home"), follow=True).status_code == 200
