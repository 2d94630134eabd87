"""A NUL byte in a URL is a bad request (400), refused before any view reads it.

PostgreSQL's text types cannot hold the NUL character and psycopg refuses a query parameter
that contains one, so a `%00` in a path or a query value that reached a lookup
(`?programme=%00` on the enrolment form, `?structure=%00` on a territory dashboard) was a
server error. No page of Sillon has a use for it and no browser sends one: the request gets
the French 400 page. Form fields refuse it with a message next to the field (Django's
`ProhibitNullCharactersValidator` on every CharField); a POST body is left to them, since
reading it here would parse uploads before the views decide how.
"""

from django.core.exceptions import BadRequest

NUL = "\x00"


def carries_nul(request) -> bool:
    return NUL in request.path_info or any(
        NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()
    )


class RefuseNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if carries_nul(request):
            raise BadRequest("NUL byte in the URL")
        return self.get_response(request)
