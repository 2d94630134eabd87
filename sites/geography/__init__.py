"""The official administrative division of France (régions, départements, EPCI, communes)
as GeoUnit rows: loaded from the extract `cog.json.gz` (scripts/refresh_geography.py makes it
from the npm package @etalab/decoupage-administratif, MIT, see LICENSE.decoupage-administratif)
and searched by name, postcode or code."""

from ..folding import fold
from .loader import DEFAULT_EXTRACT, GeographyLoad, load_geography, read_extract
from .search import search_communes

__all__ = [
    "DEFAULT_EXTRACT",
    "GeographyLoad",
    "fold",
    "load_geography",
    "read_extract",
    "search_communes",
]
