""" "Aujourd'hui" as the page shows it: each item's sentence, its urgency and the one link
that settles it (with a return to the page)."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..enums import ContractKind, ReferralSource
from ..referents import NOBODY
from ..today import LimitKind, TodayItem, TodayKind, is_overdue
from .formats import format_day


@dataclass(frozen=True)
class Action:
    label: str
    url: str


@dataclass(frozen=True)
class TodayRow:
    item: TodayItem
    kind_label: str
    text: str
    when: str
    overdue: bool
    actions: list[Action]
    file_url: str | None


def _with_return(url: str, back: str, **query) -> str:
    return f"{url}?{urlencode({**query, 'next': back})}"


def _limit_text(item: TodayItem) -> tuple[str, str]:
    values = {"prog": item.details["programme"], "n": item.details["months"]}
    limit = item.details["limit"]
    if limit == LimitKind.BASE:
        return (
            _("%(prog)s : %(n)s mois de parcours, prolongation à motiver") % values,
            "prolong",
        )
    if limit == LimitKind.MAX:
        return _("%(prog)s : fin de la durée maximale de %(n)s mois") % values, "exit"
    return _("%(prog)s : %(n)s mois de parcours, faire le point sur la suite") % values, "exit"


def _sentence(item: TodayItem) -> str:
    d = item.details
    match item.kind:
        case TodayKind.FOLLOWUP_CHECK:
            return _("Contrôle de suivi à %(n)s mois après la sortie (%(prog)s)") % {
                "n": d["months"],
                "prog": d["programme"],
            }
        case TodayKind.PARCOURS_LIMIT:
            return _limit_text(item)[0]
        case TodayKind.ENTRY_DIAGNOSIS:
            return _("Diagnostic d'entrée à saisir (%(prog)s)") % {"prog": d["programme"]}
        case TodayKind.HOURS_MISSING:
            return ngettext(
                "%(site)s : %(n)s personne sans heures saisies, semaine %(week)s",
                "%(site)s : %(n)s personnes sans heures saisies, semaine %(week)s",
                d["people"],
            ) % {"site": d["site"], "n": d["people"], "week": d["week"]}
        case TodayKind.CONTRACT_ENDING:
            return _("%(kind)s : fin prévue du contrat") % {
                "kind": ContractKind(d["contract_kind"]).label
            }
        case TodayKind.NO_CONTACT:
            return _("Aucun contact depuis le %(day)s") % {"day": format_day(d["last"])}
        case TodayKind.ORIENTATION:
            source = ReferralSource(d["referred_by"]).label if d["referred_by"] else _("—")
            if not d["days"]:  # referred today: "waiting for 0 days" reads as a glitch
                return _("Orientation %(prog)s – %(source)s – reçue aujourd'hui") % {
                    "prog": d["programme"],
                    "source": source,
                }
            return ngettext(
                # The source's label may hold parentheses itself ("SPIP (justice)").
                "Orientation %(prog)s – %(source)s – en attente depuis %(n)s jour",
                "Orientation %(prog)s – %(source)s – en attente depuis %(n)s jours",
                d["days"],
            ) % {"prog": d["programme"], "source": source, "n": d["days"]}
        case TodayKind.NO_REFERENT:
            return _("Aucun·e référent·e en activité pour ce dossier")
    raise ValueError(item.kind)


def _when(item: TodayItem, today: dt.date) -> tuple[str, bool]:
    """ "dans 5 jours", "aujourd'hui", "en retard de 12 jours" — and whether overdue."""
    if item.due_on is None:
        return "", False
    if item.kind == TodayKind.ORIENTATION:
        return _("depuis le %(day)s") % {"day": format_day(item.due_on)}, is_overdue(item, today)
    days = (item.due_on - today).days
    if days > 0:
        return ngettext("le %(day)s (dans %(n)s jour)", "le %(day)s (dans %(n)s jours)", days) % {
            "day": format_day(item.due_on),
            "n": days,
        }, False
    if days == 0:
        return _("aujourd'hui"), False
    return ngettext(
        "le %(day)s (en retard de %(n)s jour)", "le %(day)s (en retard de %(n)s jours)", -days
    ) % {"day": format_day(item.due_on), "n": -days}, is_overdue(item, today)


def _actions(item: TodayItem, back: str, *, manages: bool) -> list[Action]:
    pk, d = item.subject_id, item.details
    match item.kind:
        case TodayKind.FOLLOWUP_CHECK:
            url = reverse("participants:followup_check", kwargs={"check_pk": pk})
            return [Action(_("Saisir le contrôle"), _with_return(url, back))]
        case TodayKind.PARCOURS_LIMIT:
            if _limit_text(item)[1] == "prolong":
                url = reverse("participants:parcours_prolong", kwargs={"parcours_pk": pk})
                return [Action(_("Motiver la prolongation"), _with_return(url, back))]
            url = reverse("participants:parcours_exit", kwargs={"parcours_pk": pk})
            return [Action(_("Enregistrer la sortie"), _with_return(url, back))]
        case TodayKind.ENTRY_DIAGNOSIS:
            url = reverse(
                "participants:snapshot_create", kwargs={"participant_pk": item.participant_id}
            )
            return [Action(_("Saisir le diagnostic"), _with_return(url, back, context="ENTREE"))]
        case TodayKind.HOURS_MISSING:
            url = reverse(
                "participants:hours_grid",
                kwargs={"site_pk": pk, "year": d["year"], "week": d["week"]},
            )
            return [Action(_("Saisir les heures"), url)]
        case TodayKind.CONTRACT_ENDING:
            url = reverse("participants:detail", kwargs={"participant_pk": item.participant_id})
            return [Action(_("Voir le dossier"), url)]
        case TodayKind.NO_CONTACT:
            url = reverse("participants:action_create", kwargs={"parcours_pk": pk})
            return [Action(_("Noter un contact"), _with_return(url, back))]
        case TodayKind.ORIENTATION:
            enter = reverse("participants:orientation_enter", kwargs={"parcours_pk": pk})
            decline = reverse("participants:orientation_decline", kwargs={"parcours_pk": pk})
            return [
                Action(_("Faire entrer"), _with_return(enter, back)),
                Action(_("Non-entrée"), _with_return(decline, back)),
            ]
        case TodayKind.NO_REFERENT:
            url = reverse("participants:update", kwargs={"participant_pk": pk})
            actions = [Action(_("Attribuer un·e référent·e"), _with_return(url, back))]
            if manages:  # the structure's managers hand such files over several at once
                bulk = reverse("participants:referents_reassign")
                actions.append(Action(_("Attribuer en lot"), f"{bulk}?{urlencode({'de': NOBODY})}"))
            return actions
    raise ValueError(item.kind)


def today_rows(
    items: list[TodayItem], *, today: dt.date, back: str, manages: bool = False
) -> list[TodayRow]:
    """The page's rows; `manages`: the reader manages the structure (bulk handover links)."""
    rows = []
    for item in items:
        when, overdue = _when(item, today)
        file_url = (
            reverse("participants:detail", kwargs={"participant_pk": item.participant_id})
            if item.participant_id
            else None
        )
        rows.append(
            TodayRow(
                item=item,
                kind_label=TodayKind(item.kind).label,
                text=_sentence(item),
                when=when,
                overdue=overdue,
                actions=_actions(item, back, manages=manages),
                file_url=file_url,
            )
        )
    return rows


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


def kind_counts(items: list[TodayItem]) -> list[KindCount]:
    """How many items of each kind, in the kinds' order (the page's filter chips)."""
    counts = Counter(item.kind for item in items)
    return [KindCount(kind, kind.label, counts[kind]) for kind in TodayKind if counts[kind]]
