"""Funder packs: one frozen report per funded deployment and period, one SHA-256 printed in
every PDF and in the XLSX, previous packs listed with their hashes; funders only, for
ended calendar years, never another funder's pack."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from programmes.models import Deployment
from reporting import packs
from reporting.models import FunderPack, ReportSnapshot, ReportStatus
from sites.enums import Role
from tests import factories as f

from .scenario import add_bulk

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_deployments(world, funder):
    """The funder of Convergence × Nantes Métropole also funds Premières Heures there."""
    dgcs = world.deployment.funders.get()
    phc = Deployment.objects.create(
        programme=world.phc, territory=world.nm, start_date=world.deployment.start_date
    )
    phc.funders.add(dgcs)
    return dgcs


def _freeze(client, user, period="2021"):
    client.force_login(user)
    return client.post(reverse("reporting:packs"), {"periode": period})


def test_a_pack_freezes_every_funded_deployment_under_one_hash(
    client, funder, world, two_deployments
):
    add_bulk(world)
    response = _freeze(client, funder)
    assert response.status_code == 302
    pack = FunderPack.objects.get()
    snapshots = list(pack.snapshots.order_by("deployment_id"))
    assert [s.deployment.programme.code for s in snapshots] == ["CVG", "PHC"]
    assert all(s.status == ReportStatus.DONE for s in snapshots)
    assert pack.sha256 == packs.pack_sha256(pack, snapshots)
    assert re.fullmatch(r"[0-9a-f]{64}", pack.sha256)
    # Every PDF prints the pack's hash.
    for snapshot in snapshots:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(snapshot.pdf))).pages)
        assert pack.sha256 in re.sub(r"\s", "", text)
    # The XLSX too, with the same key figures as the PDF's frozen ones.
    xlsx = client.get(reverse("reporting:pack_xlsx", args=[pack.uuid]))
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert pack.sha256 in cells
    cvg = snapshots[0].figures
    accompanied = next(h for h in cvg["headline"] if h["key"] == "accompanied")["value"]
    assert accompanied in cells
    # The list shows the pack and its hash; the pack page each file's own hash.
    listing = client.get(reverse("reporting:packs")).content.decode()
    assert pack.sha256 in listing
    page = client.get(reverse("reporting:pack_detail", args=[pack.uuid])).content.decode()
    for snapshot in snapshots:
        assert snapshot.figures_sha256 in page and snapshot.pdf_sha256 in page


def test_the_hash_depends_on_the_figures_only(client, funder, world, two_deployments):
    _freeze(client, funder)
    _freeze(client, funder)
    first, second = FunderPack.objects.order_by("created_at")
    assert first.sha256 == second.sha256  # same figures, same pack hash
    snapshot = second.snapshots.first()
    snapshot.figures_sha256 = "0" * 64
    changed = [snapshot, *second.snapshots.exclude(pk=snapshot.pk)]
    assert packs.pack_sha256(second, changed) != first.sha256


def test_funders_read_ended_calendar_years_only(client, funder, world, two_deployments):
    for period in ("2021-T2", "2021-03-01_2021-12-31", "2099"):
        _freeze(client, funder, period)
    assert not FunderPack.objects.exists() and not ReportSnapshot.objects.exists()


def test_another_funder_never_reaches_a_pack(client, funder, world, two_deployments):
    _freeze(client, funder)
    pack = FunderPack.objects.get()
    other = f.MembershipFactory(role=Role.FUNDER, structure=None, funder=f.FunderFactory()).user
    coordinator = f.MembershipFactory(
        role=Role.COORDINATOR, structure=None, coordination=f.CoordinationFactory()
    ).user
    for user in (other, coordinator):
        client.force_login(user)
        for name in ("reporting:pack_detail", "reporting:pack_xlsx"):
            assert client.get(reverse(name, args=[pack.uuid])).status_code == 404
        listing = client.get(reverse("reporting:packs"))
        assert listing.status_code == 404 or pack.sha256 not in listing.content.decode()
    # Asking for the pack of a funder one does not belong to freezes nothing.
    client.force_login(other)
    client.post(reverse("reporting:packs"), {"periode": "2021", "financeur": pack.funder_id})
    assert FunderPack.objects.count() == 1
