"""Customer-facing pages reached by signed links (CUS-1..4, ANA-4): /r/, /c/, /u/, /f/."""

from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("r/<str:token>/", views.rate, name="rate"),
    path("c/<str:token>/", views.conversation, name="conversation"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("f/<str:token>/", views.followup, name="followup"),
]
