"""Pages of the gifts app, under /m/<merchant_slug>/gifts/."""

from django.urls import path

from . import views

app_name = "gifts"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("new/", views.gift_create, name="create"),
    path("<int:gift_id>/edit/", views.gift_edit, name="edit"),
    path("<int:gift_id>/active/", views.gift_set_active, name="set_active"),
    path("<int:gift_id>/archive/", views.gift_archive, name="archive"),
    path("redeem/", views.redeem, name="redeem"),
    path("rating/<int:rating_id>/", views.rating_panel, name="rating_panel"),
    path("attach/<int:rating_id>/", views.attach, name="attach"),
    path("grants/<int:grant_id>/redeem/", views.grant_redeem, name="grant_redeem"),
    path("customers/<int:customer_id>/points/", views.points, name="points"),
]
