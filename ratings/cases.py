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

from . import counters, followup, staff_emails
from .case_settings import case_targets
from .models import (
    DUE_NEVER,
    OPEN_STATUSES,
    CaseEvent,
    CasePriority,
    CaseStatus,
    Rating,
    sla_alert_stage_reached,
)

_MERCHANT = Rating._meta.get_field("merchant")
UNSET = object()


def first_response_target(merchant) -> dt.timedelta:
    """The merchant's first-response target (SLA-1), in open time when it has opening hours."""
    return dt.timedelta(hours=merchant.first_response_hours)


def default_priority(score: int) -> str:
    """CASE-2: high for scores 1-3, medium otherwise."""
    return CasePriority.HIGH if score <= 3 else CasePriority.MEDIUM


def _open(rating: Rating, *, at, status: str = CaseStatus.NEW, priority: str | None = None) -> None:
    rating.status = status
    rating.priority = priority or default_priority(rating.score)
    rating.case_opened_at = at
    rating.at_risk_at, rating.due_at = case_targets(rating.merchant, at)
    rating.due_order = rating.due_at
    rating.resolved_at = None
    # SLA-3: only moments still to come are alerted; an imported past case arrives past them.
    rating.sla_alerted = sla_alert_stage_reached(rating, timezone.now())


def counted(rating: Rating) -> dict[str, int]:
    """What the rating adds to the case views' kept counters (ratings.counters, CASE-6) and to the
    response and funnel counters (ANA-2, ANA-3)."""
    is_open = rating.status in OPEN_STATUSES
    has_case = rating.status != CaseStatus.NONE
    answered = rating.first_response_at is not None
    within = answered and rating.due_at is not None and rating.first_response_at <= rating.due_at
    detractor = rating.score <= 6
    return {"needs_reply": int(rating.needs_reply), "open_cases": int(is_open),
            "unassigned_cases": int(is_open and rating.owner_id is None),
            "resolved_cases": int(rating.status == CaseStatus.RESOLVED),
            "cases": int(has_case), "answered": int(has_case and answered),
            "answered_within_target": int(has_case and within),
            "detractors_answered": int(detractor and answered),
            "detractors_answered_within_target": int(detractor and within)}


def counted_change(before: dict[str, int], rating: Rating) -> dict[str, int]:
    """The counters' deltas from `before` (counted() earlier) to the rating as it is now."""
    return {name: value - before[name] for name, value in counted(rating).items()}


def case_fields_for_new_rating(rating: Rating) -> None:
    """Sets the case of an arriving rating before it is saved (CASE-1, CASE-7): a detractor
    opens `new` at the rating's own time, so an imported past one may arrive already due."""
    rating.last_activity_at = rating.created_at
    rating.needs_reply = rating.comment is not None
    if rating.score <= 6:
        _open(rating, at=rating.created_at)


def _log(rating: Rating, actor, kind: str, before, after, at, events: list | None = None) -> None:
    """One line of the case's log (CASE-5): written now, or added to `events` for one insert."""
    event = CaseEvent(
        merchant_id=rating.merchant_id, rating=rating, actor=actor, kind=kind, at=at,
        from_value=None if before is None else str(before), to_value=None if after is None else str(after),
    )
    if events is None:
        event.save()
    else:
        events.append(event)


def _save(rating: Rating, fields: set[str]) -> None:
    Rating.objects.filter(merchant_id=rating.merchant_id, pk=rating.pk).update(
        **{name: getattr(rating, name) for name in fields})


CASE_FIELDS = {"status", "priority", "case_opened_at", "at_risk_at", "due_at", "due_order", "resolved_at",
               "sla_alerted"}


def _set_status(rating: Rating, status: str, *, actor, at, events: list | None = None) -> set[str]:
    before = rating.status
    if status == before:
        return set()
    changed = {"status", "resolved_at"}
    if before == CaseStatus.NONE:
        _open(rating, at=at, status=status)
        changed = CASE_FIELDS
    else:
        rating.status = status
    if status == CaseStatus.RESOLVED:
        rating.resolved_at = at
    elif before == CaseStatus.RESOLVED:
        rating.resolved_at = None
    _log(rating, actor, CaseEvent.Kind.STATUS, before, status, at, events)
    return changed


def owner_check(access: Access, rating: Rating, owner_id: int) -> None:
    """CASE-3: the owner must be a member who can see the rating's branch; 400 on `owner` otherwise."""
    _owner_sees(access, {rating.branch_id}, owner_id)


