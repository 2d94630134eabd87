"""The participant's timeline: one dated French sentence (with details) per event of every
parcours, per month of worked hours and per situation snapshot, latest first."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..enums import Barrier, BarrierLevel, ParcoursStatus, Resource, SnapshotContext
from ..models import AccompanimentAction, Contract, Exit, Parcours, SituationSnapshot
from .formats import format_day, format_hours


@dataclass
class TimelineEntry:
    """One dated line of a participant's timeline."""

    date: dt.date
    kind: str  # parcours, contract, stage, action, hours, snapshot, exit
    title: str
    details: list[str] = field(default_factory=list)
    note: str = ""
    programme: str = ""
    order: int = 0  # tie-break on the same day: the later event in the day comes first


def barrier_lines(snapshot: SituationSnapshot, codes: list[str]) -> list[str]:
    """'Logement : important' for every visible barrier above 'aucun'."""
    labels = dict(Barrier.choices)
    level_labels = dict(BarrierLevel.choices)
    lines = []
    for code in codes:
        level = getattr(snapshot, f"barrier_{code}")
        if level != BarrierLevel.AUCUN:
            lines.append(f"{labels[code]} : {str(level_labels[level]).lower()}")
    return lines


def snapshot_entry(snapshot: SituationSnapshot, codes: list[str]) -> TimelineEntry:
    """A situation snapshot; `codes` are the barriers the reader may see."""
    titles = {
        SnapshotContext.ENTREE: _("Situation à l'entrée"),
        SnapshotContext.SUIVI: _("Point de situation"),
        SnapshotContext.SORTIE: _("Situation à la sortie"),
    }
    details = [_("Logement : %(h)s") % {"h": snapshot.get_housing_display()}]
    if snapshot.street_history:
        details.append(_("A connu un parcours de rue"))
    if snapshot.resources:
        labels = dict(Resource.choices)
        details.append(
            _("Ressources : %(r)s")
            % {"r": ", ".join(str(labels.get(r, r)) for r in snapshot.resources)}
        )
    barriers = barrier_lines(snapshot, codes)
    if barriers:
        details.append(_("Freins : %(b)s") % {"b": " ; ".join(barriers)})
    rights = [
        str(SituationSnapshot._meta.get_field(name).verbose_name)
        for name in ("has_health_insurance", "has_complementary", "has_gp", "has_rqth", "has_aah")
        if getattr(snapshot, name)
    ]
    if rights:
        details.append(_("Droits : %(d)s") % {"d": ", ".join(rights)})
    return TimelineEntry(
        date=snapshot.date,
        kind="snapshot",
        title=titles[snapshot.context],
        details=details,
        order=1,
    )


def _parcours_entry(p: Parcours, by_pk: dict[int, Parcours]) -> TimelineEntry:
    details = []
    if p.work_site:
        details.append(_("Lieu d'activité : %(s)s") % {"s": p.work_site.name})
    if p.previous_id and p.previous_id in by_pk:
        prev = by_pk[p.previous_id]
        details.append(
            _("Suite du parcours %(prog)s commencé le %(d)s")
            % {"prog": prev.programme.code, "d": format_day(prev.start_date)}
        )
    if p.prolongation_reason:
        details.append(_("Motif de prolongation : %(r)s") % {"r": p.prolongation_reason})
    status = "" if p.status == ParcoursStatus.EN_COURS else f" ({p.get_status_display()})"
    return TimelineEntry(
        date=p.start_date,
        kind="parcours",
        title=_("Entrée en %(label)s") % {"label": p.programme.label} + status,
        details=details,
        programme=p.programme.code,
        order=0,
    )


def _contract_entry(c: Contract, code: str) -> TimelineEntry:
    end = c.actual_end_date or c.planned_end_date
    line = _("%(kind)s, %(h)s h par semaine") % {
        "kind": c.get_kind_display(),
        "h": format_hours(c.weekly_hours),
    }
    details = []
    if end:
        details.append(
            (_("Fin effective le %(d)s") if c.actual_end_date else _("Fin prévue le %(d)s"))
            % {"d": format_day(end)}
        )
    if c.employer_id != c.host_id:
        details.append(_("Employeur : %(e)s ; accueil : %(h)s") % {"e": c.employer, "h": c.host})
    if c.placement_company:
        details.append(_("Entreprise utilisatrice : %(c)s") % {"c": c.placement_company})
    if c.derogation_from:
        details.append(
            _("Dérogation horaire du %(a)s au %(b)s")
            % {"a": format_day(c.derogation_from), "b": format_day(c.derogation_to)}
        )
    return TimelineEntry(
        date=c.start_date,
        kind="contract",
        title=_("Contrat : %(l)s") % {"l": line},
        details=details,
        programme=code,
        order=1,
    )


