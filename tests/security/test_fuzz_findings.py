"""The server errors the route fuzzer found (tests/security/test_fuzz_routes.py), each fixed
at its root and held here by the request that broke it."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from sites.enums import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_a(structure_a):
    return f.MembershipFactory(
        structure=structure_a, role=Role.MANAGER, can_view_sensitive=True
    ).user


# A NUL byte in a URL reached a database lookup: psycopg refuses it (DataError, a 500).
# web/nul_bytes.py answers the French 400 page before any view reads the URL.
@pytest.mark.parametrize(
    "url",
    [
        "/participants/{participant}/parcours/nouveau/?programme=%00",
        "/rapports/CVG/territoire/nantes/?structure=%00",
        "/rapports/%00/territoire/nantes/",
        "/participants/?q=a%00b",
        "/participants/?a%00=1",
    ],
)
def test_a_nul_byte_in_a_url_is_a_bad_request(client, manager_a, structure_a, url):
    participant = f.ParticipantFactory(structure=structure_a)
    client.force_login(manager_a)
    response = client.get(url.format(participant=participant.pk))
    assert response.status_code == 400
    assert "Demande invalide" in response.content.decode()


def test_a_nul_byte_in_a_form_field_is_a_message_next_to_it(client, manager_a, structure_a):
    """POST bodies are left to the forms, whose text fields refuse NUL in French."""
    client.force_login(manager_a)
    response = client.post(
        reverse("participants:create"),
        {"last_name": "a\x00b", "first_name": "Y", "birth_date": "01/01/1980", "sex": "M"},
    )
    assert response.status_code == 200
    assert "last_name" in response.context["form"].errors


# django-tables2 read `?per_page=` from the query: -1 was a server error (EmptyPage), a
# million a page of every row. web/tables.py keeps each list's own page size.
@pytest.mark.parametrize(
    "query",
    ["per_page=-1", "per_page=0", "per_page=1000000", "page=-1", "page=999999999999", "page=1e309"],
)
def test_lists_keep_their_page_size_whatever_the_query(client, manager_a, structure_a, query):
    participant = f.ParticipantFactory(structure=structure_a)
    client.force_login(manager_a)
    for _ in range(3):
        client.get(reverse("participants:detail", args=[participant.pk]))
    log = client.get(f"{reverse('participants_access_log', args=[participant.pk])}?{query}")
    assert log.status_code == 200
    assert log.context["table"].paginator.per_page == 50
    listing = client.get(f"{reverse('participants:list')}?status=&{query}")
    assert listing.status_code == 200
    assert listing.context["table"].paginator.per_page == 50


# A login name longer than 255 characters reached django-axes' counter (varchar 255).
# sites/auth/lockout.py counts it against its first 254 characters (the longest address).
@pytest.mark.parametrize("url", [reverse("login"), "/admin/login/"])
def test_a_very_long_login_name_is_a_failed_login(client, url):
    response = client.post(url, {"username": "x" * 10_000, "password": "wrong password!"})
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "x" * 254
