"""Ratings (one per visit), their conversation threads and the merchants' quick replies."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, Visit
from merchants.models import Branch, TenantModel

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


def _inbox_index(name, *columns):
    """merchant first, the ordering's columns, then the tie-break: newest first, then id."""
    return models.Index("merchant", *columns, name=name)


class Rating(TenantModel):
    """A customer's 1-10 score for a visit, with what the merchant's inbox needs on the row.

    customer, branch and customer_name_key copy the visit's so that every inbox order and
    filter is one index range scan; messages_count, replies_count and last_message_at are
    kept by the services that add messages.
    """

    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="rating")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="ratings")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="ratings")
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

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=10), name="rating_score_1_to_10"
            ),
            models.CheckConstraint(
                condition=models.Q(comment__isnull=True) | ~models.Q(comment__regex=r"^\s*$"),
                name="rating_comment_not_blank",
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
        ]

    def __str__(self):
        return f"{self.score} by {self.customer_id}"

    @property
    def band(self) -> str:
        return band_for(self.score)

    @property
    def has_comment(self) -> bool:
        return self.comment is not None

    @property
    def comment_excerpt(self) -> str | None:
        return None if self.comment is None else self.comment[:COMMENT_EXCERPT_LENGTH]


class Message(TenantModel):
    """One entry of a rating's conversation (THR-1)."""

    class AuthorKind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        STAFF = "staff", _("Staff")
        AUTO_REPLY = "auto_reply", _("Auto-reply")
        SYSTEM = "system", _("System")

    class Event(models.TextChoices):
        """What a system entry records; worded in the reader's language when shown (ratings.events)."""

        GIFT_SENT = "gift_sent", _("Gift sent")
        GIFT_REDEEMED = "gift_redeemed", _("Gift redeemed")

    REPLY_KINDS = (AuthorKind.STAFF, AuthorKind.AUTO_REPLY)

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=12, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    gift_grant = models.ForeignKey(
        "gifts.GiftGrant", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    # A system entry's event and its parameters; body keeps its words in the merchant's language
    # as written, shown only when there is no event (rows older than events, or unrecognised).
    event = models.CharField(max_length=20, choices=Event.choices, null=True, blank=True)
    event_params = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(author_kind__in=["customer", "staff", "auto_reply", "system"]),
                name="message_author_kind_known",
            ),
            models.CheckConstraint(condition=~models.Q(body__regex=r"^\s*$"), name="message_body_not_blank"),
            models.CheckConstraint(
                condition=~models.Q(author_kind="staff") | models.Q(author__isnull=False),
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

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    total_ratings = models.IntegerField(default=0)
    comments_received = models.IntegerField(default=0)
    replies_sent = models.IntegerField(default=0)
    unread_comments = models.IntegerField(default=0)
    promoters = models.IntegerField(default=0)
    passives = models.IntegerField(default=0)
    detractors = models.IntegerField(default=0)

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
        # which then filtered two years of rows (bench: 13,400 rows removed, 2.6 -> 0.3 ms).
        indexes = [models.Index(
            fields=["merchant", "day"], name="rating_day_counter_day",
            include=["branch", "total_ratings", "comments_received", "replies_sent", "unread_comments",
                     "promoters", "passives", "detractors"],
        )]


class RatingBranchCounter(SummaryCounters):
    """The counters of one branch since the beginning: what a summary without dates sums, one
    row per branch (the inbox's counters and every poll; summing two years of day rows of a
    large merchant took 10 ms)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "branch"], name="rating_branch_counter_unique"),
        ]
