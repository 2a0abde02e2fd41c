"""Reads about merchants, members and branches. Every function takes the merchant first."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import Branch, Membership, Merchant


def membership_get(*, merchant: Merchant, user) -> Membership:
    """The user's membership of the merchant, or 404: non-members learn nothing (TEN-3)."""
    if user is None or not user.is_authenticated:
        raise Http404("No such merchant.")
    membership = Membership.objects.filter(merchant=merchant, user=user).first()
    if membership is None:
        raise Http404("No such merchant.")
    membership.merchant = merchant
    return membership


def visible_branch_ids(membership: Membership) -> list[int] | None:
    """The branches a membership may see; None means all of them (TEN-5)."""
    if not membership.restricted_to_branches:
        return None
    # Read once per membership object (a request), and only for restricted members.
    if not hasattr(membership, "_visible_branch_ids"):
        membership._visible_branch_ids = sorted(membership.branch_links.values_list("branch_id", flat=True))
    return membership._visible_branch_ids


def branch_list(*, merchant: Merchant, membership: Membership | None = None) -> QuerySet[Branch]:
    branches = Branch.objects.filter(merchant=merchant)
    if membership is not None:
        ids = visible_branch_ids(membership)
        if ids is not None:
            branches = branches.filter(id__in=ids)
    return branches.order_by("name", "id")


def branch_get(*, merchant: Merchant, id: int, membership: Membership | None = None) -> Branch:
    branch = branch_list(merchant=merchant, membership=membership).filter(id=id).first()
    if branch is None:
        raise Http404("No such branch.")
    return branch


def memberships_of_user(user) -> QuerySet[Membership]:
    """All merchants a user belongs to, for the merchant switcher (TEN-2).

    Readable before any merchant is chosen through the policy on the user's own rows.
    """
    return Membership.objects.filter(user=user).select_related("merchant").order_by("merchant__name")
