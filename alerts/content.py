"""The alert and digest e-mails to staff, composed in one place (SLA-3, SLA-5, SLA-6).

Each is in the member's language, has a text and an HTML part, links to what it is about and
ends with the one-click stop link of its kind (also sent as the List-Unsubscribe header).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from customers.links import absolute
from notifications.links import stop_url
from notifications.models import OutgoingEmail

Kind = OutgoingEmail.Kind


@dataclass(frozen=True)
class StaffEmail:
    subject: str
    body_text: str
    body_html: str
    list_unsubscribe: str


def rating_link(merchant, rating) -> str:
    return absolute(reverse("ratings:rating", args=[merchant.slug, rating.pk]))


def inbox_link(merchant, view: str | None = None) -> str:
    path = reverse("ratings:inbox", args=[merchant.slug])
    return absolute(f"{path}?view={view}" if view else path)


def _local(merchant, moment) -> str:
    return formats.date_format(moment.astimezone(ZoneInfo(merchant.timezone)), "DATETIME_FORMAT")


def _compose(*, membership, kind: str, template: str, subject: str, context: dict) -> StaffEmail:
    stop = stop_url(membership=membership, kind=kind)
    context = {**context, "merchant": membership.merchant, "stop_link": stop,
               "language": translation.get_language()}
    return StaffEmail(
        subject=subject,
        body_text=render_to_string(f"alerts/{template}.txt", context),
        body_html=render_to_string(f"alerts/{template}.html", context),
        list_unsubscribe=stop,
    )


def sla_alert_email(*, membership, rating, kind: str) -> StaffEmail:
    """SLA-3: a case at risk of missing its first-response target, or past it."""
    merchant = membership.merchant
    with translation.override(membership.user.language):
        values = {"score": rating.score, "customer": rating.customer.full_name, "branch": rating.branch.name}
        if kind == Kind.SLA_AT_RISK:
            subject = _("At risk: answer %(customer)s (%(score)s/10, %(branch)s)") % values
            headline = _("A detractor is close to waiting longer than your response target.")
        else:
            subject = _("Overdue: %(customer)s (%(score)s/10, %(branch)s) is still waiting") % values
            headline = _("A detractor has waited longer than your response target.")
        return _compose(membership=membership, kind=kind, template="sla_alert", subject=subject, context={
            "rating": rating, "headline": headline, "breached": kind == Kind.SLA_BREACHED,
            "due": _local(merchant, rating.due_at), "received": _local(merchant, rating.created_at),
            "link": rating_link(merchant, rating), "overdue_link": inbox_link(merchant, "overdue"),
        })


def digest_email(*, membership, digest) -> StaffEmail:
    """SLA-5: yesterday's ratings and NPS, the new detractors, and what waits for an answer."""
    merchant = membership.merchant
    with translation.override(membership.user.language):
        day = formats.date_format(digest.day, "DATE_FORMAT")
        subject = _("%(merchant)s yesterday: %(count)s ratings, %(detractors)s detractors") % {
            "merchant": merchant.name, "count": digest.ratings, "detractors": digest.detractors}
        return _compose(membership=membership, kind=Kind.DIGEST, template="digest", subject=subject, context={
            "digest": digest, "day": day,
            "detractors": [(r, rating_link(merchant, r)) for r in digest.new_detractors],
            "more_detractors": max(digest.detractors - len(digest.new_detractors), 0),
            "inbox_link": inbox_link(merchant), "needs_reply_link": inbox_link(merchant, "needs_reply"),
            "overdue_link": inbox_link(merchant, "overdue"),
        })
