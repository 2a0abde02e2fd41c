"""The text and HTML versions of an e-mail to a customer, with the conversation and unsubscribe links (AR-5)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _


def compose(*, merchant, text: str, conversation_link: str | None, unsubscribe_link: str) -> tuple[str, str]:
    """(body_text, body_html) in the merchant's language; the customer's words are escaped in HTML."""
    with translation.override(merchant.language or "es"):
        lines = [text.strip(), ""]
        if conversation_link:
            lines.append(_("Read and answer the conversation: %(link)s") % {"link": conversation_link})
        lines.append(_("Stop e-mails from %(merchant)s: %(link)s") % {
            "merchant": merchant.name, "link": unsubscribe_link})
        body_text = "\n".join(lines) + "\n"
        body_html = render_to_string("emails/message.html", {
            "merchant": merchant, "paragraphs": [p for p in text.strip().split("\n\n") if p.strip()],
            "conversation_link": conversation_link, "unsubscribe_link": unsubscribe_link,
            "language": merchant.language or "es",
        })
    return body_text, body_html


def html_from_text(*, merchant, body_text: str) -> str:
    """An HTML version for e-mails recorded with text only (links become clickable)."""
    with translation.override(merchant.language or "es"):
        return render_to_string("emails/plain.html", {
            "merchant": merchant, "paragraphs": [p for p in body_text.strip().split("\n\n") if p.strip()],
            "language": merchant.language or "es",
        })
