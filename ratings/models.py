"""Ratings (one per visit), their follow-up cases, conversation threads and quick replies."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, Visit
from merchants.models import Branch, TenantForeignKey, TenantModel, TenantOneToOneField

COMMENT_EXCERPT_LENGTH = 140
MESSAGE_MAX_LENGTH = 5000


class Band(models.TextChoices):
    PROMOTER = "promoter", _("Promoter")
    PASSIVE = "passive", _("Passive")
    DETRACTOR = "detractor", _("Detractor")


def band_for(score: int) -> str:
    """NPS band of a 1-10 score: 9-10 promoter, 7-8 passive, 1-6 detractor (INB-2)."""
    if score >= 9:
        return Band.PROMOTER
    if score >= 7:
        return Band.PASSIVE
    return Band.DETRACTOR


BAND_SCORES = {Band.PROMOTER: (9, 10), Band.PASSIVE: (7, 8), Band.DETRACTOR: (1, 6)}


class CaseStatus(models.TextChoices):
    """A rating's follow-up (CASE-1): `none` until a case is opened on it."""

    NONE = "none", _("No case")
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")


OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.ESCALATED)


class CasePriority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Sla(models.TextChoices):
    """Where a case stands against its first-response target (SLA-2)."""

    NONE = "none", _("No target")
    ON_TIME = "on_time", _("On time")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Overdue")
    MET = "met", _("Answered in time")
    MISSED = "missed", _("Answered late")


class SlaAlerted(models.IntegerChoices):
    """How far a case's SLA alerts have gone (SLA-3): the last stage whose moment was dealt with,
    alerted or already past when the case arrived. Plain-SQL rows (imports) default to done."""

    NOTHING = 0, "nothing yet"
    AT_RISK = 1, "at risk"
    BREACHED = 2, "breached"


def sla_alert_next():
    """The next moment a case's SLA alert falls due: its at-risk time until that is dealt with,
    then its due time. rating_sla_alert_next indexes exactly this expression (SLA-3)."""
    return models.Case(models.When(sla_alerted=SlaAlerted.NOTHING, then=models.F("at_risk_at")),
                       default=models.F("due_at"))


# The cases whose SLA alerts are not all dealt with: done, answered or closed ones leave the index.
SLA_ALERT_PENDING = models.Q(status__in=OPEN_STATUSES, first_response_at__isnull=True,
                             sla_alerted__lt=SlaAlerted.BREACHED)


# The key of ordering=due_at for ratings without a due time: after every real one. A column
# that is never null keeps that ordering one index range, cursor included (ratings_inbox.keyset).
DUE_NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def _inbox_index(name, *columns):
    """merchant first, the ordering's columns, then the tie-break: newest first, then id."""
    return models.Index("merchant", *columns, name=name)


# The case views and orderings (CASE-6, CASE-7), each one index range like the inbox's. Built
# CONCURRENTLY by migration 0007 (SCALE-4): the same definitions, kept here for Django's state.
CASE_INDEXES = [
    _inbox_index("rating_inbox_activity_desc", models.F("last_activity_at").desc(),
                 models.F("created_at").desc(), models.F("id").desc()),
    _inbox_index("rating_inbox_activity_asc", models.F("last_activity_at").asc(),
                 models.F("created_at").desc(), models.F("id").desc()),
    _inbox_index("rating_inbox_due", models.F("due_order").asc(), models.F("created_at").desc(),
                 models.F("id").desc()),
    _inbox_index("rating_inbox_status", "status", models.F("created_at").desc(), models.F("id").desc()),
    models.Index("merchant", "owner", models.F("created_at").desc(), models.F("id").desc(),
                 name="rating_inbox_owner", condition=models.Q(owner__isnull=False)),
    models.Index("merchant", models.F("last_activity_at").desc(), models.F("created_at").desc(),
                 models.F("id").desc(), name="rating_needs_reply", condition=models.Q(needs_reply=True)),
    # Built by migration 0012 (bench at 1,000,000 ratings, the large merchant's 60,000 ratings in
    # progress): the case views' counts (ratings.selectors._CASE_COUNTS_SQL) read this index alone,
    # and Unassigned and sla=breached walk it in the inbox order.
    models.Index(fields=["merchant", "-created_at", "-id"], name="rating_case_counts",
                 include=["branch", "status", "needs_reply", "owner", "first_response_at", "due_at"],
                 condition=models.Q(needs_reply=True) | models.Q(status__in=OPEN_STATUSES)),
    # sla=at_risk (SLA-2) is a due_at range of the unanswered cases: the few at risk instead of
    # a walk of every rating of the merchant.
    # The summary's overdue count is a range of it too, index-only with the dates and branch.
    models.Index(fields=["merchant", "due_at"], name="rating_unanswered_due", include=["created_at", "branch"],
                 condition=models.Q(status__in=OPEN_STATUSES, first_response_at__isnull=True)),
]


