"""The tenant URLs plus one minimal JSON view: the baseline of the API load benchmark (the
same middleware stack and server, no authentication, no database work in the view)."""

from django.http import JsonResponse
from django.urls import include, path


def ping(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/ping/", ping), path("", include("prm.urls"))]
