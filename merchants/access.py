"""Who is acting for which merchant, and which branches they see: the one access value (SEC-2).

Every selector and service that reads or writes a merchant's data takes an `Access`. It is
built once per request (from the membership: `Access.member`) or per task and command
(`Access.system`: the whole merchant, no member), and it is the only place where rows are
narrowed to a merchant and to the member's branches. There is no "no access" value: a
caller that has none cannot call a selector, so a forgotten branch rule fails closed.

    access.scope(Rating.objects)                    # merchant and branches
    access.scope(Customer.objects, branch=None)     # merchant only (not branch-owned rows)
    access.branch_sql("r.branch_id")                # the same rule for plain SQL
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Membership, Merchant


@dataclass(frozen=True, eq=False)
class Access:
    merchant: Merchant
    membership: Membership | None
    # The branches this access may see; None means every branch of the merchant (TEN-5).
    branch_ids: frozenset[int] | None

    @classmethod
    def member(cls, membership: Membership, merchant: Merchant | None = None) -> Access:
        """A member's access: their merchant, role and (when restricted) branches."""
        merchant = merchant or membership.merchant
        branch_ids = None
        if membership.restricted_to_branches:
            branch_ids = frozenset(membership.branch_links.values_list("branch_id", flat=True))
        return cls(merchant=merchant, membership=membership, branch_ids=branch_ids)

    @classmethod
    def system(cls, merchant: Merchant) -> Access:
        """The merchant as a whole, for tasks, commands and integration keys (no member)."""
        return cls(merchant=merchant, membership=None, branch_ids=None)

    @property
    def merchant_id(self) -> int:
        return self.merchant.pk

    @property
    def user(self):
        return self.membership.user if self.membership is not None else None

    @property
    def user_id(self) -> int | None:
        return self.membership.user_id if self.membership is not None else None

    @property
    def restricted(self) -> bool:
        return self.branch_ids is not None

    def has_role(self, role: str) -> bool:
        """System access may do anything a service allows; a member as their role allows (§9)."""
        return self.membership is None or self.membership.has_role(role)

    def sees_branch(self, branch_id: int | None) -> bool:
        return self.branch_ids is None or branch_id in self.branch_ids

    def check_branch(self, branch_id: int | None) -> None:
        """404 for a branch outside this access (TEN-3: nothing is learnt about it)."""
        if not self.sees_branch(branch_id):
            raise Http404("No such branch.")

    def branch_q(self, branch: str = "branch_id") -> Q:
        """The branch rule as a Q over the field `branch` (an empty Q when unrestricted)."""
        return Q() if self.branch_ids is None else Q(**{f"{branch}__in": sorted(self.branch_ids)})

    def scope(self, rows, *, branch: str | None = "branch_id") -> QuerySet:
        """`rows` (a manager or queryset) of this merchant and, through `branch`, these branches.

        `branch=None` for rows that belong to the merchant and no branch (customers, gifts):
        their branch rule is the caller's, through the rows that are branch-owned.
        """
        rows = rows.all().filter(merchant_id=self.merchant.pk)
        if branch is not None and self.branch_ids is not None:
            rows = rows.filter(self.branch_q(branch))
        return rows

    def branch_sql(self, column: str) -> tuple[str, list]:
        """(' AND column = ANY(%s)', [ids]) for plain SQL, or ('', []) when unrestricted."""
        if self.branch_ids is None:
            return "", []
        return f" AND {column} = ANY(%s)", [sorted(self.branch_ids)]

    def visible_branch_ids(self) -> list[int] | None:
        return None if self.branch_ids is None else sorted(self.branch_ids)
