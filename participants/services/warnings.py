"""The *warn* rules of a parcours, recomputed and stored on `Parcours.warnings`."""

import datetime as dt
from decimal import Decimal

from django.db.models import Min, Q, Sum
from django.utils import timezone

from .. import rules
from ..enums import ContractKind, ParcoursStatus, SnapshotContext
from ..models import Contract, Parcours, SituationSnapshot, WorkedHours


def _ai_placement_hours(parcours: Parcours, today: dt.date) -> dict[str, Decimal]:
    """Hours worked per placement company over the last 24 months, across the person's
    parcours (the ceiling is per person and company)."""
    window_start = rules.add_months(today, -rules.AI_PLACEMENT_WINDOW_MONTHS)
    totals: dict[str, Decimal] = {}
    contracts = Contract.objects.filter(
        structure_id=parcours.structure_id,
        parcours__participant_id=parcours.participant_id,
        kind=ContractKind.AI_MISE_A_DISPOSITION,
    ).exclude(placement_company="")
    for contract in contracts:
        end = contract.actual_end_date or today
        total = WorkedHours.objects.filter(
            structure_id=parcours.structure_id,
            parcours_id=contract.parcours_id,
            week_start__gte=max(contract.start_date - dt.timedelta(days=6), window_start),
            week_start__lte=end,
        ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
        key = contract.placement_company.strip()
        totals[key] = totals.get(key, Decimal(0)) + total
    return totals


def parcours_warnings(*, parcours: Parcours, today: dt.date | None = None) -> dict[str, str]:
    """Every *warn* rule of domain.md §5 for one parcours."""
    today = today or timezone.localdate()
    programme = parcours.programme
    warnings = {}
    warnings.update(
        rules.long_parcours_warning(
            programme=programme,
            start_date=parcours.start_date,
            end_date=parcours.end_date,
            today=today,
        )
    )
    # The entry situation of this parcours: attached to it, or recorded for the person
    # (no parcours) around its start — not the entry situation of an earlier parcours.
    first_entry = (
        SituationSnapshot.objects.filter(
            structure_id=parcours.structure_id,
            participant_id=parcours.participant_id,
            context=SnapshotContext.ENTREE,
        )
        .filter(
            Q(parcours=parcours)
            | Q(parcours__isnull=True, date__gte=parcours.start_date - dt.timedelta(days=30))
        )
        .aggregate(first=Min("date"))["first"]
    )
    if parcours.status in (ParcoursStatus.EN_COURS, ParcoursStatus.SORTI):
        warnings.update(
            rules.entry_snapshot_warning(
                programme=programme,
                start_date=parcours.start_date,
                first_entry_snapshot=first_entry,
                today=today,
            )
        )
    for company, hours in _ai_placement_hours(parcours, today).items():
        warnings.update(rules.ai_placement_warning(company=company, hours=hours))
    return warnings


def parcours_refresh_warnings(*, parcours: Parcours, today: dt.date | None = None) -> dict:
    """Recompute and store the warnings (only written when they changed)."""
    warnings = parcours_warnings(parcours=parcours, today=today)
    if warnings != parcours.warnings:
        Parcours.objects.filter(pk=parcours.pk).update(warnings=warnings)
        parcours.warnings = warnings
    return warnings
