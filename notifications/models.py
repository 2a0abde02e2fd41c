"""Every outgoing e-mail, recorded in the transaction of the event that causes it (AR-5)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from customers.models import Customer
from merchants.models import TenantForeignKey, TenantModel


class OutgoingEmail(TenantModel):
    class Kind(models.TextChoices):
        AUTO_REPLY = "auto_reply", "Auto-reply"
        STAFF_REPLY = "staff_reply", "Staff reply"
        GIFT = "gift", "Gift notice"
        FOLLOWUP = "followup", "Follow-up request"  # ANA-4: "did we fix it?", once per rating
        # To staff (CASE-3, SLA-3..5): a member, not a customer, is the recipient.
        ASSIGNED = "assigned", "Case assigned"
        ESCALATED = "escalated", "Case escalated"
        NEW_DETRACTOR = "new_detractor", "New detractor"
        SLA_AT_RISK = "sla_at_risk", "Response target at risk"
        SLA_BREACHED = "sla_breached", "Response target breached"
        DIGEST = "digest", "Daily digest"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"  # never to be sent: its customer was erased (PRV-2)

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Exactly one recipient: a customer (their e-mails) or a member of the merchant's staff.
    customer = TenantForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", db_index=False)
    # What makes a staff e-mail unique within its kind (one at-risk alert per case and recipient, one
    # digest per member per local day): the database refuses a second one (SLA-3, SLA-5).
    dedupe_key = models.CharField(max_length=160, blank=True, default="")
    # The one-click stop link of a staff e-mail (SLA-6); customers' e-mails use their unsubscribe link.
    list_unsubscribe = models.URLField(max_length=600, blank=True, default="")
    rating = TenantForeignKey("ratings.Rating", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)
    message = TenantForeignKey(
        "ratings.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    to_address = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True, default="")
    header_message_id = models.CharField(max_length=200, help_text="Message-ID, fixed when recorded.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rating", "merchant"], condition=models.Q(kind="auto_reply"), name="one_auto_reply_per_rating"
            ),
            models.UniqueConstraint(
                fields=["rating", "merchant"], condition=models.Q(kind="followup"), name="one_followup_per_rating"
            ),
            models.UniqueConstraint(fields=["header_message_id", "merchant"], name="outgoing_message_id_unique"),
            models.UniqueConstraint(fields=["kind", "dedupe_key", "merchant"], condition=~models.Q(dedupe_key=""),
                                    name="outgoing_once_per_key"),
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False, user__isnull=True)
                | models.Q(customer__isnull=True, user__isnull=False),
                name="outgoing_one_recipient",
            ),
            models.CheckConstraint(
                condition=models.Q(status="sent", sent_at__isnull=False)
                | (~models.Q(status="sent") & models.Q(sent_at__isnull=True)),
                name="outgoing_sent_iff_sent_at",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="outgoing_due",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
            models.Index(fields=["merchant", "-created_at"], name="outgoing_recent"),
            # The delivery state shown beside each message of an opened rating (THR-2).
            models.Index(fields=["merchant", "rating"], name="outgoing_by_rating_message",
                         condition=models.Q(message__isnull=False)),
        ]
