"""The world the route fuzzer attacks: structure A with a file at every step (open,
oriented, exited, an import waiting), the territory, deployment and frozen funder report A
belongs to, one user per role, and structure B's canary file whose rows must never change.

`path_values(world)` gives, for each path argument of the URLconf, the value that makes a
route valid for A: the fuzzer starts from it and swaps in B's ids and hostile values.
"""

import datetime as dt
from dataclasses import dataclass

from participants.enums import ParcoursStatus
from participants.models import ImportJob
from programmes.models import CoordinationScope
from reporting import periods
from reporting.models import ReportSnapshot
from sites.enums import Role
from tests import factories as f
from tests.security.seed import File, full_file

ROLES = ("caseworker", "manager", "coordinator", "funder", "anonymous")


@dataclass
class World:
    a: File
    b: File
    structure_a: object
    structure_b: object
    open_parcours: object
    oriented_parcours: object
    import_job: ImportJob
    b_import_job: ImportJob
    territory: object
    deployment: object
    snapshot: ReportSnapshot
    users: dict  # role -> user (None for anonymous)


def build() -> World:
    cvg = f.programme("CVG")
    for code in ("PHC", "DPH", "IAE"):
        f.programme(code)
    structure_a = f.StructureFactory(name="Structure A", slug="structure-a")
    structure_b = f.StructureFactory(name="Structure B CANARY-B-STRUCT", slug="structure-b")
    a = full_file(structure_a, "A")
    b = full_file(structure_b, "B")
    open_parcours = f.ParcoursFactory(
        participant=a.participant, work_site=a.work_site, start_date=dt.date(2023, 1, 9)
    )
    f.ContractFactory(parcours=open_parcours)
    f.WorkedHoursFactory(
        parcours=open_parcours, work_site=a.work_site, week_start=dt.date(2023, 1, 9)
    )
    oriented = f.ParcoursFactory(
        participant=f.ParticipantFactory(structure=structure_a, last_name="CANARY-A-ORIENTE"),
        programme=f.programme("PHC"),
        status=ParcoursStatus.ORIENTE,
        start_date=dt.date(2024, 2, 1),
    )
    f.ParcoursFactory(participant=b.participant, work_site=b.work_site)

    territory = f.TerritoryFactory(name="Territoire A", slug="territoire-a")
    territory.geo_units.set([structure_a.commune])
    deployment = f.DeploymentFactory(programme=cvg, territory=territory)
    deployment.structures.set([structure_a])
    coordination = f.CoordinationFactory()
    CoordinationScope.objects.create(coordination=coordination, territory=territory, programme=cvg)
    funder = f.FunderFactory()
    deployment.funders.add(funder)
    period = periods.parse("2022")
    snapshot = ReportSnapshot.objects.create(
        deployment=deployment,
        period_code=period.code,
        period_start=period.start,
        period_end=period.end,
        figures={},
        figures_sha256="0" * 64,
    )

    users = {
        "caseworker": f.MembershipFactory(structure=structure_a).user,
        "manager": f.MembershipFactory(
            structure=structure_a, role=Role.MANAGER, can_view_sensitive=True
        ).user,
        "coordinator": f.MembershipFactory(
            role=Role.COORDINATOR, structure=None, coordination=coordination
        ).user,
        "funder": f.MembershipFactory(role=Role.FUNDER, structure=None, funder=funder).user,
        "anonymous": None,
    }
    job = _import_job(structure_a, "a", users["caseworker"])
    b_job = _import_job(structure_b, "b", None)
    return World(
        a=a,
        b=b,
        structure_a=structure_a,
        structure_b=structure_b,
        open_parcours=open_parcours,
        oriented_parcours=oriented,
        import_job=job,
        b_import_job=b_job,
        territory=territory,
        deployment=deployment,
        snapshot=snapshot,
        users=users,
    )


def _import_job(structure, tag: str, author) -> ImportJob:
    return ImportJob.objects.create(
        structure=structure,
        sha256=tag * 64,
        filename=f"CANARY-{tag.upper()}-import.csv",
        kind="csv",
        content=b"nom;prenom\n",
        created_by=author,
    )


def path_values(world: World, route_name: str) -> dict[str, list]:
    """Path argument -> A's valid values for this route, the usual one first (S1 and S4
    name the same kwargs). A test fails here on a path argument nobody registered."""
    pk = [world.deployment.pk] if route_name.startswith("reporting:") else [world.import_job.pk]
    parcours = [world.open_parcours.pk, world.oriented_parcours.pk, world.a.parcours.pk]
    if route_name.startswith("participants:orientation_"):
        parcours.insert(0, parcours.pop(1))
    return {
        "participant_pk": [world.a.participant.pk, world.oriented_parcours.participant.pk],
        "parcours_pk": parcours,
        "site_pk": [world.a.work_site.pk],
        "check_pk": [world.a.followup_check.pk],
        "year": [2023, 2000, 2100],
        "week": [2, 1, 52, 53],
        "pk": pk,
        "programme": ["CVG", "PHC"],
        "territory": [world.territory.slug],
        "export_fmt": ["csv", "xlsx"],
        "uuid": [world.snapshot.uuid],
        "uidb64": ["MQ"],
        "token": ["set-password"],
    }


def other_structure_values(world: World) -> dict[str, list]:
    """Path argument -> B's ids, where B owns what the argument designates."""
    return {
        "participant_pk": [world.b.participant.pk],
        "parcours_pk": [world.b.parcours.pk],
        "site_pk": [world.b.work_site.pk],
        "check_pk": [world.b.followup_check.pk],
        "pk": [world.b_import_job.pk],
    }
