"""Issue 15, AR-5: the outbox writes an e-mail's bytes itself (notifications.mime), and what a mail
client reads from them is what Django's EmailMultiAlternatives would have made of the same e-mail."""

from __future__ import annotations

import email
from email.header import decode_header, make_header

import pytest
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend

from notifications.mime import OutboxMessage

HEADERS = {"Message-ID": "<1.sla-breached@ratings-inbox.local>", "List-Unsubscribe": "<https://x.test/n/abc/>",
           "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _read(data: bytes) -> dict:
    """What a client shows: decoded headers, and each part's type, charset and decoded text."""
    message = email.message_from_bytes(data)
    headers = {name: str(make_header(decode_header(message[name])))
               for name in ("Subject", "From", "To", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post")}
    parts = [(part.get_content_type(), part.get_content_charset(),
              part.get_payload(decode=True).decode().replace("\r\n", "\n").rstrip("\n"))
             for part in message.walk() if not part.is_multipart()]
    return {"type": message.get_content_type(), "headers": headers, "parts": parts, "date": bool(message["Date"])}


def _both(subject, body, html, sender="Ratings Inbox <no-reply@ratings-inbox.local>", to="ana@example.com"):
    made = []
    for cls in (EmailMultiAlternatives, OutboxMessage):
        message = cls(subject=subject, body=body, from_email=sender, to=[to], headers=HEADERS)
        if html is not None:
            message.attach_alternative(html, "text/html")
        made.append(message.message().as_bytes(linesep="\r\n"))
    return made


@pytest.mark.parametrize(("subject", "body", "html", "sender"), [
    ("Overdue: Ana (2/10, Centro) is still waiting", "Hello\n\n- one\n", "<p>Hello</p>\n", "Ratings Inbox <n@x.co>"),
    ("Vencido: José Pérez (3/10, Sede Niño) sigue esperando " * 4, "Señor José,\r\ngracias.\n", "<p>ñ</p>",
     "Café Aroma <no-reply@ratings-inbox.local>"),
    ("Long lines", "x" * 1200 + "\nñ " * 3, "<p>" + "y" * 1000 + "</p>", "Ratings Inbox <n@x.co>"),
    ("Text only", "Hola\n", None, "La Arepa Dorada <no-reply@ratings-inbox.local>"),
])
def test_a_client_reads_what_django_would_have_sent_ar5_issue15(subject, body, html, sender):
    django_made, ours = _both(subject, body, html, sender)
    assert _read(ours) == _read(django_made)
    assert all(len(line) <= 998 for line in ours.split(b"\r\n")) and b"\n" not in ours.replace(b"\r\n", b"")


def test_a_header_with_a_line_break_is_refused_as_django_does():
    message = OutboxMessage(subject="Hola\nBcc: everyone@example.com", body="x", to=["ana@example.com"])
    with pytest.raises(BadHeaderError):
        message.message()


def test_the_smtp_backend_sends_its_bytes_unchanged_ar5(monkeypatch):
    sent = []
    backend = EmailBackend(host="127.0.0.1", port=1)
    monkeypatch.setattr(backend, "open", lambda: False)
    backend.connection = type("Smtp", (), {"sendmail": lambda self, *args: sent.append(args)})()
    message = OutboxMessage(subject="Hola", body="Hola\n", to=["ana@example.com"], headers=HEADERS,
                            from_email="Ratings Inbox <n@x.co>")
    message.attach_alternative("<p>Hola</p>", "text/html")
    assert backend.send_messages([message]) == 1
    [(sender, recipients, data)] = sent
    assert (sender, recipients) == ("Ratings Inbox <n@x.co>", ["ana@example.com"])
    assert _read(data)["headers"]["Message-ID"] == HEADERS["Message-ID"]
