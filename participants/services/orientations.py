"""Orientations: a person referred by a partner waits in ORIENTE until they enter the
programme (the usual enrolment, on the same parcours) or never do (a reason recorded)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programmes.models import Programme
from sites.models import Structure, WorkSite

from ..enums import ContractKind, NonEntryReason, ParcoursStatus, ReferralSource
from ..models import Parcours
from .common import check_dates, check_same_structure, lock_parcours, raise_errors, touch_contact
from .parcours import (
    _enrolment_rule_errors,
    _first_contract_and_stage,
    _open_parcours_errors,
    _resolve_deployment,
    _save_new_parcours,
)
from .participants import participant_create
from .warnings import parcours_refresh_warnings


@transaction.atomic
def orientation_refer(
    *,
    structure: Structure,
    actor,
    programme: Programme,
    referred_by: str,
    referred_on: dt.date,
    last_name: str,
    first_name: str,
    birth_date: dt.date | None = None,
    sex: str = "",
    phone: str = "",
    orienteur: str = "",
) -> Parcours:
    """Create the referred person's file and their parcours in ORIENTE, dated the day of
    the referral (it becomes the entry date when they start)."""
    check_dates(events={"referred_on": referred_on})
    raise_errors(
        {"referred_by": [] if referred_by in ReferralSource else [_("Choisissez l'orienteur.")]}
    )
    participant = participant_create(
        structure=structure,
        actor=actor,
        last_name=last_name,
        first_name=first_name,
        birth_date=birth_date,
        sex=sex,
        phone=phone,
        orienteur=orienteur or ReferralSource(referred_by).label,
        referent=actor,
    )
    parcours = Parcours(
        structure=structure,
        participant=participant,
        programme=programme,
        deployment=_resolve_deployment(programme, structure, referred_on),
        status=ParcoursStatus.ORIENTE,
        start_date=referred_on,
        referred_by=referred_by,
        referred_on=referred_on,
    )
    _save_new_parcours(parcours)
    touch_contact(participant.pk, referred_on)
    return parcours


@transaction.atomic
def orientation_enter(
    *,
    parcours: Parcours,
    actor,
    start_date: dt.date,
    weekly_hours: Decimal,
    work_site: WorkSite | None = None,
    contract_kind: str = ContractKind.CDDI,
    employer: Structure | None = None,
    placement_company: str = "",
    planned_end_date: dt.date | None = None,
    derogation_from: dt.date | None = None,
    derogation_to: dt.date | None = None,
    prolongation_reason: str = "",
) -> Parcours:
    """ORIENTE → EN_COURS on the day the person actually starts, with the first contract
    (and palier). A contract planned when the orientation was recorded is replaced."""
    planned = {"planned_end_date": planned_end_date, "derogation_from": derogation_from}
    check_dates(
        events={"start_date": start_date}, planned={**planned, "derogation_to": derogation_to}
    )
    lock_parcours(parcours)
    check_same_structure(parcours.structure, work_site=work_site, employer=None)
    if parcours.status != ParcoursStatus.ORIENTE:
        raise ValidationError(_("Cette personne n'est plus en attente d'entrée."))
    programme = parcours.programme
    referred_on = parcours.referred_on or parcours.start_date
    raise_errors(
        {
            "start_date": (
                [
                    _("L'entrée ne peut pas précéder l'orientation (%(day)s).")
                    % {"day": referred_on.strftime("%d/%m/%Y")}
                ]
                if start_date < referred_on
                else []
            )
            + _open_parcours_errors(
                parcours.participant, programme, start_date, exclude_pk=parcours.pk
            ),
            **_enrolment_rule_errors(
                programme=programme,
                start_date=start_date,
                weekly_hours=Decimal(weekly_hours),
                contract_kind=contract_kind,
                planned_end_date=planned_end_date,
                derogation_from=derogation_from,
                derogation_to=derogation_to,
                prolongation_reason=prolongation_reason,
            ),
        }
    )
    parcours.contracts.all().delete()
    parcours.stages.all().delete()
    parcours.status = ParcoursStatus.EN_COURS
    parcours.start_date = start_date
    parcours.work_site = work_site
    parcours.prolongation_reason = prolongation_reason
    parcours.deployment = _resolve_deployment(programme, parcours.structure, start_date)
    parcours.version += 1
    parcours.save()
    _first_contract_and_stage(
        parcours,
        weekly_hours=Decimal(weekly_hours),
        kind=contract_kind,
        employer=employer or parcours.structure,
        host=parcours.structure,
        placement_company=placement_company,
        planned_end_date=planned_end_date,
        derogation_from=derogation_from,
        derogation_to=derogation_to,
    )
    touch_contact(parcours.participant_id, start_date)
    parcours_refresh_warnings(parcours=parcours)
    return parcours


@transaction.atomic
def orientation_decline(*, parcours: Parcours, actor, reason: str, decided_on: dt.date) -> Parcours:
    """ORIENTE → NON_ENTRE, with the reason and the day it was decided (its end date: the
    indicators count the non-entries of a period by reason)."""
    check_dates(events={"decided_on": decided_on})
    lock_parcours(parcours)
    if parcours.status != ParcoursStatus.ORIENTE:
        raise ValidationError(_("Cette personne n'est plus en attente d'entrée."))
    errors = {
        "reason": [] if reason in NonEntryReason else [_("Choisissez le motif.")],
        "decided_on": [],
    }
    if decided_on < parcours.start_date:
        errors["decided_on"].append(
            _("La décision ne peut pas précéder l'orientation (%(day)s).")
            % {"day": parcours.start_date.strftime("%d/%m/%Y")}
        )
    raise_errors(errors)
    parcours.status = ParcoursStatus.NON_ENTRE
    parcours.non_entry_reason = reason
    parcours.end_date = decided_on
    parcours.version += 1
    parcours.save(update_fields=["status", "non_entry_reason", "end_date", "version", "updated_at"])
    return parcours


@transaction.atomic
def parcours_prolong(*, parcours: Parcours, actor, expected_version: int, reason: str) -> Parcours:
    """Record why a parcours goes beyond the programme's duration without prolongation."""
    lock_parcours(parcours)
    if parcours.version != expected_version:
        raise ValidationError(
            _("Ce parcours a été modifié par quelqu'un d'autre entre-temps : relisez-le.")
        )
    if not reason.strip():
        raise ValidationError({"prolongation_reason": _("Indiquez le motif de prolongation.")})
    parcours.prolongation_reason = reason.strip()
    parcours.version += 1
    parcours.save(update_fields=["prolongation_reason", "version", "updated_at"])
    parcours_refresh_warnings(parcours=parcours)
    return parcours
