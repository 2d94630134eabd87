"""A continuation (suite de parcours): the exit of a parcours and the next one, in one step.

A Premières Heures exit "Suite de parcours : Convergence" (or "… : CDDI dans l'ACI") means
the person goes on in the same structure: the exit is recorded and the next parcours opened,
linked to it (`Parcours.previous`), in one transaction. Either both are saved or neither.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programmes.enums import ProgrammeCode
from programmes.models import Programme
from sites.models import WorkSite

from ..enums import ContractKind, ExitSituation
from ..models import Exit, Parcours
from .exits import parcours_exit
from .parcours import parcours_enrol

# The exit situations that open the next parcours in the same structure, and its programme.
CONTINUATION_PROGRAMME: dict[str, str] = {
    ExitSituation.SUITE_CVG: ProgrammeCode.CVG,
    ExitSituation.SUITE_CDDI: ProgrammeCode.IAE,
}
# The next parcours' fields, prefixed `next_` in the errors the service raises.
NEXT_FIELDS = (
    "start_date",
    "weekly_hours",
    "work_site",
    "contract_kind",
    "planned_end_date",
    "programme",
    "derogation_from",
    "derogation_to",
    "placement_company",
    "employer",
)


def continuation_programme(situation: str) -> Programme | None:
    """The programme an exit to `situation` continues in (None: the exit ends there)."""
    code = CONTINUATION_PROGRAMME.get(situation)
    return Programme.objects.filter(code=code).first() if code else None


@transaction.atomic
def parcours_continue(
    *,
    parcours: Parcours,
    actor,
    date: dt.date,
    situation: str,
    weekly_hours: Decimal,
    next_start_date: dt.date | None = None,
    work_site: WorkSite | None = None,
    contract_kind: str = ContractKind.CDDI,
    planned_end_date: dt.date | None = None,
    followup_until: dt.date | None = None,
    comment: str = "",
    exit_snapshot: dict[str, Any] | None = None,
) -> tuple[Exit, Parcours]:
    """Record the exit to a continuation and open the next parcours, linked to it.

    The next parcours starts on `next_start_date`, by default the day after the exit, with
    its first contract (and palier). Errors about the next parcours are raised under the
    field names prefixed with `next_` (`next_weekly_hours`, …), those of the exit under
    their own names; nothing is saved when either fails.
    """
    if situation not in CONTINUATION_PROGRAMME:
        raise ValidationError(
            {"situation": _("Cette situation ne donne pas de suite de parcours dans la structure.")}
        )
    programme = continuation_programme(situation)
    if programme is None:
        raise ValidationError(
            {"situation": _("Le programme de la suite de parcours n'est pas configuré.")}
        )
    exit_ = parcours_exit(
        parcours=parcours,
        date=date,
        situation=situation,
        actor=actor,
        followup_until=followup_until,
        comment=comment,
        exit_snapshot=exit_snapshot,
    )
    try:
        next_parcours = parcours_enrol(
            participant=parcours.participant,
            programme=programme,
            start_date=next_start_date or date + dt.timedelta(days=1),
            actor=actor,
            weekly_hours=weekly_hours,
            work_site=work_site,
            contract_kind=contract_kind,
            planned_end_date=planned_end_date,
            previous=parcours,
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {
                (f"next_{name}" if name in NEXT_FIELDS else name): messages
                for name, messages in error.message_dict.items()
            }
        ) from error
    return exit_, next_parcours
