"""A probe URLconf for the row-level security middleware tests."""

from django.db import connection
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import path

from participants.models import Participant


def probe(request):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, current_setting('app.structure_ids', true), pg_backend_pid()"
        )
        role, structures, pid = cursor.fetchone()
    # Deliberately unfiltered: row-level security alone must hide other structures.
    names = sorted(Participant.objects.values_list("last_name", flat=True))
    return JsonResponse({"role": role, "structures": structures, "names": names, "pid": pid})


def stream(request):
    def rows():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            yield cursor.fetchone()[0] + "\n"
        for name in Participant.objects.values_list("last_name", flat=True):
            yield name + "\n"

    return StreamingHttpResponse(rows(), content_type="text/plain")


urlpatterns = [path("probe/", probe), path("stream/", stream)]


def rename(request, pk):
    Participant.objects.filter(pk=pk).update(first_name=request.POST["first_name"])
    return JsonResponse({"ok": True})


urlpatterns.append(path("rename/<int:pk>/", rename))
