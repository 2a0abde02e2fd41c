"""Every e-mail to a customer: its bodies, and one composer per kind (AR-5, THR-2, ANA-4; a gift's, GFT-2,
is gifts.wording.gift_email, built on email_bodies).

Each is written in the merchant's language, whatever language the request or task that
causes it runs in: the customer knows the merchant, not the staff member's settings. Each
has a text and an HTML version, the conversation link and the unsubscribe link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from customers.links import conversation_url, followup_url, unsubscribe_url
from ratings_inbox import l10n


@dataclass(frozen=True)
class EmailContent:
    subject: str
    body_text: str
    body_html: str


def staff_reply_email(*, merchant, rating, text: str) -> EmailContent:
    """A staff member's reply (THR-2), signed with the merchant's name."""
    with l10n.reading(merchant.language, merchant.timezone):
        return EmailContent(
            subject=_("%(merchant)s answered your rating") % {"merchant": merchant.name},
            **email_bodies(merchant=merchant, rating=rating, text=f"{text}\n\n— {merchant.name}"),
        )


def autoreply_email(*, merchant, rating, subject: str, text: str) -> EmailContent:
    """The auto-reply (AR-5): the merchant's own subject and text, already filled in."""
    with l10n.reading(merchant.language, merchant.timezone):
        return EmailContent(subject=subject, **email_bodies(merchant=merchant, rating=rating, text=text))


def followup_email(*, merchant, rating) -> EmailContent:
    """ANA-4 "did we fix it?": once a case is resolved, one question, the score from 1 to 10 again.
    Each number of the HTML version opens the page with that score chosen; the page records it."""
    with l10n.reading(merchant.language, merchant.timezone):
        visited = l10n.day(rating.created_at)
        link = followup_url(rating)
        unsubscribe_link = unsubscribe_url(rating.customer)
        greeting = _("Hello %(name)s,") % {"name": rating.customer.full_name}
        intro = _("On %(date)s you told us about your visit to %(branch)s, and we worked on it. "
                  "Now that we have closed the matter: how would you rate us today, from 1 to 10?") % {
            "date": visited, "branch": rating.branch.name}
        promise = _("It is one question and takes a few seconds. Your answer goes straight to our team.")
        lines = [greeting, "", intro, "", promise, "",
                 _("Rate us again: %(link)s") % {"link": link},
                 _("Stop e-mails from %(merchant)s: %(link)s") % {"merchant": merchant.name, "link": unsubscribe_link}]
        body_html = render_to_string("emails/followup.html", {
            "merchant": merchant, "paragraphs": [greeting, intro], "promise": promise, "followup_link": link,
            "scores": [(score, followup_url(rating, score=score)) for score in range(1, 11)],
            "unsubscribe_link": unsubscribe_link, "language": merchant.language,
        })
        return EmailContent(subject=_("Did we make it right? One question from %(merchant)s") % {
            "merchant": merchant.name}, body_text="\n".join(lines) + "\n", body_html=body_html)


def email_bodies(*, merchant, rating, text: str) -> dict[str, str]:
    """body_text and body_html in the active language; the customer's words are escaped in HTML."""
    conversation_link = conversation_url(rating)
    unsubscribe_link = unsubscribe_url(rating.customer)
    lines = [
        text.strip(), "",
        _("Read and answer the conversation: %(link)s") % {"link": conversation_link},
        _("Stop e-mails from %(merchant)s: %(link)s") % {"merchant": merchant.name, "link": unsubscribe_link},
    ]
    body_html = render_to_string("emails/message.html", {
        "merchant": merchant, "paragraphs": [p for p in text.strip().split("\n\n") if p.strip()],
        "conversation_link": conversation_link, "unsubscribe_link": unsubscribe_link,
        "language": merchant.language,
    })
    return {"body_text": "\n".join(lines) + "\n", "body_html": body_html}


def html_from_text(*, merchant, body_text: str) -> str:
    """An HTML version for e-mails recorded with text only (links become clickable)."""
    with l10n.reading(merchant.language, merchant.timezone):
        return render_to_string("emails/plain.html", {
            "merchant": merchant, "paragraphs": [p for p in body_text.strip().split("\n\n") if p.strip()],
            "language": merchant.language,
        })
