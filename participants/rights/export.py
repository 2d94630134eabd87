"""A participant's whole file, as answered to a right-of-access request (GDPR art. 15 / 20).

`participant_export` gathers every field of the participant and of every row of their file
(parcours, contracts, hours stages, worked hours, situations, accompaniment actions with their
notes, exit) plus the access history (who opened the file, when, to do what: art. 15 also
covers recipients). The fields are enumerated from the models' `_meta`, so a field added later
is exported by construction. Sensitive barriers (health, addictions, justice) are included
only for a reader with the sensitive-data permission of the file's structure.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from participants import selectors
from participants.enums import SENSITIVE_BARRIERS
from participants.models import (
    AccompanimentAction,
    Contract,
    Exit,
    FollowupCheck,
    HoursStage,
    Parcours,
    Participant,
    SituationSnapshot,
    WorkedHours,
)
from participants.policies import can_view_sensitive
from sites.tenancy import Scope

FORMAT_VERSION = 1
SENSITIVE_FIELDS = frozenset(f"barrier_{code}" for code in SENSITIVE_BARRIERS)

# Children of the file: (key in the export, model, path from the model to the participant).
CHILDREN = [
    ("parcours", Parcours, "participant"),
    ("contracts", Contract, "parcours__participant"),
    ("hours_stages", HoursStage, "parcours__participant"),
    ("worked_hours", WorkedHours, "parcours__participant"),
    ("situations", SituationSnapshot, "participant"),
    ("actions", AccompanimentAction, "parcours__participant"),
    ("exits", Exit, "parcours__participant"),
    ("followup_checks", FollowupCheck, "parcours__participant"),
]


def _plain(value: Any) -> Any:
    """A JSON-ready value (dates ISO 8601, decimals as text, lists and dicts as they are)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def exported_fields(model: type[models.Model], *, sensitive: bool) -> list[models.Field]:
    """Every concrete field of `model` a reader with (or without) sensitive access gets."""
    return [
        field
        for field in model._meta.concrete_fields
        if sensitive or model is not SituationSnapshot or field.name not in SENSITIVE_FIELDS
    ]


def _row(obj: models.Model, fields: list[models.Field]) -> dict[str, Any]:
    """{field name: value}; a foreign key gives its id and what it is called."""
    row: dict[str, Any] = {}
    for field in fields:
        if field.is_relation:
            related_id = getattr(obj, field.attname)
            related = getattr(obj, field.name) if related_id is not None else None
            row[field.name] = None if related is None else {"id": related_id, "label": str(related)}
        else:
            value = getattr(obj, field.attname)
            if field.choices and value not in (None, ""):
                row[field.name] = {"code": _plain(value), "label": str(_display(obj, field))}
            else:
                row[field.name] = _plain(value)
    return row


def _display(obj: models.Model, field: models.Field) -> str:
    return getattr(obj, f"get_{field.name}_display")()


def participant_export(*, scope: Scope, participant: Participant) -> dict[str, Any]:
    """The whole file of `participant` (already looked up in `scope`) as plain data."""
    structure_id = participant.structure_id
    sensitive = can_view_sensitive(scope, structure_id)
    data: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "generated_at": _plain(timezone.now()),
        "structure": str(participant.structure),
        "includes_sensitive_data": sensitive,
        "participant": _row(participant, exported_fields(Participant, sensitive=sensitive)),
    }
    for key, model, path in CHILDREN:
        rows = model.objects.filter(structure_id=structure_id, **{path: participant}).order_by("pk")
        related = [f.name for f in model._meta.concrete_fields if f.is_relation]
        fields = exported_fields(model, sensitive=sensitive)
        data[key] = [_row(obj, fields) for obj in rows.select_related(*related)]
    data["access_history"] = [
        {
            "at": _plain(entry.at),
            "who": entry.actor.get_full_name() or entry.actor.email,
            "role": entry.actor_role,
            "action": {"code": entry.action, "label": str(entry.get_action_display())},
            "reason": entry.reason,
        }
        for entry in selectors.access_log_for_participant(scope=scope, participant=participant)
    ]
    return data


def printable(value: Any) -> str:
    """One exported value as a person reads it (dates dd/mm/yyyy, times to the minute)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("oui") if value else _("non"))
    if isinstance(value, dict):
        return str(value.get("label", value))
    if isinstance(value, list):
        return ", ".join(printable(v) for v in value) or "—"
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
            return dt.datetime.fromisoformat(value).strftime("%d/%m/%Y %H:%M")
        except ValueError:
            return value
    return str(value)


def printable_sections(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The export laid out for print: one section per table, one block per row, each line
    a (French label, shown value) pair, dates as dd/mm/yyyy."""
    sections = []
    for key, model in [("participant", Participant), *[(k, m) for k, m, _p in CHILDREN]]:
        labels = {f.name: str(f.verbose_name) for f in model._meta.concrete_fields}
        rows = data[key] if isinstance(data[key], list) else [data[key]]
        sections.append(
            {
                "title": str(model._meta.verbose_name_plural).capitalize(),
                "rows": [
                    [(labels[name], printable(value)) for name, value in row.items()]
                    for row in rows
                ],
            }
        )
    return sections


def printable_history(data: dict[str, Any]) -> list[dict[str, str]]:
    """The access history with its times as dd/mm/yyyy hh:mm."""
    return [{**entry, "at": printable(entry["at"])} for entry in data["access_history"]]
