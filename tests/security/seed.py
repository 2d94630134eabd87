"""One complete participant file per structure, every free-text field carrying a canary.

`full_file(structure, "B")` creates a participant of `structure` with a parcours, contract,
hours stage, worked hours, snapshots, actions, exit and an access-log row, so every
structure-owned table holds a row of that structure. Text fields carry `CANARY-B-…` strings
that must never appear in a response served to another structure (quality.md S2).
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import connection

from participants import models as pm
from participants.enums import ParcoursStatus
from sites.audit.models import AccessAction, AccessLog
from sites.tenancy.database import structure_owned_models
from tests import factories as f


@dataclass
class File:
    participant: pm.Participant
    parcours: pm.Parcours
    contract: pm.Contract
    stage: pm.HoursStage
    hours: pm.WorkedHours
    snapshot: pm.SituationSnapshot
    action: pm.AccompanimentAction
    exit: pm.Exit
    work_site: object
    followup_check: pm.FollowupCheck

    def objects(self) -> list:
        return [
            self.participant,
            self.parcours,
            self.contract,
            self.stage,
            self.hours,
            self.snapshot,
            self.action,
            self.exit,
            self.followup_check,
        ]


def canary(tag: str, what: str) -> str:
    return f"CANARY-{tag}-{what}"


def full_file(structure, tag: str, *, actor=None) -> File:
    c = lambda what: canary(tag, what)  # noqa: E731
    work_site = f.WorkSiteFactory(structure=structure, name=c("SITE"))
    participant = f.ParticipantFactory(
        structure=structure,
        last_name=c("NOM"),
        first_name=c("PRENOM"),
        phone="0600000000",
        email=f"canary-{tag.lower()}@example.org",
        address=c("ADRESSE"),
        orienteur=c("ORIENTEUR"),
        external_id=c("EXT"),
        last_contact_on=dt.date(2022, 3, 1),
    )
    parcours = f.ParcoursFactory(
        participant=participant,
        work_site=work_site,
        prolongation_reason=c("PROLONGATION"),
        end_date=dt.date(2022, 3, 1),
        status=ParcoursStatus.SORTI,
    )
    contract = f.ContractFactory(parcours=parcours, placement_company=c("ENTREPRISE"))
    stage = f.HoursStageFactory(parcours=parcours)
    hours = f.WorkedHoursFactory(parcours=parcours, work_site=work_site)
    snapshot = f.SnapshotFactory(participant=participant, parcours=parcours)
    action = f.ActionFactory(parcours=parcours, partner=c("PARTENAIRE"), note=c("NOTE"))
    exit_ = f.ExitFactory(parcours=parcours, date=dt.date(2022, 3, 1), comment=c("SORTIE"))
    check = pm.FollowupCheck.objects.create(
        structure=structure,
        parcours=parcours,
        months=6,
        due_on=dt.date(2022, 9, 1),
        done_on=dt.date(2022, 9, 5),
        reached=True,
        situation="CDI",
        comment=c("SUIVI"),
    )
    if actor is not None:
        AccessLog.objects.create(
            actor=actor,
            actor_role="CASEWORKER",
            structure=structure,
            participant_id=participant.pk,
            action=AccessAction.VIEW,
        )
    return File(
        participant, parcours, contract, stage, hours, snapshot, action, exit_, work_site, check
    )


def fingerprint(structure_id: int) -> str:
    """A digest of every structure-owned row of one structure (read as the table owner, so
    row-level security hides nothing): equal before and after means nothing changed."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for model in structure_owned_models():
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.{pk}), '')) "  # noqa: S608
                f"FROM {table} t WHERE structure_id = %s",
                [structure_id],
            )
            digest.update(cursor.fetchone()[0].encode())
    return digest.hexdigest()
