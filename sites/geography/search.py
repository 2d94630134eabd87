"""Finding a commune as people type it: a name (any case, accents or hyphens), a postcode
or an INSEE code."""

import re

from django.db.models import Case, Q, QuerySet, Value, When

from ..enums import GeoKind
from ..folding import fold
from ..models import GeoUnit


def search_communes(term: str) -> QuerySet[GeoUnit]:
    """Communes matching `term`: digits are a postcode or INSEE code prefix (2A/2B for
    Corsica), anything else a part of the name; names starting with it come first."""
    folded = fold(term)
    communes = GeoUnit.objects.filter(kind=GeoKind.COMMUNE)
    if not folded:
        return communes.none()
    if re.fullmatch(r"\d[0-9ab]\d{0,3}", folded):
        code = folded.upper()
        return communes.filter(
            Q(code__startswith=code)
            | Q(postcodes__startswith=folded)
            | Q(postcodes__contains=f" {folded}")
        ).order_by("code")
    # Names starting with the term first ("nantes": Nantes before Sainte-Luce… de-Nantes).
    starts = Case(When(search_name__startswith=folded, then=Value(0)), default=Value(1))
    return communes.filter(search_name__contains=folded).order_by(starts, "name", "code")
