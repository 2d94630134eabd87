"""factory_boy factories for every model; structure-owned children copy their parent's structure."""

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from participants import models as pm
from participants.enums import ContractKind, Housing, ParcoursStatus, SnapshotContext
from programmes import models as prm
from sites import models as sm
from sites.demo.reference import PROGRAMMES
from sites.enums import GeoKind, Role, StructureKind

# Which indicators each real programme reports (the values programmes/0003_reporting_flags
# gives the existing rows). The demo's reference data does not carry them yet: its own
# values win once it does.
PROGRAMME_FLAGS = {
    "CVG": {"tracks_housing": True, "open_to_every_structure": True},
    "PHC": {"tracks_continuations": True, "open_to_every_structure": True},
    "DPH": {"open_to_every_structure": True},
    "IAE": {"open_to_every_structure": True},
}
# The real parameters, as seed_demo loads them, with those flags.
PROGRAMME_PARAMS = {
    code: {**PROGRAMME_FLAGS.get(code, {}), **params} for code, params in PROGRAMMES.items()
}


def set_programme_flags() -> None:
    """Give the programme rows made elsewhere (the dataset generator) the real flags."""
    for code, flags in PROGRAMME_FLAGS.items():
        prm.Programme.objects.filter(code=code).update(**flags)


def programme(code: str) -> prm.Programme:
    """The programme with its real parameters (get or create)."""
    obj, _ = prm.Programme.objects.get_or_create(code=code, defaults=PROGRAMME_PARAMS[code])
    return obj


class GeoUnitFactory(DjangoModelFactory):
    class Meta:
        model = sm.GeoUnit
        django_get_or_create = ("kind", "code")

    kind = GeoKind.COMMUNE
    code = factory.Sequence(lambda n: f"{90000 + n}")
    name = factory.Sequence(lambda n: f"Commune {n}")


class TerritoryFactory(DjangoModelFactory):
    class Meta:
        model = sm.Territory

    name = factory.Sequence(lambda n: f"Territoire {n}")
    slug = factory.Sequence(lambda n: f"territoire-{n}")


class StructureFactory(DjangoModelFactory):
    class Meta:
        model = sm.Structure

    name = factory.Sequence(lambda n: f"Structure {n}")
    slug = factory.Sequence(lambda n: f"structure-{n}")
    siret = factory.Sequence(lambda n: f"{10000000000000 + n}")
    kind = StructureKind.ACI
    commune = factory.SubFactory(GeoUnitFactory)


class WorkSiteFactory(DjangoModelFactory):
    class Meta:
        model = sm.WorkSite

    structure = factory.SubFactory(StructureFactory)
    name = factory.Sequence(lambda n: f"Chantier {n}")
    activity = "Espaces verts"
    commune = factory.SelfAttribute("structure.commune")


class FunderFactory(DjangoModelFactory):
    class Meta:
        model = sm.Funder

    name = factory.Sequence(lambda n: f"Financeur {n}")
    slug = factory.Sequence(lambda n: f"financeur-{n}")
    kind = "ETAT_DGCS"


class CoordinationFactory(DjangoModelFactory):
    class Meta:
        model = sm.Coordination

    name = factory.Sequence(lambda n: f"Coordination {n}")
    slug = factory.Sequence(lambda n: f"coordination-{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = sm.User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Agent{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = sm.Membership

    user = factory.SubFactory(UserFactory)
    role = Role.CASEWORKER
    structure = factory.SubFactory(StructureFactory)


class DeploymentFactory(DjangoModelFactory):
    class Meta:
        model = prm.Deployment

    programme = factory.LazyFunction(lambda: programme("CVG"))
    territory = factory.SubFactory(TerritoryFactory)
    start_date = dt.date(2021, 1, 1)


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = pm.Participant

    structure = factory.SubFactory(StructureFactory)
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    first_name = "Dominique"
    birth_date = dt.date(1980, 5, 17)


class ParcoursFactory(DjangoModelFactory):
    class Meta:
        model = pm.Parcours

    participant = factory.SubFactory(ParticipantFactory)
    structure = factory.SelfAttribute("participant.structure")
    programme = factory.LazyFunction(lambda: programme("CVG"))
    status = ParcoursStatus.EN_COURS
    start_date = dt.date(2021, 3, 1)


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = pm.Contract

    parcours = factory.SubFactory(ParcoursFactory)
    structure = factory.SelfAttribute("parcours.structure")
    employer = factory.SelfAttribute("parcours.structure")
    host = factory.SelfAttribute("parcours.structure")
    kind = ContractKind.CDDI
    start_date = factory.SelfAttribute("parcours.start_date")
    weekly_hours = Decimal(26)


class HoursStageFactory(DjangoModelFactory):
    class Meta:
        model = pm.HoursStage

    parcours = factory.SubFactory(ParcoursFactory)
    structure = factory.SelfAttribute("parcours.structure")
    start_date = factory.SelfAttribute("parcours.start_date")
    weekly_hours = Decimal(4)


class WorkedHoursFactory(DjangoModelFactory):
    class Meta:
        model = pm.WorkedHours

    parcours = factory.SubFactory(ParcoursFactory)
    structure = factory.SelfAttribute("parcours.structure")
    week_start = dt.date(2021, 3, 1)
    hours = Decimal(20)


class SnapshotFactory(DjangoModelFactory):
    class Meta:
        model = pm.SituationSnapshot

    participant = factory.SubFactory(ParticipantFactory)
    structure = factory.SelfAttribute("participant.structure")
    date = dt.date(2021, 3, 1)
    context = SnapshotContext.ENTREE
    housing = Housing.RUE


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = pm.AccompanimentAction

    parcours = factory.SubFactory(ParcoursFactory)
    structure = factory.SelfAttribute("parcours.structure")
    date = dt.date(2021, 4, 1)
    kind = "ENTRETIEN_INDIVIDUEL"
    theme = "EMPLOI"
    duration_minutes = 45


class ExitFactory(DjangoModelFactory):
    """An exit on an exited parcours (status SORTI, end date = exit date)."""

    class Meta:
        model = pm.Exit

    parcours = factory.SubFactory(
        ParcoursFactory,
        status=ParcoursStatus.SORTI,
        end_date=factory.SelfAttribute("..date"),
    )
    structure = factory.SelfAttribute("parcours.structure")
    date = dt.date(2022, 3, 1)
    situation = "CDI"
