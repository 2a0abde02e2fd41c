"""What the alerts and the digest read (SLA-3, SLA-5): recipients and the digest's figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from merchants.access import Access
from merchants.models import Membership, MembershipBranch
from ratings.models import Rating, SlaAlerted
from ratings.selectors import RatingFilters, day_bounds, rating_summary

DIGEST_DETRACTORS_LISTED = 20


@dataclass
class SlaRecipients:
    """The merchant's members who want SLA alerts (SLA-4), with the branches each sees."""

    members: list[Membership]
    branches: dict[int, set[int]] = field(default_factory=dict)  # membership id -> branches, if restricted

    def sees(self, membership: Membership, branch_id: int) -> bool:
        return not membership.restricted_to_branches or branch_id in self.branches.get(membership.pk, set())

    def of(self, rating: Rating, stage: int) -> list[Membership]:
        """SLA-3, among the members who see the rating's branch: at risk, the owner, or everyone
        without an owner; breached, the owner and the admins, each once."""
        def alerted(membership: Membership) -> bool:
            if membership.user_id == rating.owner_id:
                return True
            if stage == SlaAlerted.BREACHED:
                return membership.role == Membership.Role.ADMIN
            return rating.owner_id is None

        return [m for m in self.members if alerted(m) and self.sees(m, rating.branch_id)]


def sla_recipients(*, access: Access) -> SlaRecipients:
    """Two queries for a whole batch of cases, however many alerts it makes."""
    members = list(access.scope(Membership.objects, branch=None).filter(notify_sla=True, user__is_active=True)
                   .select_related("user").order_by("id"))
    restricted = [m.pk for m in members if m.restricted_to_branches]
    branches: dict[int, set[int]] = {}
    if restricted:
        links = access.scope(MembershipBranch.objects, branch=None).filter(membership_id__in=restricted)
        for membership_id, branch_id in links.values_list("membership_id", "branch_id"):
            branches.setdefault(membership_id, set()).add(branch_id)
    return SlaRecipients(members=members, branches=branches)


@dataclass(frozen=True)
class Digest:
    """One member's daily digest (SLA-5): yesterday in their branches, and what waits now."""

    day: dt.date
    ratings: int
    nps: int | None
    detractors: int
    new_detractors: list[Rating]
    needs_reply: int
    open_cases: int
    overdue_cases: int

    @property
    def has_news(self) -> bool:
        """Nothing is sent when there is nothing to say: no rating yesterday, nothing waiting."""
        return bool(self.ratings or self.needs_reply or self.open_cases)


def digest_for(*, access: Access, day: dt.date) -> Digest:
    """The member's digest of `day` (a date in the merchant's time zone), their branches only."""
    yesterday = rating_summary(access=access, filters=RatingFilters(date_from=day, date_to=day))
    waiting = rating_summary(access=access)
    start, end = day_bounds(access.merchant, day, day)
    detractors = list(
        access.scope(Rating.objects).filter(created_at__gte=start, created_at__lt=end, score__lte=6)
        .select_related("customer", "branch").order_by("-created_at", "-id")[:DIGEST_DETRACTORS_LISTED]
    )
    return Digest(day=day, ratings=yesterday["total_ratings"], nps=yesterday["nps"],
                  detractors=yesterday["detractors"], new_detractors=detractors,
                  needs_reply=waiting["needs_reply"], open_cases=waiting["open_cases"],
                  overdue_cases=waiting["overdue_cases"])
