"""API v1 of the inbox: ratings, their summary, read state, messages, quick replies (API.md)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from customers.links import conversation_url
from customers.selectors import customer_list, visit_lines_load
from gifts.selectors import customer_gift_counters, grants_for_rating
from merchants.api_views import MerchantView
from merchants.selectors import branch_list
from ratings import case_settings, cases, followup, services
from ratings.models import Band, CasePriority, CaseStatus, QuickReply, Rating, Sla
from ratings.selectors import (
    DEFAULT_ORDERING,
    ORDERINGS,
    RatingFilters,
    case_events,
    quick_reply_get,
    quick_reply_list,
    rating_get,
    rating_item_rows,
    rating_summary,
    rating_thread,
)
from ratings_inbox.api import params
from ratings_inbox.api.pagination import paginated_response, paginated_schema
from ratings_inbox.api.schema import PAGE_PARAMETERS, READ_ERRORS, WRITE_ERRORS, errors
from ratings_inbox.keyset import Column

from .serializers import (
    BulkResultSerializer,
    BulkSerializer,
    CaseEventSerializer,
    CaseSettingsSerializer,
    CaseUpdateSerializer,
    FollowupRefusedSerializer,
    FollowupRequestedSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    QuickReplySerializer,
    RatingDetailSerializer,
    RatingItemSerializer,
    SummarySerializer,
    items_from_rows,
)

BRANCH_PARAMETER = OpenApiParameter("branch", int, description="A branch id of the merchant; 400 otherwise.")
DATE_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE,
                     description="Received on or after this day (merchant's time zone), YYYY-MM-DD."),
    OpenApiParameter("date_to", OpenApiTypes.DATE,
                     description="Received on or before this day (merchant's time zone), YYYY-MM-DD."),
]
LIST_PARAMETERS = [
    BRANCH_PARAMETER,
    OpenApiParameter("customer", int, description="A customer id of the merchant; 400 otherwise."),
    *DATE_PARAMETERS,
    OpenApiParameter("q", str, description="Customer name: start of any word, case- and accent-insensitive; "
                                           "or a customer's exact e-mail or phone; or #<rating id>."),
    OpenApiParameter("status", str, description="One or more of none, new, open, escalated, resolved, "
                                                "comma-separated."),
    OpenApiParameter("owner", str, description="me, none, or a user id."),
    OpenApiParameter("priority", str, enum=[p.value for p in CasePriority]),
    OpenApiParameter("needs_reply", str, enum=["true", "false"]),
    OpenApiParameter("sla", str, enum=[Sla.AT_RISK.value, Sla.BREACHED.value]),
    OpenApiParameter("band", str, enum=[b.value for b in Band]),
    OpenApiParameter("score_min", int, description="1-10"),
    OpenApiParameter("score_max", int, description="1-10"),
    OpenApiParameter("has_comment", str, enum=["true", "false"]),
    OpenApiParameter("is_read", str, enum=["true", "false"]),
    OpenApiParameter(
        "ordering", str, enum=list(ORDERINGS),
        description="Default -created_at. is_read: unread first. Ties: -created_at, then -id.",
    ),
    *PAGE_PARAMETERS,
]
RatingPage = paginated_schema(RatingItemSerializer, "RatingPage")


def _visible_branch(view, branch_id: int | None) -> int | None:
    """The branch filter, refused at once when outside a restricted member's branches (TEN-5).

    Whether it is a branch of the merchant at all is checked by check_references(), and only
    when nothing matched: a row that matched proves it (a rating's branch is always of its
    own merchant, by a composite foreign key), and the check was one more statement for
    every filtered request (bench: list branch 1.47 x the unfiltered list).
    """
    if branch_id is None:
        return None
    if not view.access.sees_branch(branch_id):
        raise ValidationError({"branch": [_("Not a branch of this merchant.")]})
    return branch_id


def check_references(view, filters: RatingFilters) -> None:
    """400 for a branch or customer filter that names no row of this merchant (API-3)."""
    access = view.access
    if filters.branch_id is not None and not branch_list(access=access).filter(pk=filters.branch_id).exists():
        raise ValidationError({"branch": [_("Not a branch of this merchant.")]})
    if filters.customer_id is not None and not customer_list(access=access).filter(pk=filters.customer_id).exists():
        raise ValidationError({"customer": [_("Not a customer of this merchant.")]})


def filters_from_query(view, request, *, counters: bool = False) -> RatingFilters:
    """The inbox filters of the query string, every value checked (INB-4, API-3).

    Call check_references() when the filtered request found nothing.
    """
    filters = RatingFilters(
        branch_id=_visible_branch(view, params.identifier(request, "branch")),
        date_from=params.date(request, "date_from"),
        date_to=params.date(request, "date_to"),
    )
    if counters:
        return filters
    customer_id = params.identifier(request, "customer")
    filters.customer_id = customer_id
    filters.q = params.text(request, "q")
    filters.band = params.choice(request, "band", [b.value for b in Band])
    filters.score_min = params.integer(request, "score_min", minimum=1, maximum=10)
    filters.score_max = params.integer(request, "score_max", minimum=1, maximum=10)
    filters.has_comment = params.boolean(request, "has_comment")
    filters.is_read = params.boolean(request, "is_read")
    case_filters(request, filters)
    return filters


def case_filters(request, filters: RatingFilters) -> None:
    """The case filters of API.md "Follow-up cases": status (comma-separated), owner (me, none or
    a user id), priority, needs_reply, sla."""
    statuses = params.text(request, "status")
    if statuses:
        chosen = [value.strip() for value in statuses.split(",") if value.strip()]
        if not chosen or any(value not in CaseStatus.values for value in chosen):
            raise ValidationError({"status": [_("Must be one or more of: %(c)s.") % {
                "c": ", ".join(CaseStatus.values)}]})
        filters.status = chosen
    owner = params.text(request, "owner")
    if owner in ("me", "none"):
        filters.owner = owner
    elif owner:
        filters.owner = params.identifier(request, "owner")
    filters.priority = params.choice(request, "priority", CasePriority.values)
    filters.needs_reply = params.boolean(request, "needs_reply")
    filters.sla = params.choice(request, "sla", [Sla.AT_RISK, Sla.BREACHED])


def rating_detail_data(view, rating: Rating, *, created: bool = False) -> dict:
    """The rating as API.md's detail: visit and invoice, customer counters, thread, grants.

    created: the rating was inserted by this request's transaction, which gave it no gift; no other
    transaction can have (none sees the rating before this one commits): its grants are not read.
    """
    access = view.access
    customer = rating.customer
    rating.customer_stats = {
        "id": customer.pk,
        "full_name": customer.full_name,
        **customer_gift_counters(access=access, customer=customer, last_score=True),
    }
    rating.thread = rating_thread(access=access, rating=rating)
    rating.grants = [] if created else grants_for_rating(access=access, rating=rating)
    visit_lines_load(access=access, visit=rating.visit)
    rating.conversation_url = conversation_url(rating)
    return RatingDetailSerializer(rating).data


class RatingListView(MerchantView):
    @extend_schema(operation_id="ratings_list", parameters=LIST_PARAMETERS,
                   responses={200: RatingPage, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug):
        filters = filters_from_query(self, request)
        ordering = params.choice(request, "ordering", list(ORDERINGS), DEFAULT_ORDERING)
        ratings = rating_item_rows(access=self.access, filters=filters)

        def serialize(rows):
            if not rows:
                check_references(self, filters)
            return items_from_rows(rows)

        return paginated_response(request, ratings, ordering=ordering, columns=ORDERINGS[ordering],
                                  serialize=serialize)


class RatingSummaryView(MerchantView):
    @extend_schema(operation_id="ratings_summary", parameters=[BRANCH_PARAMETER, *DATE_PARAMETERS],
                   responses={200: SummarySerializer, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug):
        filters = filters_from_query(self, request, counters=True)
        row = rating_summary(access=self.access, filters=filters)
        if not row["total_ratings"]:
            check_references(self, filters)
        return Response(SummarySerializer(row).data)


class RatingView(MerchantView):
    def get_rating(self, id: int) -> Rating:
        return rating_get(access=self.access, id=id)

    def message_created(self, request, id: int, add) -> Response:
        """A staff member's entry in the rating's thread (a reply or a note), added by `add`: 201."""
        rating = self.get_rating(id)
        data = MessageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = add(merchant=self.merchant, rating=rating, author=request.user, body=data.validated_data["body"])
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class RatingDetailView(RatingView):
    roles = {"PATCH": "staff"}

    @extend_schema(operation_id="ratings_retrieve", responses={200: RatingDetailSerializer, **errors(*READ_ERRORS)},
                   description="Reading a rating through the API does not change its read state.")
    def get(self, request, merchant_slug, id):
        return Response(rating_detail_data(self, self.get_rating(id)))

    @extend_schema(operation_id="ratings_partial_update", request=CaseUpdateSerializer,
                   responses={200: RatingDetailSerializer, **errors(*WRITE_ERRORS)},
                   description="Any member: the case's status, priority and owner (CASE-1..3). An owner who "
                               "cannot see the rating's branch: 400 on owner.")
    def patch(self, request, merchant_slug, id):
        rating = self.get_rating(id)
        data = CaseUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = {name: data.validated_data[name] for name in ("status", "priority", "owner")
                   if name in data.validated_data}
        cases.case_update(access=self.access, rating=rating, actor=request.user, **changes)
        return Response(rating_detail_data(self, self.get_rating(id)))


class RatingNotesView(RatingView):
    roles = {"POST": "staff"}

    @extend_schema(operation_id="ratings_notes_create", request=MessageCreateSerializer,
                   responses={201: MessageSerializer, **errors(*WRITE_ERRORS)},
                   description="An internal note (CASE-4): never e-mailed or shown to the customer.")
    def post(self, request, merchant_slug, id):
        return self.message_created(request, id, services.note_add)


class RatingEventsView(RatingView):
    @extend_schema(operation_id="ratings_events_list", responses={200: CaseEventSerializer(many=True),
                                                                  **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug, id):
        rating = self.get_rating(id)
        return Response(CaseEventSerializer(case_events(access=self.access, rating=rating), many=True).data)


class RatingBulkView(MerchantView):
    roles = {"POST": "staff"}

    @extend_schema(operation_id="ratings_bulk", request=BulkSerializer,
                   responses={200: BulkResultSerializer, **errors(*WRITE_ERRORS)},
                   description="All or nothing (CASE-8): an id the caller cannot see is a 400 on ids.")
    def post(self, request, merchant_slug):
        data = BulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        updated = services.ratings_bulk(access=self.access, actor=request.user, ids=values["ids"],
                                        action=values["action"], value=values.get("value"))
        return Response({"updated": updated})


class RatingFollowupRequestView(RatingView):
    roles = {"POST": "staff"}

    @extend_schema(operation_id="ratings_followup_request", request=None,
                   responses={202: FollowupRequestedSerializer, 409: FollowupRefusedSerializer,
                              **errors(*READ_ERRORS)},
                   description="Any member (ANA-4): e-mails the customer of a resolved case a link to rate again "
                               "(/f/<token>/), once per rating. 409 with a `code` when the case is not resolved, "
                               "the customer was already asked, has no e-mail, unsubscribed or was erased.")
    def post(self, request, merchant_slug, id):
        rating = self.get_rating(id)
        try:
            followup.followup_request(access=self.access, rating=rating, actor=request.user)
        except followup.FollowupRefused as exc:
            return Response({"detail": " ".join(exc.messages), "code": exc.reason}, status=status.HTTP_409_CONFLICT)
        return Response(FollowupRequestedSerializer({"status": "queued",
                                                     "followup_requested_at": rating.followup_requested_at}).data,
                        status=status.HTTP_202_ACCEPTED)


class RatingReadView(RatingView):
    roles = {"POST": "staff"}
    unread = False

    @extend_schema(request=None, responses={204: None, **errors(*READ_ERRORS)})
    def post(self, request, merchant_slug, id):
        rating = self.get_rating(id)
        if self.unread:
            services.rating_mark_unread(merchant=self.merchant, rating=rating)
        else:
            services.rating_mark_read(merchant=self.merchant, rating=rating)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RatingUnreadView(RatingReadView):
    unread = True


class MessageListView(RatingView):
    roles = {"POST": "staff"}

    @extend_schema(operation_id="ratings_messages_list", responses={200: MessageSerializer(many=True),
                                                                    **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug, id):
        rating = self.get_rating(id)
        return Response(MessageSerializer(rating_thread(access=self.access, rating=rating), many=True).data)

    @extend_schema(operation_id="ratings_messages_create", request=MessageCreateSerializer,
                   responses={201: MessageSerializer, **errors(*WRITE_ERRORS)},
                   description="A staff reply, e-mailed to the customer. Empty or over 5,000 characters: 400.")
    def post(self, request, merchant_slug, id):
        return self.message_created(request, id, services.rating_reply)


QuickReplyPage = paginated_schema(QuickReplySerializer, "QuickReplyPage")
QUICK_REPLY_COLUMNS = [Column("title", False), Column("id", False)]


class QuickReplyListView(MerchantView):
    @extend_schema(operation_id="quick_replies_list", parameters=PAGE_PARAMETERS,
                   responses={200: QuickReplyPage, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug):
        replies = quick_reply_list(access=self.access)
        return paginated_response(
            request, replies, ordering="title", columns=QUICK_REPLY_COLUMNS,
            serialize=lambda rows: QuickReplySerializer(rows, many=True).data,
        )

    @extend_schema(operation_id="quick_replies_create", request=QuickReplySerializer,
                   responses={201: QuickReplySerializer, **errors(*WRITE_ERRORS)})
    def post(self, request, merchant_slug):
        data = QuickReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reply = services.quick_reply_create(merchant=self.merchant, actor=request.user, **data.validated_data)
        return Response(QuickReplySerializer(reply).data, status=status.HTTP_201_CREATED)


class QuickReplyDetailView(MerchantView):
    def get_reply(self, id) -> QuickReply:
        return quick_reply_get(access=self.access, id=id)

    @extend_schema(operation_id="quick_replies_retrieve", responses={200: QuickReplySerializer, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug, id):
        return Response(QuickReplySerializer(self.get_reply(id)).data)

    @extend_schema(operation_id="quick_replies_partial_update", request=QuickReplySerializer(partial=True),
                   responses={200: QuickReplySerializer, **errors(*WRITE_ERRORS)})
    def patch(self, request, merchant_slug, id):
        reply = self.get_reply(id)
        data = QuickReplySerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        reply = services.quick_reply_update(merchant=self.merchant, quick_reply=reply, actor=request.user,
                                            **data.validated_data)
        return Response(QuickReplySerializer(reply).data)

    @extend_schema(operation_id="quick_replies_destroy", responses={204: None, **errors(*READ_ERRORS)})
    def delete(self, request, merchant_slug, id):
        services.quick_reply_delete(merchant=self.merchant, quick_reply=self.get_reply(id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)



class CaseSettingsView(MerchantView):
    """API.md "Case settings" (SLA-1): any member reads them, an admin changes them."""

    roles = {"GET": "staff", "PUT": "admin"}

    @extend_schema(operation_id="case_settings_retrieve",
                   responses={200: CaseSettingsSerializer, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug):
        return Response(CaseSettingsSerializer(self.merchant).data)

    @extend_schema(operation_id="case_settings_update", request=CaseSettingsSerializer,
                   responses={200: CaseSettingsSerializer, **errors(*WRITE_ERRORS)},
                   description="Fields left out keep their value. Changing the target or the opening hours moves "
                               "the due times of the cases still waiting for a first reply (SLA-1); answered "
                               "cases keep theirs. A bad value is a 400 naming the field, and nothing changes. "
                               "An admin who sees every branch: a branch-restricted admin gets 403.")
    def put(self, request, merchant_slug):
        data = CaseSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        merchant = self.merchant
        current = {name: getattr(merchant, name)
                   for name in ("first_response_hours", "opening_hours", "followup_on_resolve")}
        merchant = case_settings.case_settings_set(access=self.access, actor=request.user,
                                                   **{**current, **data.validated_data})
        return Response(CaseSettingsSerializer(merchant).data)
