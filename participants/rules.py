"""The rules of domain.md §5, as pure functions over plain values.

Each *block* rule returns French error messages (empty when valid); services raise them as a
ValidationError. Each *warn* rule returns `{code: message}` entries that services store on
`Parcours.warnings`. The numbers come from the Programme row, never from constants here,
except the AI placement ceiling, which is labour law (art. L5132-9: 480 h over 24 months).
"""

import calendar
import datetime as dt
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from programmes.models import Programme

from .enums import EXIT_CATEGORY, DgefpCategory

AI_PLACEMENT_MAX_HOURS = Decimal(480)
AI_PLACEMENT_WINDOW_MONTHS = 24


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus a number of calendar months, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_day_within(start: dt.date, months: int) -> dt.date:
    """The last day of a period of `months` months starting on `start`, both days counted.

    A 24-month CDDI starting on 01/03/2021 ends on 28/02/2023 at the latest; the same
    convention is used for every "at most N months" rule.
    """
    return add_months(start, months) - dt.timedelta(days=1)


def _d(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def _h(hours: Decimal) -> str:
    return f"{hours.normalize():f}".replace(".", ",")


def dates_errors(*, start_date: dt.date, end_date: dt.date | None) -> list[str]:
    """A parcours ends on or after it starts (block)."""
    if end_date is not None and end_date < start_date:
        return [
            _("La date de sortie (%(end)s) est antérieure à la date d'entrée (%(start)s).")
            % {"end": _d(end_date), "start": _d(start_date)}
        ]
    return []


def duration_errors(
    *,
    programme: Programme,
    start_date: dt.date,
    end_date: dt.date | None,
    prolongation_reason: str = "",
) -> list[str]:
    """Convergence: at most `max_months` in all, and a reason beyond `base_months` (block).

    `end_date` is the exit date or the furthest planned contract end, counted as a day
    worked: exactly `max_months` months (e.g. 01/03/2021 → 28/02/2026) is allowed.
    """
    if end_date is None:
        return []
    errors = []
    if programme.max_months and end_date > last_day_within(start_date, programme.max_months):
        errors.append(
            _(
                "Un parcours %(prog)s dure au plus %(n)s mois : il doit se terminer au plus tard "
                "le %(limit)s."
            )
            % {
                "prog": programme.label,
                "n": programme.max_months,
                "limit": _d(last_day_within(start_date, programme.max_months)),
            }
        )
    elif (
        programme.base_months
        and end_date > last_day_within(start_date, programme.base_months)
        and not prolongation_reason.strip()
    ):
        errors.append(
            _(
                "Au-delà de %(n)s mois (après le %(limit)s), une prolongation doit être motivée : "
                "indiquez le motif de prolongation."
            )
            % {
                "n": programme.base_months,
                "limit": _d(last_day_within(start_date, programme.base_months)),
            }
        )
    return errors


def followup_errors(
    *, programme: Programme, exit_date: dt.date, followup_until: dt.date | None
) -> list[str]:
    """Post-exit follow-up ends within `followup_months` of the exit (block)."""
    if followup_until is None:
        return []
    if followup_until < exit_date:
        return [_("Le suivi après sortie ne peut pas se terminer avant la sortie.")]
    limit = add_months(exit_date, programme.followup_months)
    if followup_until > limit:
        if not programme.followup_months:
            return [
                _("Le programme %(prog)s ne prévoit pas de suivi après la sortie.")
                % {"prog": programme.label}
            ]
        return [
            _("Le suivi après sortie dure au plus %(n)s mois : au plus tard le %(limit)s.")
            % {"n": programme.followup_months, "limit": _d(limit)}
        ]
    return []


def default_followup_until(*, programme: Programme, exit_date: dt.date) -> dt.date | None:
    """The follow-up's last day when the exit form sets none: the programme's
    `followup_months` after the exit (None for a programme without a follow-up)."""
    if not programme.followup_months:
        return None
    return add_months(exit_date, programme.followup_months)


def followup_due_dates(
    *,
    programme: Programme,
    exit_date: dt.date,
    situation: str,
    followup_until: dt.date | None,
) -> list[tuple[int, dt.date]]:
    """(months after the exit, due date) of each check the follow-up schedules: one per
    month of `Programme.followup_check_months` that falls within the follow-up
    (`followup_until` when set, else the programme's `followup_months`). None after a
    neutralised exit (death, imprisonment, moving away...): nobody is to be called, and
    those exits are outside the outcome rates anyway."""
    if EXIT_CATEGORY.get(situation) == DgefpCategory.NEUTRALISEE:
        return []
    last_day = followup_until or add_months(exit_date, programme.followup_months)
    due_dates = [
        (months, add_months(exit_date, months))
        for months in sorted(set(programme.followup_check_months))
        if months > 0
    ]
    return [(months, due) for months, due in due_dates if due <= last_day]


def band_applies(*, programme: Programme, contract_kind: str | None) -> bool:
    """The band binds Premières Heures whatever the contract (collective derogation, AI
    placement included), and Convergence / IAE on a CDDI; other IAE contracts (an AI
    placement, a CDD d'usage) follow their own law."""
    return programme.has_hours_stages or contract_kind in (None, "CDDI")


def weekly_hours_errors(
    *,
    programme: Programme,
    hours: Decimal,
    on_date: dt.date,
    derogation_from: dt.date | None = None,
    derogation_to: dt.date | None = None,
    until: dt.date | None = None,
    contract_kind: str | None = None,
) -> list[str]:
    """Contracted weekly hours inside the programme's band (block).

    Below the band's minimum is allowed only down to `derogation_min_weekly_hours`, and only
    when a recorded derogation covers the whole period below it: from `on_date` to `until`
    (the contract's planned end) when known.
    """
    if not band_applies(programme=programme, contract_kind=contract_kind):
        return []
    hours = Decimal(hours)
    low, high = programme.min_weekly_hours, programme.max_weekly_hours
    if hours > high:
        return [
            _("%(prog)s : %(h)s h par semaine dépasse le maximum de %(max)s h.")
            % {"prog": programme.label, "h": _h(hours), "max": _h(high)}
        ]
    if hours >= low:
        return []
    floor = programme.derogation_min_weekly_hours
    covered = (
        derogation_from is not None
        and derogation_to is not None
        and derogation_from <= on_date
        and (until or on_date) <= derogation_to
    )
    if floor is not None and covered and hours >= floor:
        return []
    if floor is not None:
        return [
            _(
                "%(prog)s : moins de %(min)s h par semaine n'est possible qu'avec une dérogation "
                "horaire enregistrée qui couvre toute la période, du %(date)s au %(until)s."
            )
            % {
                "prog": programme.label,
                "min": _h(low),
                "date": _d(on_date),
                "until": _d(until or on_date),
            }
        ]
    return [
        _("%(prog)s : les heures hebdomadaires doivent être comprises entre %(min)s et %(max)s h.")
        % {"prog": programme.label, "min": _h(low), "max": _h(high)}
    ]


def worked_hours_errors(*, programme: Programme, hours: Decimal) -> list[str]:
    """Hours worked in one week: never negative, never above the programme's band (block).

    Fewer hours than contracted are normal (absence, late start), so only the ceiling blocks.
    """
    hours = Decimal(hours)
    if hours < 0:
        return [_("Les heures travaillées ne peuvent pas être négatives.")]
    if hours > programme.max_weekly_hours:
        return [
            _("%(h)s h dépasse le maximum de %(max)s h par semaine du programme %(prog)s.")
            % {"h": _h(hours), "max": _h(programme.max_weekly_hours), "prog": programme.label}
        ]
    return []


def long_parcours_warning(
    *, programme: Programme, start_date: dt.date, end_date: dt.date | None, today: dt.date
) -> dict[str, str]:
    """Premières Heures: a sas longer than `warn_months` (warn)."""
    if not programme.warn_months:
        return {}
    limit = last_day_within(start_date, programme.warn_months)
    if (end_date or today) > limit:
        return {
            "long_parcours": _(
                "Parcours %(prog)s de plus de %(n)s mois (depuis le %(start)s)"
                " : envisager la suite de parcours."
            )
            % {"prog": programme.code, "n": programme.warn_months, "start": _d(start_date)}
        }
    return {}


def entry_snapshot_warning(
    *,
    programme: Programme,
    start_date: dt.date,
    first_entry_snapshot: dt.date | None,
    today: dt.date,
) -> dict[str, str]:
    """An entry situation recorded within `entry_snapshot_days` of the start (warn)."""
    deadline = start_date + dt.timedelta(days=programme.entry_snapshot_days)
    if first_entry_snapshot is not None and first_entry_snapshot <= deadline:
        return {}
    if first_entry_snapshot is None and today <= deadline:
        return {}
    return {
        "entry_snapshot": _(
            "Diagnostic d'entrée non enregistré dans les %(n)s jours "
            "suivant l'entrée (échéance le %(deadline)s)."
        )
        % {"n": programme.entry_snapshot_days, "deadline": _d(deadline)}
    }


def ai_placement_warning(*, company: str, hours: Decimal) -> dict[str, str]:
    """AI placement with one company: at most 480 h over 24 months (warn)."""
    if hours > AI_PLACEMENT_MAX_HOURS:
        return {
            f"ai_placement:{company}": _(
                "Mise à disposition chez %(company)s : %(h)s h sur 24 mois, "
                "au-delà du plafond de 480 h."
            )
            % {"company": company, "h": _h(Decimal(hours))}
        }
    return {}


def nearing_limit_alert(
    *,
    programme: Programme,
    start_date: dt.date,
    end_date: dt.date | None,
    today: dt.date,
    notice_months: int = 3,
) -> str | None:
    """An informational alert when an open parcours nears its maximum length."""
    if end_date is not None or not programme.max_months:
        return None
    limit = last_day_within(start_date, programme.max_months)
    if today > limit:
        return _("Durée maximale de %(n)s mois dépassée depuis le %(limit)s.") % {
            "n": programme.max_months,
            "limit": _d(limit),
        }
    if today >= add_months(limit, -notice_months):
        return _("Le parcours atteindra %(n)s mois le %(limit)s.") % {
            "n": programme.max_months,
            "limit": _d(limit),
        }
    return None
