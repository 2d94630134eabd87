"""Links to one object per row, for pages that list hundreds of rows."""

from collections.abc import Callable

from django.urls import reverse

# An id no real object has, replaced in the reversed URL by each row's id.
_SENTINEL = 987654321987654321


def url_for_ids(viewname: str, kwarg: str) -> Callable[[int], str]:
    """reverse(viewname, kwargs={kwarg: id}) as a function of the id, resolving the URL
    pattern once rather than once per row: the id is put in place of a sentinel path
    segment."""
    pattern = reverse(viewname, kwargs={kwarg: _SENTINEL})
    segment = f"/{_SENTINEL}/"
    return lambda pk: pattern.replace(segment, f"/{int(pk)}/")
