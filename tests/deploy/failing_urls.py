"""The project's URLs plus a page and an API path that fail, to see the 500 responses."""

from django.urls import path

from ratings_inbox.urls import handler404, handler500  # noqa: F401
from ratings_inbox.urls import urlpatterns as project_urlpatterns


def broken(request):
    raise RuntimeError("a defect")


urlpatterns = [path("broken/", broken), path("api/v1/broken/", broken), *project_urlpatterns]
