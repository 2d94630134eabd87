import pytest

from programmes.models import CoordinationScope
from sites.enums import Role
from tests import factories as f

from .scenario import build


@pytest.fixture
def world(db):
    return build()


@pytest.fixture
def coordinator(world):
    """A member of a coordination overseeing Convergence in Loire-Atlantique (so Nantes
    Métropole too, as a sub-territory)."""
    coordination = f.CoordinationFactory()
    CoordinationScope.objects.create(
        coordination=coordination, territory=world.la, programme=world.cvg
    )
    return f.MembershipFactory(
        role=Role.COORDINATOR, structure=None, coordination=coordination
    ).user


@pytest.fixture
def funder(world):
    """A member of a funder of the Convergence × Nantes Métropole deployment."""
    funder = f.FunderFactory(name="DGCS")
    world.deployment.funders.add(funder)
    return f.MembershipFactory(role=Role.FUNDER, structure=None, funder=funder).user


@pytest.fixture
def caseworker_trajet(world):
    return f.MembershipFactory(role=Role.CASEWORKER, structure=world.s1).user


@pytest.fixture
def platform_admin(db):
    return f.UserFactory(is_superuser=True, is_staff=True)
