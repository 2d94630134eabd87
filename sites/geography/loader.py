"""Loading the extract into GeoUnit rows: one upsert per level, by (kind, code)."""

import gzip
import json
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from ..enums import GeoKind
from ..folding import fold
from ..models import GeoUnit

DEFAULT_EXTRACT = Path(__file__).resolve().parent / "cog.json.gz"
COUNTRY_CODE = "FR"
UPDATED = ["name", "parent", "epci", "postcodes", "search_name"]


@dataclass(frozen=True)
class GeographyLoad:
    """What a load did: units per kind in the extract, how many rows it inserted or
    updated (the others were already as listed), the units of the database the extract no
    longer lists (left as they are: work sites may still point at them), and the time it
    took."""

    source: str
    rows: dict[str, int]
    written: int
    not_in_extract: int
    seconds: float

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def read_extract(path: Path | str = DEFAULT_EXTRACT) -> dict:
    path = Path(path)
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return json.loads(raw)


def _upsert(units: list[GeoUnit], written: list[int]) -> dict[str, int]:
    """Insert or update `units` (all of one kind) by (kind, code), writing only the new and
    the changed ones (a second load writes nothing, `written` counts them); returns
    code → id."""
    if not units:
        return {}
    kind = units[0].kind
    stored = {
        row[0]: row[1:]
        for row in GeoUnit.objects.filter(kind=kind).values_list(
            "code",
            "pk",
            *(f"{name}_id" if name in ("parent", "epci") else name for name in UPDATED),
        )
    }
    changed = [
        unit
        for unit in units
        if unit.code not in stored
        or stored[unit.code][1:]
        != (unit.name, unit.parent_id, unit.epci_id, unit.postcodes, unit.search_name)
    ]
    if changed:
        GeoUnit.objects.bulk_create(
            changed,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["kind", "code"],
            update_fields=UPDATED,
        )
        stored.update({unit.code: (unit.pk,) for unit in changed})
        written.append(len(changed))
    return {unit.code: stored[unit.code][0] for unit in units}


def _unit(kind: str, code: str, name: str, **links) -> GeoUnit:
    return GeoUnit(kind=kind, code=code, name=name, search_name=fold(name), **links)


@transaction.atomic
def load_geography(data: dict) -> GeographyLoad:
    """Every région, département, EPCI and commune of `data` (read_extract's format), with
    their parent and EPCI links; loading the same data twice changes nothing."""
    started = time.monotonic()
    written: list[int] = []
    country = _upsert([_unit(GeoKind.PAYS, COUNTRY_CODE, "France")], written)
    regions = _upsert(
        [
            _unit(GeoKind.REGION, code, name, parent_id=country[COUNTRY_CODE])
            for code, name in data["regions"]
        ],
        written,
    )
    departements = _upsert(
        [
            _unit(GeoKind.DEPARTEMENT, code, name, parent_id=regions[region])
            for code, name, region in data["departements"]
        ],
        written,
    )
    # An EPCI has no parent: some straddle départements (see GeoUnit).
    epcis = _upsert(
        [_unit(GeoKind.EPCI, code, name) for code, name, _kind in data["epci"]], written
    )
    communes = _upsert(
        [
            _unit(
                GeoKind.COMMUNE,
                code,
                name,
                parent_id=departements[dept],
                epci_id=epcis[epci] if epci else None,
                postcodes=postcodes,
            )
            for code, name, dept, epci, postcodes in data["communes"]
        ],
        written,
    )
    listed = {
        GeoKind.PAYS: country,
        GeoKind.REGION: regions,
        GeoKind.DEPARTEMENT: departements,
        GeoKind.EPCI: epcis,
        GeoKind.COMMUNE: communes,
    }
    # Only units of an official kind and code count as "no longer listed"; synthetic trees
    # (the benchmark dataset's Z… codes) and hand-made units are not the extract's business.
    not_in_extract = sum(
        GeoUnit.objects.filter(kind=kind).exclude(code__startswith="Z").count() - len(ids)
        for kind, ids in listed.items()
        if kind != GeoKind.PAYS
    )
    return GeographyLoad(
        source=data.get("source", ""),
        rows={str(kind): len(ids) for kind, ids in listed.items()},
        written=sum(written),
        not_in_extract=not_in_extract,
        seconds=time.monotonic() - started,
    )
