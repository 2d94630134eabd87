"""Contracts added to a parcours (renewal, prolongation)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from .. import rules
from ..models import Contract, Parcours
from .common import check_dates, raise_errors
from .warnings import parcours_refresh_warnings


@transaction.atomic
def contract_add(*, parcours: Parcours, actor, **fields: Any) -> Contract:
    """Add a contract (renewal, prolongation) to a parcours, within the programme's rules."""
    contract = Contract(structure_id=parcours.structure_id, parcours=parcours, **fields)
    check_dates(
        events={"start_date": contract.start_date},
        planned={
            "planned_end_date": contract.planned_end_date,
            "derogation_from": contract.derogation_from,
            "derogation_to": contract.derogation_to,
        },
    )
    contract.employer_id = contract.employer_id or parcours.structure_id
    contract.host_id = contract.host_id or parcours.structure_id
    programme = parcours.programme
    raise_errors(
        {
            "weekly_hours": rules.weekly_hours_errors(
                programme=programme,
                hours=contract.weekly_hours,
                on_date=contract.start_date,
                derogation_from=contract.derogation_from,
                derogation_to=contract.derogation_to,
                until=contract.planned_end_date,
                contract_kind=contract.kind,
            ),
            "planned_end_date": rules.duration_errors(
                programme=programme,
                start_date=parcours.start_date,
                end_date=contract.planned_end_date,
                prolongation_reason=parcours.prolongation_reason,
            ),
            "start_date": []
            if contract.start_date >= parcours.start_date
            else [_("Le contrat ne peut pas commencer avant le parcours.")],
        }
    )
    contract.full_clean(exclude=["parcours", "structure", "employer", "host"])
    contract.save()
    parcours_refresh_warnings(parcours=parcours)
    return contract
