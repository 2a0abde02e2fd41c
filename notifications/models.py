"""Every outgoing e-mail, recorded in the transaction of the event that causes it (AR-5)."""

from django.db import models
from django.utils import timezone

from customers.models import Customer
from merchants.models import TenantForeignKey, TenantModel


class OutgoingEmail(TenantModel):
    class Kind(models.TextChoices):
        AUTO_REPLY = "auto_reply", "Auto-reply"
        STAFF_REPLY = "staff_reply", "Staff reply"
        GIFT = "gift", "Gift notice"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"  # never to be sent: its customer was erased (PRV-2)

    kind = models.CharField(max_length=12, choices=Kind.choices)
    customer = TenantForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_constraint=False)
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
            models.UniqueConstraint(fields=["header_message_id", "merchant"], name="outgoing_message_id_unique"),
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
        ]
