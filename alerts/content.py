"""What the alert and digest e-mails to staff say (SLA-3, SLA-5), composed by notifications.staff.

Like every staff e-mail they are worded in the member's language, written as text and HTML by
`StaffMail.compose` (the merchant's links reversed once for a sweep's many e-mails) and end with
the one-click stop link of their kind (SLA-6).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.models import OutgoingEmail
from notifications.staff import (
    StaffEmail,
    StaffEmailFigure,
    StaffEmailItem,
    StaffEmailSection,
    StaffMail,
    member_language,
)
from ratings_inbox import l10n

Kind = OutgoingEmail.Kind


def _local(merchant, moment) -> str:
    with timezone.override(ZoneInfo(merchant.timezone)):
        return l10n.moment(moment)


def _rating_item(mail: StaffMail, rating) -> StaffEmailItem:
    """A detractor as these e-mails list it: score, customer and branch, their words underneath."""
    text = _("%(customer)s · %(branch)s") % {"customer": rating.customer.full_name, "branch": rating.branch.name}
    comment = rating.comment_excerpt or ""
    return StaffEmailItem(text=text, url=mail.rating_link(rating.pk), score=rating.score, detail=comment)


def sla_alert_email(*, mail: StaffMail, membership, rating, kind: str) -> StaffEmail:
    """SLA-3: a case at risk of missing its first-response target, or past it."""
    merchant = mail.merchant
    breached = kind == Kind.SLA_BREACHED
    with member_language(membership.user, merchant):
        values = {"score": rating.score, "customer": rating.customer.full_name, "branch": rating.branch.name}
        if breached:
            subject = _("Overdue: %(customer)s (%(score)s/10, %(branch)s) is still waiting") % values
            heading = _("A detractor has waited longer than your response target.")
        else:
            subject = _("At risk: answer %(customer)s (%(score)s/10, %(branch)s)") % values
            heading = _("A detractor is close to waiting longer than your response target.")
        times = StaffEmailSection(
            figures=[StaffEmailFigure(_("Received"), _local(merchant, rating.created_at)),
                     StaffEmailFigure(_("Response due"), _local(merchant, rating.due_at), alert=breached)],
            note=_("All overdue cases"), note_url=mail.inbox_link(view="overdue"))
        return mail.compose(
            membership=membership, kind=kind, subject=subject, heading=heading,
            items=[_rating_item(mail, rating)], sections=[times],
            link_url=mail.rating_link(rating.pk), link_label=_("Open the rating"))


def digest_email(*, mail: StaffMail, membership, digest) -> StaffEmail:
    """SLA-5: yesterday's ratings and NPS, the new detractors, and what waits for an answer."""
    merchant = mail.merchant
    with member_language(membership.user, merchant):
        subject = _("%(merchant)s yesterday: %(count)s ratings, %(detractors)s detractors") % {
            "merchant": merchant.name, "count": digest.ratings, "detractors": digest.detractors}
        yesterday = StaffEmailSection(figures=[
            StaffEmailFigure(ngettext("rating", "ratings", digest.ratings), str(digest.ratings)),
            StaffEmailFigure("NPS", "—" if digest.nps is None else str(digest.nps)),
            StaffEmailFigure(ngettext("detractor", "detractors", digest.detractors), str(digest.detractors),
                             alert=bool(digest.detractors)),
        ])
        sections = [yesterday]
        if digest.new_detractors:
            more = max(digest.detractors - len(digest.new_detractors), 0)
            sections.append(StaffEmailSection(
                title=_("New detractors"), items=[_rating_item(mail, r) for r in digest.new_detractors],
                note=ngettext("…and %(count)s more", "…and %(count)s more", more) % {"count": more} if more else "",
                note_url=mail.inbox_link(band="detractor") if more else ""))
        sections.append(StaffEmailSection(title=_("Waiting now"), figures=[
            StaffEmailFigure(ngettext("needs a reply", "need a reply", digest.needs_reply), str(digest.needs_reply),
                             url=mail.inbox_link(view="needs_reply")),
            StaffEmailFigure(ngettext("open case", "open cases", digest.open_cases), str(digest.open_cases)),
            StaffEmailFigure(ngettext("overdue case", "overdue cases", digest.overdue_cases),
                             str(digest.overdue_cases), url=mail.inbox_link(view="overdue"),
                             alert=bool(digest.overdue_cases)),
        ]))
        return mail.compose(
            membership=membership, kind=Kind.DIGEST, subject=subject, heading=_("Your daily digest"),
            lines=[_("Yesterday, %(day)s") % {"day": l10n.day(digest.day)}],
            sections=sections, link_url=mail.inbox_link(), link_label=_("Open the inbox"))
