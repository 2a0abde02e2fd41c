"""The bytes of an outgoing e-mail, written at once (issue 15: a drain of thousands of alerts).

Django's EmailMultiAlternatives builds a tree of email.mime objects, and the generator then walks
it and folds every header again through email.header: a third of a worker's CPU for each message
it sends. Every e-mail of the outbox has one shape — one recipient, a sender, a subject, a few
headers of our own (Message-ID, List-Unsubscribe), a text part and an HTML part — so
`OutboxMessage` writes that shape directly, by Django's rules: each header through Django's own
check (a line break refused, a non-ASCII value as RFC 2047 words, the subject folded), the parts in
UTF-8, 7bit or 8bit, or quoted-printable when a line is longer than RFC 5322's 998 octets.

It is still an EmailMultiAlternatives, so every Django backend takes it: SMTP sends the bytes of
`message()`, locmem keeps the message for the tests, console prints it.
"""

from __future__ import annotations

import binascii
import secrets
from email.header import Header
from email.message import Message
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, forbid_multi_line_headers

CRLF = "\r\n"


class PreparedMessage(Message):
    """What OutboxMessage.message() gives the backends: its headers, to read, and its bytes, written once."""

    def __init__(self, headers: list[tuple[str, str]], data: bytes):
        super().__init__()
        for name, value in headers:
            self[name] = value
        self._data = data

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self._data if linesep == CRLF else self._data.replace(CRLF.encode(), linesep.encode())

    def as_string(self, unixfrom: bool = False, maxheaderlen: int = 0, policy=None, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode("utf-8", "surrogateescape")

    __bytes__ = as_bytes
    __str__ = as_string


class OutboxMessage(EmailMultiAlternatives):
    """An e-mail of the outbox: one recipient, a text body and at most one HTML alternative."""

    def message(self) -> PreparedMessage:
        if self.cc or self.bcc or self.reply_to or self.attachments or len(self.alternatives) > 1:
            raise ValueError("an outbox e-mail has no copies, no attachments and at most one HTML part")
        encoding = self.encoding or settings.DEFAULT_CHARSET
        parts = [_part(self.body, self.content_subtype, encoding)]
        parts += [_part(content, mimetype.partition("/")[2], encoding) for content, mimetype in self.alternatives]
        if len(parts) == 1:
            content_headers, body = parts[0]
        else:
            boundary = _boundary(parts)
            content_headers = [("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
                               ("MIME-Version", "1.0")]
            body = b"".join(b"--%s\r\n%s\r\n%s\r\n" % (boundary.encode(), _header_lines(headers), payload)
                            for headers, payload in parts) + b"--%s--\r\n" % boundary.encode()
        headers = [*content_headers, ("Subject", self.subject), ("From", self.from_email), ("To", ", ".join(self.to))]
        if "date" not in {name.lower() for name in self.extra_headers}:
            headers.append(("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
        headers += [(name, value) for name, value in self.extra_headers.items()
                    if name.lower() not in {"from", "to", "cc", "reply-to"}]
        headers = [forbid_multi_line_headers(name, str(value), encoding) for name, value in headers]
        headers = [(name, value.replace("\n", CRLF)) for name, value in headers]  # the subject's folds
        return PreparedMessage(headers, _header_lines(headers) + b"\r\n" + body)


def _part(text: str, subtype: str, encoding: str) -> tuple[list[tuple[str, str]], bytes]:
    """A text part's headers and payload (CRLF line ends), encoded as Django's SafeMIMEText does."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    data = "\n".join(lines).encode(encoding, errors="surrogateescape")
    if any(len(line) > RFC5322_EMAIL_LINE_LENGTH_LIMIT for line in data.split(b"\n")):
        transfer, data = "quoted-printable", binascii.b2a_qp(data, istext=True)
    else:
        transfer = "7bit" if data.isascii() else "8bit"
    headers = [("Content-Type", f'text/{subtype}; charset="{encoding}"'), ("MIME-Version", "1.0"),
               ("Content-Transfer-Encoding", transfer)]
    return headers, data.replace(b"\n", b"\r\n")


def _boundary(parts) -> str:
    while True:
        boundary = f"=_{secrets.token_hex(16)}"
        if not any(boundary.encode() in payload for _headers, payload in parts):
            return boundary


def _header_lines(headers: list[tuple[str, str]]) -> bytes:
    """`Name: value` lines, CRLF-ended; a line longer than RFC 5322 allows folded at its spaces."""
    lines = []
    for name, value in headers:
        line = f"{name}: {value}"
        if len(line) > RFC5322_EMAIL_LINE_LENGTH_LIMIT:
            line = f"{name}: {Header(value, header_name=name).encode(linesep=CRLF)}"
        lines.append(line + CRLF)
    return "".join(lines).encode()
