"""What the generator plans before it writes: structures, parcours, the result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# --- The plan: organisations, then person-level rows ----------------------------------------


@dataclass
class StructureInfo:
    id: int
    kind: str
    dept: int  # index of its département
    sites: list[int]
    programmes: list[str]
    author_id: int
    employer_for_dph: int = 0


@dataclass
class Parcours:
    """One parcours before it is written (the children derive from it)."""

    participant: int  # index into the participants list
    structure: int  # index into the structures list
    programme: str
    status: str
    start: int  # date ordinals
    end: int | None
    site: int
    deployment: int | None
    previous: Parcours | None = None
    situation: str = ""
    entry_housing: str = "INCONNU"
    exit_housing: str = "INCONNU"
    hours: list[tuple[int, float]] = field(default_factory=list)  # paliers (from, h/week)
    derogation: bool = False
    id: int = 0


@dataclass
class Result:
    scale: str
    seed: int
    counts: dict[str, int]
    seconds: float
    tag: str


def _iso(ordinal: int, _cache: dict[int, str] = {}) -> str:  # noqa: B006 (deliberate memo)
    text = _cache.get(ordinal)
    if text is None:
        text = _cache[ordinal] = dt.date.fromordinal(ordinal).isoformat()
    return text
