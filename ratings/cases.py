"""Follow-up cases (CASE-1..8): every change of status, priority and owner goes through here.

A case lives on its rating (status, priority, owner, due and response times), so that every
inbox view is one index range; each change is logged in CaseEvent with who and when (CASE-5).
The conversation hooks (`on_customer_message`, `on_staff_reply`) are called by
ratings.services when a message is added, in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.access import Access
from merchants.models import Membership, MembershipBranch

from .models import CaseEvent, CasePriority, CaseStatus, Rating

DEFAULT_FIRST_RESPONSE_HOURS = 24
UNSET = object()


def first_response_target(merchant) -> dt.timedelta:
    """The merchant's first-response target (SLA-1; 24 hours until the case settings say more)."""
    return dt.timedelta(hours=DEFAULT_FIRST_RESPONSE_HOURS)


def _targets(merchant, opened_at) -> tuple[dt.datetime, dt.datetime]:
    """(at risk from, due at) of a case opened at `opened_at`: at risk with a quarter left (SLA-2)."""
    target = first_response_target(merchant)
    due = opened_at + target
    return due - target / 4, due


def default_priority(score: int) -> str:
    """CASE-2: high for scores 1-3, medium otherwise."""
    return CasePriority.HIGH if score <= 3 else CasePriority.MEDIUM


def _open(rating: Rating, *, at, status: str = CaseStatus.NEW, priority: str | None = None) -> None:
    rating.status = status
    rating.priority = priority or default_priority(rating.score)
    rating.case_opened_at = at
    rating.at_risk_at, rating.due_at = _targets(rating.merchant, at)
    rating.due_order = rating.due_at
    rating.resolved_at = None


def case_fields_for_new_rating(rating: Rating) -> None:
    """Sets the case of an arriving rating before it is saved (CASE-1, CASE-7): a detractor
    opens `new` at the rating's own time, so an imported past one may arrive already due."""
    rating.last_activity_at = rating.created_at
    rating.needs_reply = rating.comment is not None
    if rating.score <= 6:
        _open(rating, at=rating.created_at)


def _log(rating: Rating, actor, kind: str, before, after, at) -> CaseEvent:
    return CaseEvent.objects.create(
        merchant_id=rating.merchant_id, rating=rating, actor=actor, kind=kind, at=at,
        from_value=None if before is None else str(before), to_value=None if after is None else str(after),
    )


def _save(rating: Rating, fields: set[str]) -> None:
    Rating.objects.filter(merchant_id=rating.merchant_id, pk=rating.pk).update(
        **{name: getattr(rating, name) for name in fields})


CASE_FIELDS = {"status", "priority", "case_opened_at", "at_risk_at", "due_at", "due_order", "resolved_at"}


def _set_status(rating: Rating, status: str, *, actor, at) -> set[str]:
    before = rating.status
    if status == before:
        return set()
    if before == CaseStatus.NONE:
        _open(rating, at=at, status=status)
    else:
        rating.status = status
    if status == CaseStatus.RESOLVED:
        rating.resolved_at = at
    elif before == CaseStatus.RESOLVED:
        rating.resolved_at = None
    _log(rating, actor, CaseEvent.Kind.STATUS, before, status, at)
    return CASE_FIELDS


def owner_check(access: Access, rating: Rating, owner_id: int) -> None:
    """CASE-3: the owner must be a member who can see the rating's branch; 400 on `owner` otherwise."""
    membership = Membership.objects.filter(merchant_id=access.merchant_id, user_id=owner_id).first()
    sees = membership is not None and (
        not membership.restricted_to_branches
        or MembershipBranch.objects.filter(merchant_id=access.merchant_id, membership=membership,
                                           branch_id=rating.branch_id).exists()
    )
    if not sees:
        raise ValidationError({"owner": _("Choose a member who can see this rating's branch.")})


@transaction.atomic
def case_update(*, access: Access, rating: Rating, actor, status=UNSET, priority=UNSET, owner=UNSET) -> Rating:
    """Changes a rating's case as a member asked (CASE-1..3), logging each change (CASE-5).

    `rating` comes from rating_get(access=…). Setting a priority or an owner on a rating
    without a case opens one (`new`), as any member may (CASE-1). Values are checked before
    anything is written; a request that changes nothing writes nothing.
    """
    if status is not UNSET and status not in (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.ESCALATED,
                                              CaseStatus.RESOLVED):
        raise ValidationError({"status": _("Choose new, open, escalated or resolved.")})
    if priority is not UNSET and priority not in CasePriority.values:
        raise ValidationError({"priority": _("Choose low, medium, high or critical.")})
    if owner not in (UNSET, None):
        owner_check(access, rating, owner)
    locked = Rating.objects.select_for_update().filter(merchant_id=access.merchant_id, pk=rating.pk)
    current = locked.values_list("status", "priority", "owner_id").get()
    rating.status, rating.priority, rating.owner_id = current
    now = timezone.now()
    changed: set[str] = set()
    if status is not UNSET:
        changed |= _set_status(rating, status, actor=actor, at=now)
    elif rating.status == CaseStatus.NONE and (priority is not UNSET or owner not in (UNSET, None)):
        changed |= _set_status(rating, CaseStatus.NEW, actor=actor, at=now)
    if priority is not UNSET and priority != rating.priority:
        _log(rating, actor, CaseEvent.Kind.PRIORITY, rating.priority, priority, now)
        rating.priority = priority
        changed.add("priority")
    if owner is not UNSET and owner != rating.owner_id:
        _log(rating, actor, CaseEvent.Kind.OWNER, rating.owner_id, owner, now)
        rating.owner_id = owner
        changed.add("owner_id")
    if changed:
        _save(rating, changed)
    return rating


def note_logged(rating: Rating, message) -> None:
    """CASE-5: a note is in the log too, `to` its message id."""
    _log(rating, message.author, CaseEvent.Kind.NOTE, None, message.pk, message.created_at)


def on_customer_message(rating: Rating, at) -> set[str]:
    """The customer wrote (CASE-1, CASE-6, CASE-7): needs a reply, rises in last activity, and
    a resolved case reopens. Returns the fields to save with the message's other updates."""
    rating.last_activity_at = at
    rating.needs_reply = True
    changed = {"last_activity_at", "needs_reply"}
    if rating.status == CaseStatus.RESOLVED:
        changed |= _set_status(rating, CaseStatus.OPEN, actor=None, at=at)
    return changed


def on_staff_reply(rating: Rating, author, at) -> set[str]:
    """A staff reply (not the auto-reply, SLA-2): answered, a new case becomes open (CASE-1)."""
    rating.last_activity_at = at
    rating.needs_reply = False
    changed = {"last_activity_at", "needs_reply"}
    if rating.status != CaseStatus.NONE and rating.first_response_at is None:
        rating.first_response_at = at
        changed.add("first_response_at")
    if rating.status == CaseStatus.NEW:
        changed |= _set_status(rating, CaseStatus.OPEN, actor=author, at=at)
    return changed
