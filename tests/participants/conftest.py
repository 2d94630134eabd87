"""Fixtures of the participants' view tests: structure A's client, B's canary file."""

import datetime as dt
from decimal import Decimal

import pytest

from participants.enums import ParcoursStatus
from tests import factories as f
from tests.security.seed import full_file


@pytest.fixture
def programmes(db):
    return {code: f.programme(code) for code in ("CVG", "PHC", "DPH", "IAE")}


@pytest.fixture
def site_a(structure_a):
    return f.WorkSiteFactory(structure=structure_a, name="La Claire Fontaine")


@pytest.fixture
def file_b(structure_b, programmes):
    """A complete file of structure B whose text fields carry CANARY-B-… strings."""
    return full_file(structure_b, "B")


@pytest.fixture
def client_a(client, caseworker_a, file_b):
    """A client logged in as a caseworker of A, with B's data in the database."""
    client.force_login(caseworker_a)
    return client


def phc_parcours(participant, *, start=dt.date(2024, 1, 8), hours=4, **kwargs):
    """An open PHC parcours with its first contract and palier."""
    parcours = f.ParcoursFactory(
        participant=participant,
        programme=f.programme("PHC"),
        start_date=start,
        status=ParcoursStatus.EN_COURS,
        **kwargs,
    )
    f.ContractFactory(parcours=parcours, weekly_hours=Decimal(hours))
    f.HoursStageFactory(parcours=parcours, weekly_hours=Decimal(hours))
    return parcours
