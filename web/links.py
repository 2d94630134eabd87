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


def requested_return(request) -> str:
    """The `next` a form was opened with ("Aujourd'hui" sends its items' forms there and
    back) when it is a path of this site, else ''."""
    from django.utils.http import url_has_allowed_host_and_scheme

    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate.startswith("/")
        and not candidate.startswith("//")
        and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()})
    ):
        return candidate
    return ""


def return_url(request, default: str) -> str:
    """Where to go after a form: its requested return, else `default`."""
    return requested_return(request) or default