def _owner_sees(access: Access, branch_ids: set[int], owner_id: int) -> None:
    """The owner is a member who sees every one of these branches; 400 on `owner` otherwise."""
    membership = Membership.objects.filter(merchant_id=access.merchant_id, user_id=owner_id).first()
    if membership is None:
        sees = False
    elif not membership.restricted_to_branches:
        sees = True
    else:
        linked = MembershipBranch.objects.filter(merchant_id=access.merchant_id, membership=membership,
                                                 branch_id__in=branch_ids).values_list("branch_id", flat=True)
        sees = set(linked) == branch_ids
    if not sees:
        raise ValidationError({"owner": _("Choose a member who can see this rating's branch.")})


def _check(access: Access, branch_ids: set[int], status, priority, owner) -> None:
    """The values of a change, checked before anything is written (400 on the field)."""
    if status is not UNSET and status not in (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.ESCALATED,
                                              CaseStatus.RESOLVED):
        raise ValidationError({"status": _("Choose new, open, escalated or resolved.")})
    if priority is not UNSET and priority not in CasePriority.values:
        raise ValidationError({"priority": _("Choose low, medium, high or critical.")})
    if owner not in (UNSET, None):
        _owner_sees(access, branch_ids, owner)


def _change(access: Access, rating: Rating, *, actor, at, status, priority, owner, events: list) -> set[str]:
    """Applies a checked change to `rating` (its case fields as locked), logging into `events`;
    returns the fields changed. Setting a priority or an owner on a rating without a case opens
    one (`new`), as any member may (CASE-1)."""
    changed: set[str] = set()
    _MERCHANT.set_cached_value(rating, access.merchant)  # the targets read it: no query per rating
    if status is not UNSET:
        changed |= _set_status(rating, status, actor=actor, at=at, events=events)
    elif rating.status == CaseStatus.NONE and (priority is not UNSET or owner not in (UNSET, None)):
        changed |= _set_status(rating, CaseStatus.NEW, actor=actor, at=at, events=events)
    if priority is not UNSET and priority != rating.priority:
        _log(rating, actor, CaseEvent.Kind.PRIORITY, rating.priority, priority, at, events)
        rating.priority = priority
        changed.add("priority")
    if owner is not UNSET and owner != rating.owner_id:
        _log(rating, actor, CaseEvent.Kind.OWNER, rating.owner_id, owner, at, events)
        rating.owner_id = owner
        changed.add("owner_id")
    return changed


@transaction.atomic
def case_update(*, access: Access, rating: Rating, actor, status=UNSET, priority=UNSET, owner=UNSET) -> Rating:
    """Changes a rating's case as a member asked (CASE-1..3), logging each change (CASE-5) and
    e-mailing a new owner or, on escalation, the admins (CASE-3); resolving it asks the customer
    to rate again when the merchant wants it (ANA-4).

    `rating` comes from rating_get(access=…). Values are checked before anything is written;
    a request that changes nothing writes nothing.
    """
    _check(access, {rating.branch_id}, status, priority, owner)
    _lock(access, rating)
    before, before_response = counted(rating), counters.response_key(rating)
    events: list[CaseEvent] = []
    changed = _change(access, rating, actor=actor, at=timezone.now(), status=status, priority=priority,
                      owner=owner, events=events)
    CaseEvent.objects.bulk_create(events)
    staff_emails.case_events_notify(access=access, actor=actor, events=events)  # CASE-3
    if changed:
        _save(rating, changed)
        counters.bump(rating, **counted_change(before, rating))
        counters.bump_responses(access.merchant_id, {rating.pk: (before_response, counters.response_key(rating))})
        if "resolved_at" in changed:
            followup.followups_on_resolve(access=access, ratings=[rating])
    return rating


_LOCKED_COLUMNS = ("status", "priority", "owner_id", "needs_reply", "case_opened_at", "due_at", "first_response_at",
                   "first_responder_id", "followup_requested_at")


def _lock(access: Access, rating: Rating) -> None:
    """The rating's case as stored, locked until commit: what a change starts from."""
    locked = Rating.objects.select_for_update().filter(merchant_id=access.merchant_id, pk=rating.pk)
    for name, value in zip(_LOCKED_COLUMNS, locked.values_list(*_LOCKED_COLUMNS).get(), strict=True):
        setattr(rating, name, value)


