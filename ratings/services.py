"""Writes about ratings and their conversations. Pages, the API and tasks all call these."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer, Visit
from merchants.models import Merchant
from merchants.services import audit_record
from notifications.content import staff_reply_email
from notifications.models import OutgoingEmail
from notifications.services import email_queue, email_withdraw
from ratings_inbox.errors import Conflict, violates

from . import cases, counters, staff_emails
from .models import MESSAGE_MAX_LENGTH, Band, Message, QuickReply, Rating, band_for


def clean_body(body: str | None, *, field: str = "body") -> str:
    """A message text as it will be stored: refused when empty or longer than allowed (THR-2)."""
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({field: _("Write a message before sending.")})
    if "\x00" in text:  # PostgreSQL stores no NUL in text: refused here, not a 500 (SEC-7)
        raise ValidationError({field: _("Null characters are not allowed.")})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {field: _("Keep it under %(limit)s characters.") % {"limit": f"{MESSAGE_MAX_LENGTH:,}"}}
        )
    return text


_CASE_COLUMNS = ("status", "priority", "owner_id", "case_opened_at", "at_risk_at", "due_at", "first_response_at",
                 "first_responder_id", "resolved_at", "needs_reply", "last_activity_at")
_CASE_TIMES = ("case_opened_at", "at_risk_at", "due_at", "first_response_at", "resolved_at", "last_activity_at")


def _case_stored(rating: Rating) -> dict:
    """The rating's case as stored, locked until commit so that two writers see each other's change."""
    stored = (Rating.objects.select_for_update().filter(merchant_id=rating.merchant_id, pk=rating.pk)
              .values_list(*_CASE_COLUMNS).get())
    return dict(zip(_CASE_COLUMNS, stored, strict=True))


def _case_changes(rating: Rating, author_kind: str, author, at) -> tuple[dict, dict, tuple, dict | None]:
    """What a customer message or a staff reply changes in the rating's case (ratings.cases), in
    the case views' counters and in the response-time counters (before, after), and the case as
    it was (what a reply's undo puts back), read from the locked row."""
    if author_kind not in (Message.AuthorKind.CUSTOMER, Message.AuthorKind.STAFF):
        return {}, {}, (None, None), None
    stored = _case_stored(rating)
    for name, value in stored.items():
        setattr(rating, name, value)
    before, before_response = cases.counted(rating), counters.response_key(rating)
    if author_kind == Message.AuthorKind.CUSTOMER:
        changed = cases.on_customer_message(rating, at)
    else:
        changed = cases.on_staff_reply(rating, author, at)
    return ({name: getattr(rating, name) for name in changed}, cases.counted_change(before, rating),
            (before_response, counters.response_key(rating)), stored)


def _add_message(*, rating: Rating, author_kind: str, body: str, author=None, gift_grant=None,
                 created_at=None, event: str | None = None, event_params: dict | None = None) -> Message:
    created_at = created_at or timezone.now()
    message = Message.objects.create(
        merchant_id=rating.merchant_id, rating=rating, author_kind=author_kind, author=author,
        body=body, gift_grant=gift_grant, created_at=created_at, event=event, event_params=event_params,
    )
    is_reply = author_kind in Message.REPLY_KINDS
    case_changes, counted, response, message.case_before = _case_changes(rating, author_kind, author, created_at)
    Rating.objects.filter(merchant_id=rating.merchant_id, pk=rating.pk).update(
        messages_count=F("messages_count") + 1,
        replies_count=F("replies_count") + (1 if is_reply else 0),
        last_message_at=created_at,
        **case_changes,
    )
    counters.bump(rating, replies_sent=int(is_reply), **counted)
    counters.bump_responses(rating.merchant_id, {rating.pk: response})
    rating.messages_count += 1
    rating.replies_count += 1 if is_reply else 0
    rating.last_message_at = created_at
    return message


ONE_PER_VISIT = "rating_one_per_visit"


def ratings_customer_renamed(*, customer: Customer) -> None:
    """Keeps the ratings' copy of the customer's sort key (customer_name_key) in step with the
    customer's name: one UPDATE, of no row when the name did not change."""
    Rating.objects.filter(merchant_id=customer.merchant_id, customer=customer).exclude(
        customer_name_key=customer.name_key
    ).update(customer_name_key=customer.name_key)


@transaction.atomic
def rating_create(
    *, merchant: Merchant, visit: Visit, score: int, comment: str | None = None, created_at=None,
    autoreply_delay=None,
) -> Rating:
    """A customer's rating of a visit, from the customer's page or the API alike; its comment becomes
    the first message (THR-1), and a detractor is e-mailed to the members who want it at once (SLA-4).

    autoreply_delay: when the auto-reply is due after the rating's time, or None (no auto-reply);
    the auto-reply's decision, made by intake.services.rating_received, the use case that calls this.
    """
    now = timezone.now()
    created_at = created_at or now
    if not isinstance(score, int) or not 1 <= score <= 10:
        raise ValidationError({"score": _("The score must be a whole number from 1 to 10.")})
    if created_at > now:
        raise ValidationError({"created_at": _("A rating cannot be in the future.")})
    if created_at < visit.visited_at:
        raise ValidationError({"created_at": _("A rating cannot be older than its visit.")})
    comment = (comment or "").strip() or None
    if comment is not None:
        comment = clean_body(comment, field="comment")
    customer = visit.customer
    rating = Rating(
        merchant=merchant, visit=visit, customer=customer, branch_id=visit.branch_id,
        customer_name_key=customer.name_key, score=score, comment=comment, created_at=created_at,
    )
    rating.autoreply_due_at = None if autoreply_delay is None else created_at + autoreply_delay
    cases.case_fields_for_new_rating(rating)
    if comment is not None:
        # The comment is the first message (below): counted on the row as it is inserted. Its case
        # state is the new rating's own (needs a reply since its time), no counter moves twice.
        rating.messages_count, rating.last_message_at = 1, created_at
    try:
        with transaction.atomic():  # the savepoint costs no round trip (ratings_inbox.postgres.savepoints)
            rating.save()
    except IntegrityError as exc:
        if not violates(exc, ONE_PER_VISIT):
            raise
        raise Conflict({"visit": _("This visit already has a rating.")}) from exc
    band = band_for(score)
    counters.rating_counted(
        rating, total_ratings=1, comments_received=int(comment is not None),
        unread_comments=int(comment is not None), promoters=int(band == Band.PROMOTER),
        passives=int(band == Band.PASSIVE), detractors=int(band == Band.DETRACTOR), **cases.counted(rating),
    )
    if comment is not None:
        Message.objects.create(merchant_id=merchant.pk, rating=rating, author_kind=Message.AuthorKind.CUSTOMER,
                               body=comment, created_at=created_at)
    staff_emails.new_detractor_notify(merchant=merchant, rating=rating, now=now)  # SLA-4
    return rating


def _unread_comment_changed(merchant: Merchant, rating: Rating, delta: int) -> None:
    """The read state just changed in this transaction (the row is locked): count it when it has a comment."""
    if Rating.objects.filter(merchant=merchant, pk=rating.pk, comment__isnull=False).exists():
        counters.bump(rating, unread_comments=delta)


@transaction.atomic
def rating_mark_read(*, merchant: Merchant, rating: Rating) -> Rating:
    if not rating.is_read:
        if Rating.objects.filter(merchant=merchant, pk=rating.pk, is_read=False).update(is_read=True):
            _unread_comment_changed(merchant, rating, -1)
        rating.is_read = True
    return rating


@transaction.atomic
def rating_mark_unread(*, merchant: Merchant, rating: Rating) -> Rating:
    if rating.is_read:
        if Rating.objects.filter(merchant=merchant, pk=rating.pk, is_read=True).update(is_read=False):
            _unread_comment_changed(merchant, rating, +1)
        rating.is_read = False
    return rating


@transaction.atomic
def rating_reply(*, merchant: Merchant, rating: Rating, author, body: str, hold_seconds: int = 0) -> Message:
    """A staff reply (THR-2): in the thread at once, e-mailed to the customer, marks read.

    hold_seconds: the reply's undo window (the inbox page's); its e-mail is not sendable before it
    ends, so rating_reply_undo() can still withdraw it. The message's `case_before` is the case
    as it was, what the undo puts back (reply_undo_state())."""
    text = clean_body(body)
    message = _add_message(rating=rating, author_kind=Message.AuthorKind.STAFF, body=text, author=author)
    rating_mark_read(merchant=merchant, rating=rating)
    email = staff_reply_email(merchant=merchant, rating=rating, text=text)
    email_queue(
        merchant=merchant, kind=OutgoingEmail.Kind.STAFF_REPLY, customer=rating.customer, rating=rating,
        message=message, subject=email.subject, body_text=email.body_text, body_html=email.body_html,
        not_before=message.created_at + timedelta(seconds=hold_seconds) if hold_seconds else None,
    )
    audit_record(merchant=merchant, actor=author, action="rating.reply", obj=rating,
                 data={"message_id": message.pk})
    return message


def reply_undo_state(message: Message) -> dict:
    """What undoing a reply needs, as JSON (signed into the undo's token by the page)."""
    before = {name: value.isoformat() if name in _CASE_TIMES and value is not None else value
              for name, value in message.case_before.items()}
    return {"message": message.pk, "before": before}


@transaction.atomic
def rating_reply_undo(*, merchant: Merchant, rating: Rating, actor, state: dict) -> Message:
    """Takes back a staff reply in its undo window, before its e-mail leaves (THR-2, issue 17): the
    e-mail is cancelled (never sent), the message deleted, and the case, the counters and the
    response times put back as they were, through the same counters as the reply. Refused once a
    worker has the e-mail, or when anything happened on the rating after the reply (a message, a
    case change): putting the case back would then undo that too. Returns the deleted message."""
    try:
        message = Message.objects.get(merchant=merchant, rating=rating, pk=state["message"],
                                      author_kind=Message.AuthorKind.STAFF, author=actor)
    except Message.DoesNotExist:
        raise ValidationError(_("Too late to undo that.")) from None
    after = _case_stored(rating)  # locks the rating: no reply, message or case change meanwhile
    later = (Message.objects.filter(merchant=merchant, rating=rating, created_at__gt=message.created_at).exists()
             or rating.case_events.filter(merchant=merchant, at__gt=message.created_at).exists())
    if later or not email_withdraw(merchant=merchant, message=message):
        raise ValidationError(_("Too late to undo that: the reply has already gone out."))
    before = {name: datetime.fromisoformat(value) if name in _CASE_TIMES and value else value
              for name, value in state["before"].items()}
    for name, value in after.items():
        setattr(rating, name, value)
    counted_after, response_after = cases.counted(rating), counters.response_key(rating)
    for name, value in before.items():
        setattr(rating, name, value)
    # The reply's own log line (new -> open, at the reply's time) goes with it.
    rating.case_events.filter(merchant=merchant, at=message.created_at, actor=actor).delete()
    message.delete()
    last = Message.objects.filter(merchant=merchant, rating=rating).aggregate(last=Max("created_at"))["last"]
    Rating.objects.filter(merchant=merchant, pk=rating.pk).update(
        messages_count=F("messages_count") - 1, replies_count=F("replies_count") - 1, last_message_at=last, **before)
    counters.bump(rating, replies_sent=-1, **cases.counted_change(counted_after, rating))
    counters.bump_responses(rating.merchant_id, {rating.pk: (response_after, counters.response_key(rating))})
    rating.messages_count -= 1
    rating.replies_count -= 1
    rating.last_message_at = last
    audit_record(merchant=merchant, actor=actor, action="rating.reply_undo", obj=rating,
                 data={"message_id": state["message"]})
    return message


@transaction.atomic
def customer_message_add(*, merchant: Merchant, rating: Rating, body: str) -> Message:
    """The customer writes (CUS-1 second submission, CUS-2): a comment, and unread again (INB-6)."""
    text = clean_body(body)
    # The row as stored, locked until commit: the summary counters change by what this write changes.
    was_read, stored_comment = (
        Rating.objects.select_for_update().filter(merchant=merchant, pk=rating.pk)
        .values_list("is_read", "comment").get()
    )
    had_comment = stored_comment is not None
    message = _add_message(rating=rating, author_kind=Message.AuthorKind.CUSTOMER, body=text)
    updates = {"is_read": False}
    if not had_comment:
        updates["comment"] = text
        rating.comment = text
    Rating.objects.filter(merchant=merchant, pk=rating.pk).update(**updates)
    counters.bump(rating, comments_received=int(not had_comment),
                  unread_comments=int(not had_comment or was_read))
    rating.is_read = False
    return message


@transaction.atomic
def system_message_add(*, merchant: Merchant, rating: Rating, body: str, gift_grant=None,
                       event: str | None = None, event_params: dict | None = None) -> Message:
    """A system entry in the thread, such as a gift granted or redeemed (THR-1).

    With an event, the entry is worded in each reader's language when shown; body is its
    wording in the merchant's language, kept for whatever reads the row without ratings.events.
    """
    return _add_message(rating=rating, author_kind=Message.AuthorKind.SYSTEM, body=body,
                        gift_grant=gift_grant, event=event, event_params=event_params)


@transaction.atomic
def note_add(*, merchant: Merchant, rating: Rating, author, body: str) -> Message:
    """An internal note (CASE-4): in the thread for members only, never e-mailed or shown to the
    customer, neither a reply nor a comment; logged (CASE-5)."""
    message = _add_message(rating=rating, author_kind=Message.AuthorKind.NOTE, body=clean_body(body),
                           author=author)
    cases.note_logged(rating, message)
    return message


@transaction.atomic
def autoreply_message_add(*, merchant: Merchant, rating: Rating, body: str) -> Message:
    """The auto-reply as it appears in the thread and in "replies sent" (AR-5)."""
    return _add_message(rating=rating, author_kind=Message.AuthorKind.AUTO_REPLY, body=body)


BULK_ACTIONS = ("read", "unread", "assign", "status", "priority")


@transaction.atomic
def ratings_bulk(*, access, actor, ids: list[int], action: str, value=None) -> int:
    """One change to many ratings, all or nothing (CASE-8), through the same services as one
    change, so each is logged. Every id must be a rating the access can see: otherwise a
    ValidationError on `ids` and nothing is written. Returns how many ratings were given."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Choose read, unread, assign, status or priority.")})
    wanted = sorted(set(ids))
    ratings = list(access.scope(Rating.objects).filter(pk__in=wanted).order_by("id").select_for_update())
    if len(ratings) != len(wanted):
        raise ValidationError({"ids": _("Some of these ratings do not exist or are not yours to see.")})
    if action == "assign" and value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValidationError({"value": _("Give a member's id, or null to unassign.")})
    if action in ("read", "unread"):
        mark = rating_mark_read if action == "read" else rating_mark_unread
        for rating in ratings:
            mark(merchant=access.merchant, rating=rating)
        return len(ratings)
    change = {"assign": "owner", "status": "status", "priority": "priority"}[action]
    try:
        cases.cases_update_many(access=access, ratings=ratings, actor=actor, **{change: value})
    except ValidationError as exc:
        raise ValidationError({"value": exc.message_dict.get(change, exc.messages)}) from exc
    return len(ratings)


# What an undo needs of each rating: its read state and its case, as they were (CASE-8).
BULK_UNDO_COLUMNS = ("id", "is_read", "status", "priority", "owner_id")


@transaction.atomic
def ratings_bulk_undoable(*, access, actor, ids: list[int], action: str, value=None) -> list[list]:
    """ratings_bulk(), returning each rating's values before it (BULK_UNDO_COLUMNS, by id) for
    ratings_bulk_undo(): read from the rows locked in the same transaction, so no other writer
    can slip in between the values kept and the change."""
    before = list(access.scope(Rating.objects).filter(pk__in=sorted(set(ids))).order_by("id")
                  .select_for_update().values_list(*BULK_UNDO_COLUMNS))
    ratings_bulk(access=access, actor=actor, ids=ids, action=action, value=value)
    return [list(row) for row in before]


@transaction.atomic
def ratings_bulk_undo(*, access, actor, action: str, previous: list[list]) -> int:
    """Puts back what a bulk action changed (CASE-8's undo), all or nothing, through the same
    services as a change by hand, so the undo is logged too (CASE-5). `previous` is what
    ratings_bulk_undoable() returned; the same ids rule as ratings_bulk applies."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Choose read, unread, assign, status or priority.")})
    values = {row[0]: dict(zip(BULK_UNDO_COLUMNS, row, strict=True)) for row in previous}
    ratings = list(access.scope(Rating.objects).filter(pk__in=sorted(values)).order_by("id").select_for_update())
    if len(ratings) != len(values):
        raise ValidationError({"ids": _("Some of these ratings do not exist or are not yours to see.")})
    if action in ("read", "unread"):
        for rating in ratings:
            mark = rating_mark_read if values[rating.pk]["is_read"] else rating_mark_unread
            mark(merchant=access.merchant, rating=rating)
    else:
        cases.cases_restore_many(access=access, ratings=ratings, actor=actor, previous={
            rating_id: (before["status"], before["priority"], before["owner_id"])
            for rating_id, before in values.items()})
    return len(ratings)


