"""Pages reached from staff e-mails without a login (SLA-6)."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("n/<str:token>/", views.stop, name="stop"),
]