@transaction.atomic
def cases_update_many(*, access: Access, ratings: list[Rating], actor, status=UNSET, priority=UNSET,
                      owner=UNSET) -> None:
    """case_update for many ratings at once (CASE-8): the same checks and log, set-based.

    `ratings` are the caller's rows, locked (select_for_update) in this transaction with their
    case fields. The values are checked once for all their branches; the log is one insert and
    the ratings one UPDATE per distinct outcome (a bulk assign: one), not four statements each.
    """
    _check(access, {rating.branch_id for rating in ratings}, status, priority, owner)
    _apply_many(access, ratings, lambda rating, at, events: _change(
        access, rating, actor=actor, at=at, status=status, priority=priority, owner=owner, events=events),
        actor=actor, notify=True)


@transaction.atomic
def cases_restore_many(*, access: Access, ratings: list[Rating], actor, previous: dict[int, tuple]) -> None:
    """Puts cases back as they were before a change (the undo of a bulk action, CASE-8), logging
    each change (CASE-5); `previous` maps a rating id to its (status, priority, owner) before.
    Unlike case_update it may close a case that the change opened: back to `none`, without
    priority, owner or due times, as the rating was. Set-based like cases_update_many."""
    groups: dict[tuple, set[int]] = {}
    for rating in ratings:
        groups.setdefault(previous[rating.pk], set()).add(rating.branch_id)
    for (status, priority, owner), branch_ids in groups.items():
        if status == CaseStatus.NONE:
            if priority is not None or owner is not None:
                raise ValidationError({"status": _("A rating without a case has no priority and no owner.")})
        else:
            _check(access, branch_ids, status, priority, owner)

    def restore(rating, at, events):
        status, priority, owner = previous[rating.pk]
        if status != CaseStatus.NONE:
            return _change(access, rating, actor=actor, at=at, status=status, priority=priority, owner=owner,
                           events=events)
        return _close(rating, actor=actor, at=at, events=events)

    _apply_many(access, ratings, restore, actor=actor, notify=False)


def _close(rating: Rating, *, actor, at, events: list) -> set[str]:
    """Back to no case at all: the undo of a change that opened one."""
    if rating.status == CaseStatus.NONE:
        return set()
    _log(rating, actor, CaseEvent.Kind.STATUS, rating.status, CaseStatus.NONE, at, events)
    if rating.owner_id is not None:
        _log(rating, actor, CaseEvent.Kind.OWNER, rating.owner_id, None, at, events)
    rating.status, rating.priority, rating.owner_id = CaseStatus.NONE, None, None
    rating.case_opened_at = rating.at_risk_at = rating.due_at = rating.resolved_at = None
    rating.due_order = DUE_NEVER
    return CASE_FIELDS | {"owner_id"}


def _apply_many(access: Access, ratings: list[Rating], change, *, actor, notify: bool) -> None:
    """`change(rating, at, events)` on each locked rating, then the log in one insert, one UPDATE
    per distinct outcome and the kept counters (ratings.counters) in one statement. With `notify`,
    the new owners and the admins hear of what `actor` did (CASE-3) and the customers of the cases
    it resolved are asked to rate again when the merchant wants it (ANA-4); an undo puts cases back
    as they were and e-mails nobody."""
    now = timezone.now()
    events: list[CaseEvent] = []
    outcomes: dict[tuple, list[int]] = {}
    deltas: dict[int, dict[str, int]] = {}
    responses: dict[int, tuple] = {}
    for rating in ratings:
        before, before_response = counted(rating), counters.response_key(rating)
        changed = change(rating, now, events)
        if changed:
            outcome = tuple(sorted((name, getattr(rating, name)) for name in changed))
            outcomes.setdefault(outcome, []).append(rating.pk)
            deltas[rating.pk] = counted_change(before, rating)
            responses[rating.pk] = (before_response, counters.response_key(rating))
    CaseEvent.objects.bulk_create(events)
    if notify:
        staff_emails.case_events_notify(access=access, actor=actor, events=events)
    for outcome, ids in outcomes.items():
        Rating.objects.filter(merchant_id=access.merchant_id, pk__in=ids).update(**dict(outcome))
    counters.bump_many(access.merchant_id, deltas)
    counters.bump_responses(access.merchant_id, responses)
    if notify:
        resolved = {event.rating_id for event in events
                    if event.kind == CaseEvent.Kind.STATUS and event.to_value == CaseStatus.RESOLVED}
        followup.followups_on_resolve(access=access, ratings=[r for r in ratings if r.pk in resolved])


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
        rating.first_responder_id = author.pk
        changed |= {"first_response_at", "first_responder_id"}
    if rating.status == CaseStatus.NEW:
        changed |= _set_status(rating, CaseStatus.OPEN, actor=author, at=at)
    return changed