def _clean_quick_reply(title: str, body: str) -> tuple[str, str]:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the quick reply a title.")})
    if len(title) > 100:
        raise ValidationError({"title": _("Keep the title under 100 characters.")})
    return title, clean_body(body)


@transaction.atomic
def quick_reply_create(*, merchant: Merchant, title: str, body: str, actor=None) -> QuickReply:
    title, body = _clean_quick_reply(title, body)
    if QuickReply.objects.filter(merchant=merchant, title=title).exists():
        raise ValidationError({"title": _("There is already a quick reply with this title.")})
    reply = QuickReply.objects.create(merchant=merchant, title=title, body=body)
    audit_record(merchant=merchant, actor=actor, action="quick_reply.create", obj=reply)
    return reply


@transaction.atomic
def quick_reply_update(*, merchant: Merchant, quick_reply: QuickReply, title: str | None = None,
                       body: str | None = None, actor=None) -> QuickReply:
    title, body = _clean_quick_reply(
        quick_reply.title if title is None else title, quick_reply.body if body is None else body
    )
    if QuickReply.objects.filter(merchant=merchant, title=title).exclude(pk=quick_reply.pk).exists():
        raise ValidationError({"title": _("There is already a quick reply with this title.")})
    quick_reply.title, quick_reply.body = title, body
    quick_reply.save(update_fields=["title", "body"])
    audit_record(merchant=merchant, actor=actor, action="quick_reply.update", obj=quick_reply)
    return quick_reply


