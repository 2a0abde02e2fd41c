"""The e-mails the inbox sends its staff: a case assigned or escalated (CASE-3) and a new detractor
(SLA-4), recorded in the outbox in the transaction of the change that causes them.

Called by ratings.cases (one change or a bulk one, from a page or the API) once the change's log
is inserted, and by ratings.services.rating_create for every arriving rating. Set-based: a bulk
assign of 500 ratings to one member is one e-mail listing them, found with a fixed number of
statements whatever the number of ratings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from merchants.access import Access
from merchants.models import Membership, MembershipBranch, NewDetractorNotice
from notifications.models import OutgoingEmail
from notifications.staff import StaffEmailItem, inbox_link, member_language, rating_link, staff_email_record

from .models import CaseEvent, CaseStatus, Rating

Kind = OutgoingEmail.Kind
# A rating that arrives this long after it was given is history being imported: no alert (SLA-3).
HISTORY_AFTER = dt.timedelta(hours=1)
# An e-mail about many ratings lists this many; the rest are a link to the inbox away.
LISTED = 20


def _recipients(merchant_id: int, **filters):
    """Members to e-mail, with their user and (when restricted) the branches they see: one statement."""
    branches = MembershipBranch.objects.filter(merchant_id=merchant_id, membership_id=OuterRef("pk")).values("branch_id")
    return (Membership.objects.filter(merchant_id=merchant_id, user__is_active=True, **filters)
            .select_related("user").annotate(seen_branch_ids=ArraySubquery(branches)).order_by("pk"))


def _sees(membership, branch_id: int) -> bool:
    return not membership.restricted_to_branches or branch_id in membership.seen_branch_ids


def _ratings(access: Access, ids) -> dict[int, dict]:
    rows = (access.scope(Rating.objects).filter(pk__in=sorted(ids))
            .values("id", "score", "comment", "branch__name", "customer__full_name"))
    return {row["id"]: row for row in rows}


def _item(merchant, row: dict, *, quoting: bool = True) -> StaffEmailItem:
    """A rating as an e-mail lists it, worded in the active (the member's) language.

    Only an e-mail about one rating (recorded with it) names the customer and quotes their words:
    erasing the customer (PRV-2) finds it by its rating and blanks it. A list of many names none.
    """
    values = {"id": row["id"], "customer": row["customer__full_name"], "branch": row["branch__name"]}
    if not quoting:
        return StaffEmailItem(text=_("#%(id)s · %(branch)s") % values, url=rating_link(merchant, row["id"]),
                              score=row["score"])
    comment = Truncator(row["comment"]).chars(160) if row["comment"] else _("No comment.")
    return StaffEmailItem(text=_("#%(id)s · %(customer)s · %(branch)s") % values,
                          url=rating_link(merchant, row["id"]), score=row["score"], detail=comment)


def case_events_notify(*, access: Access, actor, events: list[CaseEvent]) -> None:
    """CASE-3, after the change's log is inserted (its ids are the e-mails' keys): the new owner of
    each case, unless they assigned it to themselves, and the admins who see an escalated case's
    branch, except the one who escalated it; each only with `notify_assigned` on. One e-mail per
    recipient, listing every case of this change that concerns them."""
    actor_id = getattr(actor, "pk", None)
    assigned: dict[int, list[CaseEvent]] = defaultdict(list)
    escalated: list[CaseEvent] = []
    for event in events:
        if event.kind == CaseEvent.Kind.OWNER and event.to_value is not None and int(event.to_value) != actor_id:
            assigned[int(event.to_value)].append(event)
        elif event.kind == CaseEvent.Kind.STATUS and event.to_value == CaseStatus.ESCALATED:
            escalated.append(event)
    mail: list[tuple[str, Membership, list[CaseEvent]]] = []
    if assigned:
        for membership in _recipients(access.merchant_id, user_id__in=sorted(assigned), notify_assigned=True):
            mail.append((Kind.ASSIGNED, membership, assigned[membership.user_id]))
    if escalated:
        admins = _recipients(access.merchant_id, role=Membership.Role.ADMIN, notify_assigned=True)
        for membership in admins.exclude(user_id=actor_id) if actor_id else admins:
            seen = [event for event in escalated if _sees(membership, event.rating.branch_id)]
            if seen:
                mail.append((Kind.ESCALATED, membership, seen))
    if not mail:
        return
    rows = _ratings(access, {event.rating_id for _kind, _member, about in mail for event in about[:LISTED]})
    for kind, membership, about in mail:
        _case_email(access.merchant, kind, membership, actor, about, rows)


def _case_email(merchant, kind: str, membership, actor, events: list[CaseEvent], rows: dict[int, dict]) -> None:
    first = rows[events[0].rating_id]
    count = len(events)
    actor_name = actor.get_full_name() if actor is not None else None
    values = {"merchant": merchant.name, "count": count, "id": first["id"], "score": first["score"],
              "customer": first["customer__full_name"], "actor": actor_name}
    with member_language(membership.user, merchant):
        items = [_item(merchant, rows[event.rating_id], quoting=count == 1) for event in events[:LISTED]]
        if kind == Kind.ASSIGNED:
            if count == 1:
                subject = _("Case #%(id)s is yours: %(score)s/10 from %(customer)s") % values
            else:
                subject = ngettext("%(count)s case is yours", "%(count)s cases are yours", count) % values
            if actor_name:
                heading = ngettext("%(actor)s assigned you a case", "%(actor)s assigned you %(count)s cases",
                                   count) % values
            else:
                heading = ngettext("A case was assigned to you", "%(count)s cases were assigned to you",
                                   count) % values
            lines = [_("Answer the customer, or hand the case to someone who can.")]
            more_link = inbox_link(merchant, view="mine")
        else:
            if count == 1:
                subject = _("Escalated: case #%(id)s, %(score)s/10 from %(customer)s") % values
            else:
                subject = ngettext("%(count)s case escalated", "%(count)s cases escalated", count) % values
            if actor_name:
                heading = ngettext("%(actor)s escalated a case", "%(actor)s escalated %(count)s cases",
                                   count) % values
            else:
                heading = ngettext("A case was escalated", "%(count)s cases were escalated", count) % values
            lines = [_("It needs an admin's attention.")]
            more_link = inbox_link(merchant, status=CaseStatus.ESCALATED)
        if count > LISTED:
            lines.append(ngettext("…and %(more)s more case.", "…and %(more)s more cases.", count - LISTED)
                         % {"more": count - LISTED})
        link_url, link_label = ((rating_link(merchant, first["id"]), _("Open the rating")) if count == 1
                                else (more_link, _("Open them in the inbox")))
    keys = sorted(event.pk for event in events)
    dedupe_key = (f"rating:{first['id']}:{kind}:{keys[0]}" if count == 1
                  else f"ratings:{kind}:{keys[0]}-{keys[-1]}:{count}")
    if kind == Kind.ESCALATED:  # one event, several admins: each their own e-mail
        dedupe_key += f":to:{membership.user_id}"
    staff_email_record(merchant=merchant, membership=membership, kind=kind, dedupe_key=dedupe_key,
                       subject=subject, heading=heading, lines=lines, items=items, link_url=link_url,
                       link_label=link_label, rating=events[0].rating if count == 1 else None)


def new_detractor_notify(*, merchant, rating: Rating, now: dt.datetime | None = None) -> None:
    """SLA-4: a detractor just arrived; members who see its branch and chose `instant` hear of it at
    once (after commit, through the outbox). A rating given more than an hour before it arrives is
    history being imported and alerts nobody (SLA-3)."""
    now = now or timezone.now()
    if rating.score > 6 or rating.created_at < now - HISTORY_AFTER:
        return
    members = [membership for membership in _recipients(merchant.pk, notify_new_detractor=NewDetractorNotice.INSTANT)
               if _sees(membership, rating.branch_id)]
    if not members:
        return
    row = _ratings(Access.system(merchant), [rating.pk])[rating.pk]
    for membership in members:
        with member_language(membership.user, merchant):
            values = {"score": row["score"], "customer": row["customer__full_name"], "branch": row["branch__name"]}
            subject = _("New detractor: %(score)s/10 from %(customer)s at %(branch)s") % values
            heading = _("%(customer)s rated %(branch)s %(score)s out of 10") % values
            item = _item(merchant, row)
        staff_email_record(
            merchant=merchant, membership=membership, kind=Kind.NEW_DETRACTOR,
            dedupe_key=f"rating:{rating.pk}:new_detractor:to:{membership.user_id}", subject=subject, heading=heading,
            lines=[gettext_lazy("Answering within the hour is the best chance to win this customer back.")],
            items=[item], link_url=rating_link(merchant, rating.pk), link_label=gettext_lazy("Open the rating"),
            rating=rating)
