"""Mounted at /bench/ only when the environment sets BENCH_VIEWS=1 (see ratings_inbox/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("hello/", views.hello, name="bench-hello"),
    path("floor/<str:name>/", views.floor, name="bench-floor"),
]
