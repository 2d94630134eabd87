"""seed_demo: idempotent, and --reference-only creates no participant."""

import pytest
from django.apps import apps
from django.core.management import call_command

from participants.models import Participant
from programmes.models import Deployment, Target
from sites.models import GeoUnit, Structure

pytestmark = pytest.mark.django_db


def _counts():
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"sites", "programmes", "participants"}
    }


def test_reference_only_creates_the_reference_and_no_participant():
    call_command("seed_demo", "--reference-only")
    assert Participant.objects.count() == 0
    assert set(Structure.objects.values_list("slug", flat=True)) == {
        "asbl",
        "trajet",
        "ocean",
        "eaux-vives",
        "partage-44",
    }
    assert GeoUnit.objects.get(code="244400404").parent.code == "44"
    assert set(Target.objects.values_list("value", flat=True)) == {118, 60, 800}
    assert Deployment.objects.get(programme__code="CVG").structures.count() == 3
    first = _counts()
    call_command("seed_demo", "--reference-only")
    assert _counts() == first


def test_seed_twice_leaves_the_same_row_counts():
    call_command("seed_demo", "--small")
    first = _counts()
    assert 20 <= first["participants.Participant"] <= 40
    call_command("seed_demo", "--small")
    assert _counts() == first
    call_command("seed_demo")  # the whole demo is loaded once only, whatever its size
    assert _counts() == first


@pytest.mark.slow_seed
def test_the_whole_demo_has_a_few_hundred_files():
    call_command("seed_demo")
    first = _counts()
    assert 200 <= first["participants.Participant"] <= 400
    assert first["participants.Exit"] > 50
