"""S5: health, addiction and justice barriers (GDPR art. 9 and 10) reach no one without the
sensitive-data permission — in pages, forms, CSV/XLSX exports, PDFs — and cannot be written
by them either.

The sensitive fields are levels, not free text: what must never show is the barrier itself
(its label next to a level). The same crawl by a colleague with the permission finds them,
so a crawl that reaches nothing fails.
"""

import re

import pytest

from participants.enums import SENSITIVE_BARRIERS, BarrierLevel
from participants.models import SituationSnapshot
from sites.enums import Role
from tests import factories as f
from tests.security.seed import full_file
from tests.security.test_s2_canary_crawl import crawl

pytestmark = pytest.mark.django_db

# A sensitive barrier shown or asked: "Santé psychique : Important" (the file, the forms'
# labels), the field `barrier_addictions` (inputs, exports), "frein justice" (column
# headers). The words alone are not enough: a note says "Les freins de santé, d'addictions et
# de justice sont réservés…", and "Justice" is also a theme of accompaniment actions.
_LABELS = "|".join(re.escape(str(code.label)) for code in SENSITIVE_BARRIERS)
_CODES = "|".join(re.escape(str(code)) for code in SENSITIVE_BARRIERS)
SENSITIVE_LABELS = re.compile(
    rf"(?:{_LABELS})\s*:|barrier_(?:{_CODES})\b|frein (?:{_LABELS.lower()})", re.IGNORECASE
)


@pytest.fixture
def file_a(structure_a):
    file = full_file(structure_a, "A")
    f.ParcoursFactory(participant=file.participant, work_site=file.work_site)
    SituationSnapshot.objects.filter(pk=file.snapshot.pk).update(
        **{f"barrier_{code}": BarrierLevel.IMPORTANT for code in SENSITIVE_BARRIERS}
    )
    return file


def _leaks(texts: dict) -> list[str]:
    return [url for url, text in texts.items() if SENSITIVE_LABELS.search(text)]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER])
def test_without_the_permission_no_page_or_export_shows_a_sensitive_barrier(
    client, file_a, structure_a, role
):
    user = f.MembershipFactory(structure=structure_a, role=role, can_view_sensitive=False).user
    client.force_login(user)
    texts = crawl(client)
    assert len(texts) >= 20
    assert any("CANARY-A-NOM" in text for text in texts.values())  # the file was reached
    assert _leaks(texts) == []


def test_with_the_permission_the_same_crawl_finds_them(client, file_a, structure_a):
    user = f.MembershipFactory(structure=structure_a, can_view_sensitive=True).user
    client.force_login(user)
    assert _leaks(crawl(client)) != []


def test_without_the_permission_a_posted_sensitive_level_is_ignored(client, file_a, structure_a):
    from django.urls import reverse

    SituationSnapshot.objects.filter(pk=file_a.snapshot.pk).update(
        **{f"barrier_{code}": BarrierLevel.AUCUN for code in SENSITIVE_BARRIERS}
    )
    user = f.MembershipFactory(structure=structure_a, can_view_sensitive=False).user
    client.force_login(user)
    url = reverse("participants:snapshot_create", kwargs={"participant_pk": file_a.participant.pk})
    form = client.get(url)
    assert form.status_code == 200
    data = {
        key: value
        for key, value in form.context["form"].initial.items()
        if value is not None and not isinstance(value, (list, dict))
    }
    data |= {f"barrier_{code}": BarrierLevel.IMPORTANT for code in SENSITIVE_BARRIERS}
    before = SituationSnapshot.objects.filter(participant=file_a.participant).count()
    response = client.post(url, data)
    assert response.status_code == 302, "the form was accepted (the sensitive levels ignored)"
    assert SituationSnapshot.objects.filter(participant=file_a.participant).count() == before + 1
    for snapshot in SituationSnapshot.objects.filter(participant=file_a.participant):
        for code in SENSITIVE_BARRIERS:
            assert getattr(snapshot, f"barrier_{code}") != BarrierLevel.IMPORTANT