class Rating(TenantModel):
    """A customer's 1-10 score for a visit, with what the merchant's inbox needs on the row.

    customer, branch and customer_name_key copy the visit's so that every inbox order and
    filter is one index range scan; messages_count, replies_count and last_message_at are
    kept by the services that add messages.
    """

    # One-to-one for Django (visit.rating, select_related("rating")); in the database the one
    # rating per visit is the (visit, merchant) constraint below: the migration dropped the
    # unique on visit_id alone that a OneToOneField makes (a sharded table cannot have it).
    visit = TenantOneToOneField(Visit, on_delete=models.PROTECT, related_name="rating", db_constraint=False)
    customer = TenantForeignKey(Customer, on_delete=models.PROTECT, related_name="ratings", db_constraint=False)
    branch = TenantForeignKey(Branch, on_delete=models.PROTECT, related_name="ratings", db_constraint=False)
    customer_name_key = models.CharField(max_length=200, db_collation="C", editable=False)
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), null=True, blank=True)
    is_read = models.BooleanField(_("read"), default=False)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    messages_count = models.PositiveIntegerField(default=0)
    replies_count = models.PositiveIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    autoreply_due_at = models.DateTimeField(
        null=True, blank=True,
        help_text="Set when the rating arrived eligible for the auto-reply (AR-3); cleared when decided.",
    )
    # The follow-up case (CASE-1..7), written by ratings.cases only.
    # Defaults in the database too, for rows written by plain SQL (imports, the bench generator).
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.NONE,
                              db_default=CaseStatus.NONE)
    priority = models.CharField(_("priority"), max_length=10, choices=CasePriority.choices, null=True, blank=True)
    # Indexed by rating_inbox_owner (merchant first), not by a column index of its own.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("owner"), db_index=False)
    case_opened_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    at_risk_at = models.DateTimeField(null=True, blank=True)
    due_order = models.DateTimeField(default=DUE_NEVER, db_default=DUE_NEVER, editable=False)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    # Who sent that first reply: the member a case's response time is counted for (ANA-2).
    first_responder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+", db_index=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now, db_default=Now())
    needs_reply = models.BooleanField(_("needs reply"), default=False, db_default=False)
    followup_score = models.PositiveSmallIntegerField(_("follow-up score"), null=True, blank=True)
    followup_at = models.DateTimeField(null=True, blank=True)
    # When the customer was asked to rate again (ANA-4): the follow-up e-mail, recorded once
    # (notifications' one_followup_per_rating), in the same transaction.
    followup_requested_at = models.DateTimeField(_("follow-up requested"), null=True, blank=True)
    # Set by ratings.cases when a case opens and by alerts.services with the alerts it records.
    sla_alerted = models.SmallIntegerField(choices=SlaAlerted.choices, default=SlaAlerted.BREACHED,
                                           db_default=SlaAlerted.BREACHED)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "merchant"], name="rating_one_per_visit"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=10), name="rating_score_1_to_10"
            ),
            models.CheckConstraint(
                condition=models.Q(comment__isnull=True) | ~models.Q(comment__regex=r"^\s*$"),
                name="rating_comment_not_blank",
            ),
            models.CheckConstraint(condition=models.Q(status__in=CaseStatus.values), name="rating_status_known"),
            models.CheckConstraint(
                condition=(models.Q(status="none", priority__isnull=True)
                           | (~models.Q(status="none") & models.Q(priority__in=CasePriority.values))),
                name="rating_priority_iff_case",
            ),
            models.CheckConstraint(
                condition=models.Q(followup_score__isnull=True)
                | models.Q(followup_score__gte=1, followup_score__lte=10),
                name="rating_followup_score_1_to_10",
            ),
        ]
        indexes = [
            _inbox_index("rating_inbox_created", models.F("created_at").desc(), models.F("id").desc()),
            _inbox_index("rating_inbox_created_asc", models.F("created_at").asc(), models.F("id").desc()),
            _inbox_index("rating_inbox_score_desc", models.F("score").desc(),
                         models.F("created_at").desc(), models.F("id").desc()),
            _inbox_index("rating_inbox_score_asc", models.F("score").asc(),
                         models.F("created_at").desc(), models.F("id").desc()),
            _inbox_index("rating_inbox_customer_asc", models.F("customer_name_key").asc(),
                         models.F("created_at").desc(), models.F("id").desc()),
            _inbox_index("rating_inbox_customer_desc", models.F("customer_name_key").desc(),
                         models.F("created_at").desc(), models.F("id").desc()),
            _inbox_index("rating_inbox_unread_first", models.F("is_read").asc(),
                         models.F("created_at").desc(), models.F("id").desc()),
            _inbox_index("rating_inbox_read_first", models.F("is_read").desc(),
                         models.F("created_at").desc(), models.F("id").desc()),
            _inbox_index("rating_inbox_branch", "branch",
                         models.F("created_at").desc(), models.F("id").desc()),
            models.Index(fields=["merchant", "customer", "-created_at", "-id"], name="rating_customer_recent"),
            models.Index(
                fields=["autoreply_due_at"], name="rating_autoreply_due",
                condition=models.Q(autoreply_due_at__isnull=False),
            ),
            *CASE_INDEXES,
            # The SLA-3 sweep reads the range "next alert moment <= now" of this index only: 20,000
            # open cases, a handful due (built CONCURRENTLY by migration 0016).
            models.Index(sla_alert_next(), name="rating_sla_alert_next", condition=SLA_ALERT_PENDING),
        ]

    def __str__(self):
        return f"{self.score} by {self.customer_id}"

    @property
    def band(self) -> str:
        return band_for(self.score)

    @property
    def sla(self) -> str:
        return sla_state(self, timezone.now())

    @property
    def owner_ref(self) -> dict | None:
        """The owner as API.md writes it, {"id", "full_name"}, or None."""
        if self.owner_id is None:
            return None
        return {"id": self.owner_id, "full_name": self.owner.get_full_name()}

    @property
    def has_comment(self) -> bool:
        return self.comment is not None

    @property
    def comment_excerpt(self) -> str | None:
        return None if self.comment is None else self.comment[:COMMENT_EXCERPT_LENGTH]


