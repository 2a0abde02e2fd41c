"""REST API v1 routes (API.md): /api/v1/..., merchant endpoints under merchants/<slug>/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts_api
from analytics import api as analytics_api
from autoreply import api as autoreply_api
from gifts import api as gifts_api
from inbox import api as ratings_api
from inbox import customers_api
from inbox import export as ratings_export
from intake import api as intake_api
from merchants import api as merchants_api
from notifications import api as notifications_api
from privacy import api as privacy_api
from ratings_inbox.api.views import not_found

merchant_patterns = [
    path("branches/", merchants_api.BranchListView.as_view(), name="branches"),
    path("ratings/", intake_api.RatingListView.as_view(), name="ratings"),
    path("ratings/summary/", ratings_api.RatingSummaryView.as_view(), name="ratings-summary"),
    path("ratings/bulk/", ratings_api.RatingBulkView.as_view(), name="ratings-bulk"),
    path("ratings/export.csv", ratings_export.RatingExportView.as_view(), name="ratings-export"),
    path("ratings/<int:id>/", ratings_api.RatingDetailView.as_view(), name="rating"),
    path("ratings/<int:id>/read/", ratings_api.RatingReadView.as_view(), name="rating-read"),
    path("ratings/<int:id>/unread/", ratings_api.RatingUnreadView.as_view(), name="rating-unread"),
    path("ratings/<int:id>/messages/", ratings_api.MessageListView.as_view(), name="rating-messages"),
    path("ratings/<int:id>/notes/", ratings_api.RatingNotesView.as_view(), name="rating-notes"),
    path("ratings/<int:id>/events/", ratings_api.RatingEventsView.as_view(), name="rating-events"),
    path("ratings/<int:id>/followup-request/", ratings_api.RatingFollowupRequestView.as_view(),
         name="rating-followup-request"),
    path("customers/", customers_api.CustomerListView.as_view(), name="customers"),
    path("customers/<int:id>/", customers_api.CustomerDetailView.as_view(), name="customer"),
    path("customers/<int:id>/ratings/", customers_api.CustomerRatingsView.as_view(), name="customer-ratings"),
    path("customers/<int:id>/visits/", customers_api.CustomerVisitsView.as_view(), name="customer-visits"),
    path("customers/<int:id>/export/", privacy_api.CustomerExportView.as_view(), name="customer-export"),
    path("customers/<int:id>/erase/", privacy_api.CustomerEraseView.as_view(), name="customer-erase"),
    path("settings/cases/", ratings_api.CaseSettingsView.as_view(), name="case-settings"),
    path("settings/retention/", privacy_api.RetentionView.as_view(), name="retention"),
    path("visits/", intake_api.VisitCreateView.as_view(), name="visits"),
    path("visits/<int:id>/", customers_api.VisitDetailView.as_view(), name="visit"),
    path("api-keys/", merchants_api.ApiKeyListView.as_view(), name="api-keys"),
    path("api-keys/<int:id>/", merchants_api.ApiKeyDetailView.as_view(), name="api-key"),
    path("quick-replies/", ratings_api.QuickReplyListView.as_view(), name="quick-replies"),
    path("quick-replies/<int:id>/", ratings_api.QuickReplyDetailView.as_view(), name="quick-reply"),
    path("gifts/", gifts_api.GiftListView.as_view(), name="gifts"),
    path("gifts/<int:id>/", gifts_api.GiftDetailView.as_view(), name="gift"),
    path("ratings/<int:id>/gifts/", gifts_api.RatingGiftView.as_view(), name="rating-gifts"),
    path("gift-grants/", gifts_api.GrantListView.as_view(), name="gift-grants"),
    path("gift-grants/redeem/", gifts_api.GrantRedeemView.as_view(), name="gift-grants-redeem"),
    path("autoreply/", autoreply_api.AutoReplyView.as_view(), name="autoreply"),
    path("me/notifications/", notifications_api.NotificationPreferencesView.as_view(), name="me-notifications"),
    path("autoreply/preview/", autoreply_api.AutoReplyPreviewView.as_view(), name="autoreply-preview"),
    path("analytics/nps/", analytics_api.NpsView.as_view(), name="analytics-nps"),
    path("analytics/response/", analytics_api.ResponseTimesView.as_view(), name="analytics-response"),
    path("analytics/recovery/", analytics_api.RecoveryView.as_view(), name="analytics-recovery"),
    path("analytics/watchlist/", analytics_api.WatchlistView.as_view(), name="analytics-watchlist"),
]

app_name = "api"

urlpatterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="auth-token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("merchants/<slug:merchant_slug>/", include(merchant_patterns)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from ?script=, not inline (CSP, SEC-4).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
         name="docs"),
    # Anything else under /api/v1/ is a JSON 404, like every other API error.
    re_path(r"^.*$", not_found, name="not-found"),
]
