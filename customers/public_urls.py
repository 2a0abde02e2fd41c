"""Customer-facing pages reached by signed links (CUS-1..4): /r/, /c/, /u/."""

from django.urls import path

from . import public_views

app_name = "public"
urlpatterns = [
    path("r/<str:token>/", public_views.rate, name="rate"),
    path("c/<str:token>/", public_views.conversation, name="conversation"),
    path("u/<str:token>/", public_views.unsubscribe, name="unsubscribe"),
]
