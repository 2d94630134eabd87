"""The transfer of a file to another structure of the same deployment (docs/domain.md,
"Transfert"; docs/security.md §2, "Transfers").

What moves and what stays:
- the participant row (identity, contact details, notice) moves to the receiving structure,
  with its write history (the pghistory events of the row), without its spreadsheet id
  (the sending structure's import key) nor its referent (a colleague of the sender);
- the parcours done in the sending structure stay there, closed on the transfer date by a
  neutralised exit ("Déménagement", no follow-up): they are that structure's activity and
  its indicators for past periods do not change; the receiving structure reads them (the
  file's history) through a grant, never writes them;
- the receiving structure gets a parcours in the same programme, oriented on the transfer
  date ("Transfert d'une autre structure"): it appears among the orientations waiting, and
  the usual entry starts it;
- the sending structure reads the file for 30 days (a grant until the transfer date + 30),
  then no longer.

The transfer record, the grants and the rows of the other structure are written as the
owner role: the web role may only read them (row-level security forbids the web role of
the sending structure to write a row of the receiving one, by design).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import Deployment
from sites.models import Structure
from sites.tenancy.rls import owner_role

from ..enums import ExitSituation, ParcoursStatus, ReferralSource
from ..models import Parcours, Participant, ParticipantAccessGrant, Transfer
from .common import check_dates, raise_errors
from .exits import parcours_exit
from .parcours import _resolve_deployment

# How long the sending structure still reads a file it transferred (days after the
# transfer date, that day included).
GRACE_DAYS = 30


def transfer_deployments(structure_id: int, on_date: dt.date):
    """The deployments running on `on_date` that include the structure."""
    return Deployment.objects.filter(structures=structure_id, start_date__lte=on_date).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on_date)
    )


def _deployment_partners(structure_id: int, on_date: dt.date, programme_id=None) -> list[int]:
    """The structures sharing a running deployment with `structure_id` (of `programme_id`
    when given). Which structures run a deployment is organisational reference data, but
    the deployments' membership table has a `structure` column and is row-filtered like
    every structure-owned table: the web role of A sees only A's rows of it. This one
    read of ids therefore runs as the owner role."""
    with owner_role():
        deployments = transfer_deployments(structure_id, on_date)
        if programme_id is not None:
            deployments = deployments.filter(programme_id=programme_id)
        return list(
            Deployment.structures.through.objects.filter(deployment__in=deployments)
            .exclude(structure_id=structure_id)
            .values_list("structure_id", flat=True)
            .distinct()
        )


def transfer_targets(structure_id: int, on_date: dt.date):
    """The active structures sharing a running deployment with `structure_id`."""
    return Structure.objects.filter(
        is_active=True, pk__in=_deployment_partners(structure_id, on_date)
    ).order_by("name")


@transaction.atomic
def participant_transfer(
    *,
    participant: Participant,
    to_structure: Structure,
    date: dt.date,
    consent_on: dt.date,
    actor,
) -> Transfer:
    """Hand the file over to `to_structure` with the person's consent (see the module)."""
    check_dates(events={"date": date, "consent_on": consent_on})
    today = timezone.localdate()
    origin = participant.structure_id
    # Lock the file: two transfers (or a transfer and an edit) serialise; the second one
    # no longer finds the file in its structure.
    participant = (
        Participant.objects.select_for_update()
        .filter(pk=participant.pk, structure_id=origin)
        .first()
    )
    if participant is None:
        raise ValidationError(_("Ce dossier a déjà été transféré."))
    open_parcours = list(
        Parcours.objects.filter(
            structure_id=origin,
            participant=participant,
            status__in=[ParcoursStatus.ORIENTE, ParcoursStatus.EN_COURS],
        ).select_related("programme")
    )
    current = next((p for p in open_parcours if p.status == ParcoursStatus.EN_COURS), None)
    errors: dict[str, list[str]] = {"consent_on": [], "to_structure": [], "date": []}
    if date > today:
        # The file moves when the transfer is recorded: it cannot be dated ahead.
        errors["date"].append(_("Le transfert se date au plus tard aujourd'hui."))
    if consent_on > today:
        errors["consent_on"].append(_("L'accord de la personne ne peut pas être daté plus tard."))
    if consent_on > date:
        errors["consent_on"].append(_("L'accord de la personne précède le transfert."))
    if any(p.status == ParcoursStatus.ORIENTE for p in open_parcours):
        errors["date"].append(
            _("Enregistrez d'abord l'entrée ou la non-entrée de l'orientation en attente.")
        )
    elif current is None:
        errors["date"].append(_("Seul le dossier d'une personne en parcours peut être transféré."))
    if to_structure.pk == origin or not to_structure.is_active:
        errors["to_structure"].append(_("Choisissez une autre structure du déploiement."))
    elif current is not None and to_structure.pk not in _deployment_partners(
        origin, date, current.programme_id
    ):
        # A forged target outside the deployment lands here too.
        errors["to_structure"].append(
            _("Cette structure ne participe pas au déploiement %(prog)s de votre structure.")
            % {"prog": current.programme.label}
        )
    raise_errors(errors)

    destination = Structure.objects.get(pk=to_structure.pk)
    parcours_exit(
        parcours=current,
        date=date,
        situation=ExitSituation.DEMENAGEMENT,
        actor=actor,
        followup_until=date,  # the follow-up goes on in the receiving structure
        comment=_("Transfert du dossier vers %(s)s.") % {"s": destination.name},
    )
    with owner_role():
        transfer = Transfer.objects.create(
            structure_id=origin,
            to_structure=destination,
            participant_id=participant.pk,
            date=date,
            consent_on=consent_on,
            recorded_by=actor,
            from_parcours_id=current.pk,
            readable_until=date + dt.timedelta(days=GRACE_DAYS),
        )
        Participant.objects.filter(pk=participant.pk).update(
            structure=destination, external_id="", referent=None, version=F("version") + 1
        )
        # The history of the identity follows the file.
        Participant.pgh_event_model.objects.filter(pgh_obj_id=participant.pk).update(
            structure=destination
        )
        parcours = Parcours(
            structure=destination,
            participant_id=participant.pk,
            programme=current.programme,
            deployment=_resolve_deployment(current.programme, destination, date),
            status=ParcoursStatus.ORIENTE,
            start_date=date,
            referred_by=ReferralSource.TRANSFERT,
            referred_on=date,
        )
        parcours.save()
        Transfer.objects.filter(pk=transfer.pk).update(to_parcours_id=parcours.pk)
        ParticipantAccessGrant.objects.bulk_create(
            [
                ParticipantAccessGrant(
                    structure_id=origin,
                    participant_id=participant.pk,
                    until=transfer.readable_until,
                    transfer=transfer,
                ),
                ParticipantAccessGrant(
                    structure=destination,
                    participant_id=participant.pk,
                    until=None,
                    transfer=transfer,
                ),
            ]
        )
    transfer.to_parcours_id = parcours.pk
    return transfer