def _stage_entries(p: Parcours) -> list[TimelineEntry]:
    """Each palier, said as a start, a raise or a cut against the one before."""
    entries = []
    stages = list(p.stages.all())
    for previous, stage in zip([None, *stages], stages, strict=False):
        if previous is None:
            title = _("Palier de départ : %(h)s h par semaine")
        elif stage.weekly_hours > previous.weekly_hours:
            title = _("Heures augmentées à %(h)s h par semaine")
        else:
            title = _("Heures réduites à %(h)s h par semaine")
        entries.append(
            TimelineEntry(
                date=stage.start_date,
                kind="stage",
                title=title % {"h": format_hours(stage.weekly_hours)},
                programme=p.programme.code,
                order=2,
            )
        )
    return entries


def _action_entry(a: AccompanimentAction, code: str) -> TimelineEntry:
    details = [
        _("Thème : %(t)s") % {"t": a.get_theme_display()},
        _("Durée : %(m)s min") % {"m": a.duration_minutes},
    ]
    if a.partner:
        details.append(_("Partenaire : %(p)s") % {"p": a.partner})
    if a.author:
        details.append(_("Par %(a)s") % {"a": a.author})
    return TimelineEntry(
        date=a.date,
        kind="action",
        title=a.get_kind_display(),
        details=details,
        note=a.note,
        programme=code,
        order=3,
    )


def _exit_entry(exit_: Exit, p: Parcours) -> TimelineEntry:
    details = [_("Catégorie : %(c)s") % {"c": exit_.get_dgefp_category_display()}]
    if exit_.followup_until:
        details.append(
            _("Suivi après sortie jusqu'au %(d)s") % {"d": format_day(exit_.followup_until)}
        )
    return TimelineEntry(
        date=exit_.date,
        kind="exit",
        title=_("Sortie de %(prog)s : %(s)s")
        % {"prog": p.programme.label, "s": exit_.get_situation_display()},
        details=details,
        note=exit_.comment,
        programme=p.programme.code,
        order=5,
    )


def _hours_entry(row: dict, p: Parcours) -> TimelineEntry:
    """One month of worked hours of a parcours."""
    return TimelineEntry(
        date=row["last_week"],
        kind="hours",
        title=_("Heures travaillées en %(m)s : %(h)s h")
        % {"m": date_format(row["month"], "F Y"), "h": format_hours(row["total"])},
        details=[_("%(n)s semaine(s) saisie(s)") % {"n": row["weeks"]}],
        programme=p.programme.code,
        order=4,
    )


def _parcours_entries(p: Parcours, by_pk: dict[int, Parcours]) -> list[TimelineEntry]:
    """A parcours' entry, contracts, paliers, actions and exit."""
    code = p.programme.code
    entries = [_parcours_entry(p, by_pk)]
    entries += [_contract_entry(c, code) for c in p.contracts.all()]
    entries += _stage_entries(p)
    entries += [_action_entry(a, code) for a in p.actions.all()]
    exit_ = getattr(p, "exit", None)
    if exit_ is not None:
        entries.append(_exit_entry(exit_, p))
    return entries


def timeline(
    parcours_list: list[Parcours],
    snapshots: list[SituationSnapshot],
    monthly_hours: list[dict],
    codes: list[str],
) -> list[TimelineEntry]:
    """Every dated event of the file, latest first; `codes` are the visible barriers."""
    entries: list[TimelineEntry] = []
    by_pk = {p.pk: p for p in parcours_list}
    for p in parcours_list:
        entries += _parcours_entries(p, by_pk)
    entries += [_hours_entry(row, by_pk[row["parcours_id"]]) for row in monthly_hours]
    entries += [snapshot_entry(s, codes) for s in snapshots]
    entries.sort(key=lambda e: (e.date, e.order), reverse=True)
    return entries
