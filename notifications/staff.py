"""Every e-mail to a member of the staff, composed in one place (CASE-3, SLA-3..6).

Generic on purpose: the callers (case assignment and escalation, new detractors, and the
alerts and digest of the `alerts` app) say what happened in plain values — a heading, a few
lines, the ratings it is about and the link to open — and `staff_email_record` writes it in
the member's language (their own setting, not the request's), as text and HTML that look
like the product, with the one-click stop link of that kind of e-mail (SLA-6) in the footer
and in the List-Unsubscribe header, and records it in the outbox once per (kind, key).

Texts that take values are worded by the caller inside `member_language(user)`:

    with member_language(user, merchant):
        heading = _("%(name)s assigned you a case") % {"name": actor_name}
    staff_email_record(merchant=m, membership=ms, kind=Kind.ASSIGNED, dedupe_key=key,
                       subject=..., heading=heading, lines=[...], items=[StaffEmailItem(...)],
                       link_url=rating_link(m, rating_id), link_label=_lazy("Open the rating"))

Fixed texts may be lazy (gettext_lazy): they are worded inside the member's language here.

Many e-mails of one merchant (a sweep's alerts, SLA-3) go through one `StaffMail`: its links
reversed once, each member's stop link signed once, all of them written in one INSERT:

    mail = StaffMail(merchant)
    for membership, rating in due:
        mail.add(mail.compose(membership=membership, kind=kind, link_url=mail.rating_link(rating.pk), ...),
                 membership=membership, kind=kind, dedupe_key=key, rating=rating)
    mail.record()

An e-mail with more to say (the SLA-5 digest, the SLA-3 alert) adds `sections`, each a titled
group of figures (label, value and an optional link: "ratings 12", "overdue cases 2") and items,
with an optional note under them ("…and 3 more"); they follow the items, before the button.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _

from customers.links import absolute
from ratings_inbox import l10n

from .links import STOPPED, STOPS, stop_url
from .models import OutgoingEmail
from .services import staff_email_row, staff_emails_queue

# The NPS band colours of the product (static/css/app.css): e-mail clients ignore stylesheets.
_BAND_STYLE = {
    "detractor": ("#fee2e2", "#7f1d1d"),
    "passive": ("#fef3c7", "#713f12"),
    "promoter": ("#dcfce7", "#14532d"),
}


@dataclass(frozen=True)
class StaffEmailItem:
    """One thing the e-mail lists, usually a rating: its text, its link and (optionally) its score."""

    text: str
    url: str
    score: int | None = None
    detail: str = ""  # a second, quieter line: the customer's words, a branch, a due time

    @property
    def chip_style(self) -> str:
        if self.score is None:
            return ""
        band = "detractor" if self.score <= 6 else "passive" if self.score <= 8 else "promoter"
        background, colour = _BAND_STYLE[band]
        return f"background:{background};color:{colour};"


@dataclass(frozen=True)
class StaffEmailFigure:
    """One number (or short value) the e-mail shows as a tile: "NPS 38", "Due 9 Mar, 14:30"."""

    label: str
    value: str
    url: str = ""  # where the figure's detail is, if anywhere
    alert: bool = False  # shown in the detractor red: something is late or wrong


@dataclass(frozen=True)
class StaffEmailSection:
    """A titled group of figures and items after the main ones, with an optional note (and its link)."""

    title: str = ""
    figures: Sequence[StaffEmailFigure] = ()
    items: Sequence[StaffEmailItem] = ()
    note: str = ""
    note_url: str = ""


@dataclass(frozen=True)
class StaffEmail:
    subject: str
    body_text: str
    body_html: str
    list_unsubscribe: str


def language_of(user, merchant) -> str:
    """The member's own language; the merchant's when the account names none."""
    return user.language or merchant.language


def member_language(user, merchant):
    """A context manager: texts worded inside it are in the member's language (SLA-6)."""
    return l10n.reading(language_of(user, merchant), merchant.timezone)


def rating_link(merchant, rating_id: int) -> str:
    """The opened rating in the inbox, as an absolute URL for an e-mail."""
    return absolute(reverse("ratings:rating", args=[merchant.slug, rating_id]))


def inbox_link(merchant, **query) -> str:
    """The inbox (a view, filters) as an absolute URL for an e-mail: inbox_link(m, view="overdue")."""
    path = reverse("ratings:inbox", args=[merchant.slug])
    return absolute(f"{path}?{urlencode(query)}" if query else path)


def _item_text(item: StaffEmailItem) -> list[str]:
    return [f"- {item.text}", *([f"  {item.detail}"] if item.detail else []), f"  {item.url}"]


def _section_text(section: StaffEmailSection) -> list[str]:
    text = [f"{section.title}:"] if section.title else []
    for figure in section.figures:
        text.append(f"- {figure.label}: {figure.value}" + (f" ({figure.url})" if figure.url else ""))
    for item in section.items:
        text += _item_text(item)
    if section.note:
        text.append(f"{section.note}: {section.note_url}" if section.note_url else section.note)
    return [*text, ""]


# Any id: the opened rating's path is reversed once with it and the rating's own put in its place.
_ANY_ID = 9876543210