def sla_alert_stage_reached(rating, now) -> int:
    """The SLA stage whose moment has already come at `now` (SLA-3): what a case that arrives or
    opens now has passed without an alert, since alerts concern the present."""
    if rating.due_at is not None and now >= rating.due_at:
        return SlaAlerted.BREACHED
    if rating.at_risk_at is not None and now >= rating.at_risk_at:
        return SlaAlerted.AT_RISK
    return SlaAlerted.NOTHING


def sla_state(rating, now) -> str:
    """SLA-2 from the stored times: until the first staff reply on time, at risk or breached;
    after it met or missed (a case resolved unanswered is judged at its resolution)."""
    if rating.status == CaseStatus.NONE or rating.due_at is None:
        return Sla.NONE
    answered = rating.first_response_at or (rating.resolved_at if rating.status == CaseStatus.RESOLVED else None)
    if answered is not None:
        return Sla.MET if answered <= rating.due_at else Sla.MISSED
    if now >= rating.due_at:
        return Sla.BREACHED
    if rating.at_risk_at is not None and now >= rating.at_risk_at:
        return Sla.AT_RISK
    return Sla.ON_TIME


class CaseEvent(TenantModel):
    """One change of a case, or a note, with who and when (CASE-5); written by ratings.cases."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status")
        PRIORITY = "priority", _("Priority")
        OWNER = "owner", _("Owner")
        NOTE = "note", _("Note")

    rating = TenantForeignKey(Rating, on_delete=models.CASCADE, related_name="case_events", db_constraint=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_value = models.CharField(max_length=40, null=True, blank=True)
    to_value = models.CharField(max_length=40, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["status", "priority", "owner", "note"]),
                                   name="case_event_kind_known"),
        ]
        indexes = [models.Index(fields=["merchant", "rating", "at", "id"], name="case_event_log")]


class Message(TenantModel):
    """One entry of a rating's conversation (THR-1)."""

    class AuthorKind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        STAFF = "staff", _("Staff")
        AUTO_REPLY = "auto_reply", _("Auto-reply")
        SYSTEM = "system", _("System")
        NOTE = "note", _("Internal note")

    class Event(models.TextChoices):
        """What a system entry records; worded in the reader's language when shown (ratings.events)."""

        GIFT_SENT = "gift_sent", _("Gift sent")
        GIFT_REDEEMED = "gift_redeemed", _("Gift redeemed")

    REPLY_KINDS = (AuthorKind.STAFF, AuthorKind.AUTO_REPLY)
    # What a customer may ever see or be e-mailed: never an internal note (CASE-4).
    CUSTOMER_KINDS = (AuthorKind.CUSTOMER, AuthorKind.STAFF, AuthorKind.AUTO_REPLY, AuthorKind.SYSTEM)

    rating = TenantForeignKey(Rating, on_delete=models.CASCADE, related_name="messages", db_constraint=False)
    author_kind = models.CharField(max_length=12, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    gift_grant = TenantForeignKey(
        "gifts.GiftGrant", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages",
        db_constraint=False,
    )
    # A system entry's event and its parameters; body keeps its words in the merchant's language
    # as written, shown only when there is no event (rows older than events, or unrecognised).
    event = models.CharField(max_length=20, choices=Event.choices, null=True, blank=True)
    event_params = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(author_kind__in=["customer", "staff", "auto_reply", "system", "note"]),
                name="message_author_kind_known",
            ),
            models.CheckConstraint(condition=~models.Q(body__regex=r"^\s*$"), name="message_body_not_blank"),
            models.CheckConstraint(
                condition=~models.Q(author_kind__in=["staff", "note"]) | models.Q(author__isnull=False),
                name="message_staff_has_author",
            ),
            models.CheckConstraint(
                condition=models.Q(event__isnull=True, event_params__isnull=True)
                | models.Q(author_kind="system", event__in=["gift_sent", "gift_redeemed"],
                           event_params__isnull=False),
                name="message_event_is_system_and_known",
            ),
        ]
        indexes = [models.Index(fields=["rating", "created_at", "id"], name="message_thread")]