@transaction.atomic
def quick_reply_delete(*, merchant: Merchant, quick_reply: QuickReply, actor=None) -> None:
    audit_record(merchant=merchant, actor=actor, action="quick_reply.delete", obj=quick_reply)
    quick_reply.delete()


@transaction.atomic
def followup_answer(*, merchant: Merchant, rating: Rating, score, comment: str | None = None) -> bool:
    """The customer's answer to the follow-up request (ANA-4): the first one sets followup_score and
    followup_at, and counts a detractor as re-rated (and at 9-10 recovered) in the funnel (ANA-3)
    unless a later rating already did; a comment with it joins the conversation as the customer's
    message. Returns False, changing nothing, when the rating already has its answer.

    The rating's row is locked first, then the customer's rollup (as every rating and visit of
    theirs locks it): a later rating arriving meanwhile and this answer count the detractor once.
    """
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 10:
        raise ValidationError({"score": _("Choose a score from 1 to 10.")})
    text = None if comment is None or not comment.strip() else clean_body(comment, field="comment")
    answered, requested_at = (Rating.objects.select_for_update().filter(merchant=merchant, pk=rating.pk)
                              .values_list("followup_score", "followup_requested_at").get())
    if answered is not None:
        rating.followup_score = answered
        return False
    if requested_at is None:
        raise Conflict({"score": _("Nobody asked for a new score of this rating.")})
    rating.followup_score, rating.followup_at = score, timezone.now()
    Rating.objects.filter(merchant=merchant, pk=rating.pk).update(followup_score=score, followup_at=rating.followup_at)
    if rating.score <= 6:
        _visit, last_rating_at, last_promoter_at = counters.customer_stats_locked(merchant.pk, rating.customer_id)
        counters.bump(rating, rerated=int(last_rating_at is None or last_rating_at <= rating.created_at),
                      recovered=int(score >= 9 and (last_promoter_at is None or last_promoter_at <= rating.created_at)))
    if text is not None:
        customer_message_add(merchant=merchant, rating=rating, body=text)
    return True
