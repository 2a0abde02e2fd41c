"""Pages of the ratings inbox, under /m/<merchant_slug>/."""

from django.urls import path

from . import bulk_views, case_settings_views, case_views, export, views

app_name = "ratings"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/poll/", views.poll, name="poll"),
    path("inbox/bulk/", bulk_views.bulk, name="bulk"),
    path("inbox/bulk/undo/", bulk_views.bulk_undo, name="bulk-undo"),
    path("inbox/bulk/count/", bulk_views.bulk_count, name="bulk-count"),
    path("inbox/export.csv", export.inbox_export, name="export"),
    path("inbox/<int:rating_id>/", views.inbox, name="rating"),
    path("inbox/<int:rating_id>/unread/", views.mark_unread, name="mark-unread"),
    path("inbox/<int:rating_id>/reply/", views.reply, name="reply"),
    path("inbox/<int:rating_id>/reply/undo/", views.reply_undo, name="reply-undo"),
    path("inbox/<int:rating_id>/case/", case_views.case_change, name="case"),
    path("inbox/<int:rating_id>/note/", case_views.note, name="note"),
    path("inbox/<int:rating_id>/followup/", case_views.followup_request, name="followup"),
    path("inbox/<int:rating_id>/history/", views.history, name="history"),
    path("inbox/<int:rating_id>/profile/", views.profile, name="profile"),
    path("visits/<int:visit_id>/invoice/", views.invoice, name="invoice"),
    path("settings/cases/", case_settings_views.case_settings_page, name="case-settings"),
    path("quick-replies/", views.quick_replies, name="quick-replies"),
    path("quick-replies/<int:quick_reply_id>/", views.quick_reply_edit, name="quick-reply-edit"),
    path("quick-replies/<int:quick_reply_id>/delete/", views.quick_reply_delete, name="quick-reply-delete"),
]