class QuickReply(TenantModel):
    """A reusable answer that staff insert into the composer (THR-4)."""

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "title"], name="quick_reply_title_unique"),
            models.CheckConstraint(condition=~models.Q(body__regex=r"^\s*$"), name="quick_reply_body_not_blank"),
        ]


class SummaryCounters(TenantModel):
    """The summary counters (INB-1) kept by ratings.services at every write that changes them
    (ratings.counters), so the summary is a sum over a few rows instead of an aggregate over
    every rating; ratings.counters.counters_rebuild recomputes them from the ratings."""

    branch = TenantForeignKey(Branch, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    total_ratings = models.IntegerField(default=0)
    comments_received = models.IntegerField(default=0)
    replies_sent = models.IntegerField(default=0)
    unread_comments = models.IntegerField(default=0)
    promoters = models.IntegerField(default=0)
    passives = models.IntegerField(default=0)
    detractors = models.IntegerField(default=0)
    # The case views' counts that only writes change (CASE-6); overdue and "mine" depend on the
    # clock and the reader, so the summary reads them from small indexes instead.
    needs_reply = models.IntegerField(default=0, db_default=0)
    open_cases = models.IntegerField(default=0, db_default=0)
    unassigned_cases = models.IntegerField(default=0, db_default=0)
    resolved_cases = models.IntegerField(default=0, db_default=0)
    # Response (ANA-2): ratings with a case, answered by staff, answered by the case's due time.
    cases = models.IntegerField(default=0, db_default=0)
    answered = models.IntegerField(default=0, db_default=0)
    answered_within_target = models.IntegerField(default=0, db_default=0)
    # The recovery funnel (ANA-3), of the detractor ratings of the day: each counts a rating once.
    detractors_answered = models.IntegerField(default=0, db_default=0)
    detractors_answered_within_target = models.IntegerField(default=0, db_default=0)
    gift_offered = models.IntegerField(default=0, db_default=0)
    gift_redeemed = models.IntegerField(default=0, db_default=0)
    # The cost of those ratings' redeemed grants, in hundredths of the merchant's currency.
    gift_cost_cents = models.BigIntegerField(default=0, db_default=0)
    returned = models.IntegerField(default=0, db_default=0)
    rerated = models.IntegerField(default=0, db_default=0)
    recovered = models.IntegerField(default=0, db_default=0)

    class Meta:
        abstract = True


class RatingDayCounter(SummaryCounters):
    """The counters of one branch for one day in the merchant's time zone: what a summary
    with dates sums (at most branches × days rows)."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "branch", "day"], name="rating_day_counter_unique"),
        ]
        # Covering: a summary with dates and no branch reads the merchant's days in the index
        # alone. The (merchant, day, branch) index it replaces lost to the merchant_id index,
        # which then filtered two years of rows.
        indexes = [models.Index(
            fields=["merchant", "day"], name="rating_day_counter_day",
            include=["branch", "total_ratings", "comments_received", "replies_sent", "unread_comments",
                     "promoters", "passives", "detractors", "needs_reply", "open_cases", "unassigned_cases",
                     "resolved_cases"],
        )]


ANALYTICS_INCLUDE = ["branch", "total_ratings", "comments_received", "promoters", "passives", "detractors", "cases",
                     "answered", "answered_within_target", "detractors_answered", "detractors_answered_within_target",
                     "gift_offered", "gift_redeemed", "gift_cost_cents", "returned", "rerated", "recovered"]


class RatingPeriodCounter(SummaryCounters):
    """The counters of one branch for one week (from Monday) or month of the merchant's days:
    the analytics read whole periods here and only the range's edges from the day rows (ANA-1..3;
    bench: two years of 20 branches are 14,600 day rows, 480 month rows)."""

    class Kind(models.TextChoices):
        WEEK = "week", _("Week")
        MONTH = "month", _("Month")

    kind = models.CharField(max_length=5, choices=Kind.choices)
    start = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "branch", "kind", "start"], name="rating_period_counter_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=["week", "month"]), name="rating_period_counter_kind"),
        ]
        indexes = [models.Index(fields=["merchant", "kind", "start"], name="rating_period_counter_start",
                                include=ANALYTICS_INCLUDE)]


class RatingBranchCounter(SummaryCounters):
    """The counters of one branch since the beginning: what a summary without dates sums, one
    row per branch (the inbox's counters and every poll), so that a summary without dates does
    not sum years of day rows."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "branch"], name="rating_branch_counter_unique"),
        ]


