"""Reads of the outbox: the delivery state of the e-mails that carried a rating's messages (THR-2, AR-5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from merchants.access import Access

from .models import OutgoingEmail

Status = OutgoingEmail.Status


@dataclass(frozen=True)
class Delivery:
    """Where the e-mail of one message stands, as staff read it in the thread.

    state: held (a reply's undo window: not sendable before `at`), queued (not tried yet), sending,
    retrying (a try failed, another is due at `at`), sent (at `at`), failed (for good, `reason`
    says why) or cancelled (its customer was erased).
    """

    state: str
    attempts: int
    reason: str
    at: datetime | None

    @classmethod
    def of(cls, email: OutgoingEmail) -> Delivery:
        if email.status == Status.SENT:
            return cls("sent", email.attempts, "", email.sent_at)
        if email.status in (Status.FAILED, Status.CANCELLED):
            return cls(email.status, email.attempts, email.last_error, None)
        if email.last_error:  # queued again, or being sent again, after a failed try
            return cls("retrying", email.attempts, email.last_error, email.next_attempt_at)
        if email.status == Status.QUEUED and email.next_attempt_at > timezone.now():
            return cls("held", email.attempts, "", email.next_attempt_at)
        return cls(email.status, email.attempts, "", None)

    @property
    def signature(self) -> str:
        return f"{self.state}:{self.attempts}"


def rating_deliveries(*, access: Access, rating_id: int) -> dict[int, Delivery]:
    """The delivery of each message of a rating that was e-mailed, by message id: one indexed statement
    (outgoing_by_rating_message) however long the thread."""
    emails = (access.scope(OutgoingEmail.objects, branch=None)
              .filter(rating_id=rating_id, message_id__isnull=False)
              .only("message_id", "status", "attempts", "last_error", "next_attempt_at", "sent_at")
              .order_by("created_at", "id"))
    return {email.message_id: Delivery.of(email) for email in emails}
