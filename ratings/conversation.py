"""The opened rating as members see it: its case bar and its conversation, where the case log
runs between the messages by time (CASE-1..5, SLA-2).

Shared by the inbox pages (inbox.views) and the case actions (inbox.case_views), so that
every response that redraws the thread or the bar draws the same thing.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.access import Access
from merchants.selectors import members_for_branch
from notifications.selectors import Delivery, rating_deliveries

from .followup import REASONS, refusal
from .models import OPEN_STATUSES, CaseEvent, CasePriority, CaseStatus, Message, Rating, Sla, sla_state
from .selectors import case_events, rating_thread


@dataclass(frozen=True)
class LogLine:
    """One case event as a quiet line of the conversation ("Ana assigned Pedro")."""

    pk: int
    at: dt.datetime
    text: str
    is_log_line = True


@dataclass(frozen=True)
class CaseBar:
    """What the case bar shows and offers (CASE-1..3, SLA-2)."""

    rating: Rating
    owner_name: str | None
    members: list[tuple[int, str]]
    sla: Sla
    user_id: int | None

    @property
    def has_case(self) -> bool:
        return self.rating.status != CaseStatus.NONE

    @property
    def is_open(self) -> bool:
        return self.rating.status in OPEN_STATUSES

    @property
    def is_mine(self) -> bool:
        return self.user_id is not None and self.rating.owner_id == self.user_id

    @property
    def status_label(self) -> str:
        return CaseStatus(self.rating.status).label

    @property
    def priorities(self):
        return CasePriority.choices

    @property
    def followup_refusal(self) -> str | None:
        """Why the customer of this resolved case cannot be asked to rate again (ANA-4), in words;
        None when the button is offered. rating_get() read the customer with the rating."""
        reason = refusal(self.rating, self.rating.customer)
        return None if reason is None else REASONS[reason]()

    @property
    def owner_missing(self) -> bool:
        """The owner no longer sees the branch: still shown as the current choice."""
        return self.rating.owner_id is not None and all(pk != self.rating.owner_id for pk, _name in self.members)


def _names(members, ids: set[int]) -> dict[int, str]:
    """Display names of users by id: the branch's members (read anyway for the owner select), and
    in one statement those the log names who are no longer among them."""
    names = {membership.user_id: membership.user.get_full_name() for membership in members}
    missing = ids - names.keys()
    if missing:
        users = get_user_model().objects.filter(pk__in=missing).only("full_name", "email")
        names.update({user.pk: user.get_full_name() for user in users})
    return names


def _owner_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def log_text(event: CaseEvent, names: dict[int, str]) -> str:
    """The event in the reader's language: "Ana assigned Pedro", "System reopened the case"."""
    actor = _("System") if event.actor_id is None else names.get(event.actor_id) or event.actor.get_full_name()
    if event.kind == CaseEvent.Kind.PRIORITY:
        return _("%(actor)s changed the priority to %(priority)s") % {
            "actor": actor, "priority": CasePriority(event.to_value).label}
    if event.kind == CaseEvent.Kind.OWNER:
        owner = _owner_id(event.to_value)
        if owner is None:
            return _("%(actor)s unassigned the case") % {"actor": actor}
        if owner == event.actor_id:
            return _("%(actor)s took the case") % {"actor": actor}
        return _("%(actor)s assigned %(owner)s") % {"actor": actor,
                                                    "owner": names.get(owner) or _("a former member")}
    before, after = event.from_value, event.to_value
    if before == CaseStatus.NONE:
        return _("%(actor)s opened a case") % {"actor": actor}
    if after == CaseStatus.RESOLVED:
        return _("%(actor)s resolved the case") % {"actor": actor}
    if after == CaseStatus.ESCALATED:
        return _("%(actor)s escalated the case") % {"actor": actor}
    if before == CaseStatus.RESOLVED:
        return _("%(actor)s reopened the case") % {"actor": actor}
    return _("%(actor)s changed the status to %(status)s") % {"actor": actor, "status": CaseStatus(after).label}


def _entries(messages, events, names) -> list:
    """Messages and log lines by time; at the same instant the message first (a reply, then the
    case it opened). A note's own event is the note itself, shown once."""
    lines = [LogLine(pk=event.pk, at=event.at, text=log_text(event, names))
             for event in events if event.kind != CaseEvent.Kind.NOTE]
    return list(heapq.merge(((m.created_at, 0, m.pk, m) for m in messages),
                            ((line.at, 1, line.pk, line) for line in lines)))


def deliveries(*, access: Access, rating: Rating) -> dict[int, Delivery]:
    """The delivery state of the rating's e-mailed messages (THR-2), read once per request: the thread
    and the poll's signature of the same response share it."""
    if getattr(rating, "_deliveries", None) is None:
        rating._deliveries = rating_deliveries(access=access, rating_id=rating.pk)
    return rating._deliveries


def deliveries_signature(*, access: Access, rating: Rating) -> str:
    return ",".join(f"{pk}={d.signature}" for pk, d in deliveries(access=access, rating=rating).items())


def opened_rating(*, access: Access, rating: Rating) -> dict:
    """The case bar and the conversation of an opened rating, in a fixed number of statements
    however long the thread and the log: the thread, the log, the branch's members (names for
    both the owner select and the log), the delivery of its e-mailed messages when it has any (THR-2)
    and, only when the log names someone who left, their names."""
    members = list(members_for_branch(access=access, branch_id=rating.branch_id))
    events = case_events(access=access, rating=rating)
    mentioned = {owner for event in events if event.kind == CaseEvent.Kind.OWNER
                 and (owner := _owner_id(event.to_value)) is not None}
    if rating.owner_id is not None:
        mentioned.add(rating.owner_id)
    names = _names(members, mentioned)
    messages = rating_thread(access=access, rating=rating)
    sent = deliveries(access=access, rating=rating) if any(
        m.author_kind in Message.REPLY_KINDS for m in messages) else {}
    for message in messages:
        message.delivery = sent.get(message.pk)
    entries = _entries(messages, events, names)
    case = CaseBar(
        rating=rating, owner_name=names.get(rating.owner_id) if rating.owner_id else None,
        members=[(membership.user_id, names[membership.user_id]) for membership in members],
        sla=Sla(sla_state(rating, timezone.now())), user_id=access.user_id,
    )
    return {"thread": [entry for *_key, entry in entries], "case": case}