class StaffMail:
    """The staff e-mails of one merchant, composed and recorded together (CASE-3, SLA-3..6).

    What the merchant's e-mails share is worked out once however many there are (a sweep's
    alerts): the links (reversed once; a rating's link is the opened rating's path around its
    id), each member's stop link per kind (signed once), the template (looked up once).
    `compose` writes one e-mail; `add` keeps it for a member and `record` writes all of them in one
    INSERT in the caller's transaction, each at most once per (kind, dedupe_key), and hands them to
    the workers after commit (notifications.services.staff_emails_queue).
    """

    def __init__(self, merchant):
        self.merchant = merchant
        self._stops: dict[tuple[int, str], str] = {}
        self._rows: list[OutgoingEmail] = []

    @cached_property
    def _rating_path(self) -> tuple[str, str]:
        before, _any, after = reverse("ratings:rating", args=[self.merchant.slug, _ANY_ID]).rpartition(str(_ANY_ID))
        return before, after

    @cached_property
    def _inbox_path(self) -> str:
        return reverse("ratings:inbox", args=[self.merchant.slug])

    @cached_property
    def _settings_link(self) -> str:
        return absolute(reverse("notification-settings:preferences", args=[self.merchant.slug]))

    @cached_property
    def _template(self):
        return get_template("emails/staff.html")

    def rating_link(self, rating_id: int) -> str:
        """rating_link(merchant, rating_id), without reversing it again."""
        before, after = self._rating_path
        return absolute(f"{before}{int(rating_id)}{after}")

    def inbox_link(self, **query) -> str:
        """inbox_link(merchant, **query), without reversing it again."""
        return absolute(f"{self._inbox_path}?{urlencode(query)}" if query else self._inbox_path)

    def _stop_link(self, membership, kind: str) -> str:
        if kind not in STOPS:
            raise ValueError(f"{kind!r} is not a kind of staff e-mail")
        key = (membership.pk, str(kind))
        if key not in self._stops:
            self._stops[key] = stop_url(membership=membership, kind=kind)
        return self._stops[key]

    def compose(
        self, *, membership, kind: str, subject: str, heading: str, lines: Sequence[str] = (),
        items: Sequence[StaffEmailItem] = (), sections: Sequence[StaffEmailSection] = (), link_url: str,
        link_label: str,
    ) -> StaffEmail:
        """The subject, text and HTML of a staff e-mail in the member's language (SLA-6).

        membership: the recipient's, with its user (select_related); it names the stop link.
        heading: one sentence saying what happened; lines: paragraphs under it; items: the ratings
        (or other things) it is about, each with its own link; sections: more figures and items, each
        group titled (texts worded by the caller); link_url/link_label: the main button.
        The footer says why the member receives it and links to the one-click stop of this kind.
        """
        merchant = self.merchant
        language = language_of(membership.user, merchant)
        stop = self._stop_link(membership, kind)
        with l10n.reading(language, merchant.timezone):
            subject, heading, link_label = str(subject), str(heading), str(link_label)
            lines = [str(line) for line in lines]
            why = _("You receive this e-mail as a member of %(merchant)s.") % {"merchant": merchant.name}
            stop_label = _("Stop %(what)s") % {"what": STOPPED[STOPS[kind][0]]}
            settings_label = _("All your notification settings")
            text = [heading, ""]
            for line in lines:
                text += [line, ""]
            for item in items:
                text += _item_text(item)
            if items:
                text.append("")
            for section in sections:
                text += _section_text(section)
            text += [f"{link_label}: {link_url}", "", "--", why, f"{stop_label}: {stop}",
                     f"{settings_label}: {self._settings_link}"]
            body_html = self._template.render({
                "merchant": merchant, "language": language, "heading": heading, "lines": lines, "items": items,
                "sections": sections, "link_url": link_url, "link_label": link_label, "why": why, "stop_url": stop,
                "stop_label": stop_label, "settings_url": self._settings_link, "settings_label": settings_label,
            })
        return StaffEmail(subject=subject, body_text="\n".join(text) + "\n", body_html=body_html,
                          list_unsubscribe=stop)

    def add(self, email: StaffEmail, *, membership, kind: str, dedupe_key: str, rating=None) -> None:
        """Keeps the member's composed e-mail of `kind` for `record`."""
        if kind not in STOPS:
            raise ValueError(f"{kind!r} is not a kind of staff e-mail")
        self._rows.append(staff_email_row(
            merchant=self.merchant, kind=kind, user=membership.user, dedupe_key=dedupe_key, subject=email.subject,
            body_text=email.body_text, body_html=email.body_html, list_unsubscribe=email.list_unsubscribe,
            rating=rating))

    def record(self, *, send: bool = True) -> list[OutgoingEmail]:
        """Writes the e-mails added in one statement in the caller's transaction and returns those
        recorded now, each with its id (a duplicate of its kind and key is not); sent after commit."""
        rows, self._rows = self._rows, []
        return staff_emails_queue(merchant=self.merchant, emails=rows, send=send) if rows else []


def staff_email_compose(*, merchant, **content) -> StaffEmail:
    """One staff e-mail composed (StaffMail.compose's arguments), for a merchant's single e-mail."""
    return StaffMail(merchant).compose(**content)


def staff_email_record(
    *, merchant, membership, kind: str, dedupe_key: str, rating=None, **content,
) -> OutgoingEmail | None:
    """staff_email_compose(), recorded in the outbox in the caller's transaction, at most once per
    (kind, dedupe_key) (None for a duplicate); sent by a worker after commit."""
    mail = StaffMail(merchant)
    mail.add(mail.compose(membership=membership, kind=kind, **content), membership=membership, kind=kind,
             dedupe_key=dedupe_key, rating=rating)
    recorded = mail.record()
    return recorded[0] if recorded else None