# The first-response time buckets of ResponseTimeCounter (ANA-2), by their lower bound in minutes:
# a median or 90th percentile is reported as the lower bound of the bucket it falls in.
RESPONSE_BUCKETS = (0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 960, 1440, 2160, 2880,
                    4320, 7200, 10080, 20160, 43200)


def response_bucket_column(minutes: int) -> str:
    """The column of the bucket a first-response time falls in."""
    return f"from_{max(bound for bound in RESPONSE_BUCKETS if bound <= max(minutes, 0))}m"


RESPONSE_BUCKET_COLUMNS = tuple(f"from_{bound}m" for bound in RESPONSE_BUCKETS)


class ResponseTimeCounter(TenantModel):
    """The answered cases of one branch and day (of the rating, in the merchant's time zone) by
    the member who first replied (ANA-2): how many, how many by their due time, and how many in
    each first-response time bucket (one column each, so that two years of a large merchant are
    a sum over one row per branch, day and replier, not one row per case)."""

    branch = TenantForeignKey(Branch, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    day = models.DateField()
    responder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", db_index=False)
    answered = models.IntegerField(default=0)
    answered_within_target = models.IntegerField(default=0)
    # A day's row, or a month's (day: its first day): the analytics read whole months from the
    # month rows and only the range's edges from the day rows.
    kind = models.CharField(max_length=5, default="day", db_default="day")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "branch", "kind", "day", "responder"],
                                    name="response_time_counter_unique", nulls_distinct=False),
            models.CheckConstraint(condition=models.Q(kind__in=["day", "month"]), name="response_time_counter_kind"),
        ]
        indexes = [models.Index(fields=["merchant", "kind", "day"], name="response_time_counter_day",
                                include=["branch", "responder", "answered", "answered_within_target",
                                         *RESPONSE_BUCKET_COLUMNS])]


for _column in RESPONSE_BUCKET_COLUMNS:
    models.IntegerField(default=0, db_default=0).contribute_to_class(ResponseTimeCounter, _column)
