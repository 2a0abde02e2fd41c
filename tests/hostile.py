"""Hostile values shared by the fuzz tests of the pages and the API (SEC-7)."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote


def _cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def _forged_cursors() -> list[str]:
    """Cursors the inbox never issued, shaped like the ones it does."""
    t = {"t": "2026-01-01T00:00:00+00:00"}
    return [_cursor(payload) for payload in [
        {"o": "-created_at", "v": [t, 2**70], "r": False},
        {"o": "-created_at", "v": [t, -2**70]},
        {"o": "-created_at", "v": [{"t": "2026-01-01T00:00:00"}, 1]},  # naive time
        {"o": "-created_at", "v": [{"t": "0001-01-01T00:00:00+14:00"}, 1]},
        {"o": "-created_at", "v": [{"t": "9999-12-31T23:59:59-12:00"}, 1]},
        {"o": "-created_at", "v": [{"t": 5}, 1]},
        {"o": "-created_at", "v": [t, 1.5]},
        {"o": "-created_at", "v": [t, None]},
        {"o": "-created_at", "v": [t, [1]]},
        {"o": "-created_at", "v": "ab"},
        {"o": "customer", "v": ["a\x00b", t, 1]},
        {"o": "customer", "v": ["\ud800", t, 1]},
        {"o": "customer", "v": ["x" * 5000, t, 1]},
        {"o": "-score", "v": [2**70, t, 1]},
        {"o": "is_read", "v": [1, t, 1]},
        {"o": ["-created_at"], "v": [t, 1]},
        [], "x", 7, None,
    ]] + [
        "WzEsMl0",  # base64 of [1,2]
        base64.urlsafe_b64encode(b"[" * 1500).decode(),  # nesting deeper than the recursion limit
        base64.urlsafe_b64encode(b'{"o":"-created_at","v":[1e999,1]}').decode(),  # infinity
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        "====", "%00", "é",
    ]


# Raw, already percent-encoded: lone surrogates and invalid UTF-8 reach Django as sent.
HOSTILE = [
    "%00", "a%00b", "99999999999999999999999", "-99999999999999999999", "-1", "0", "1.5", "%C2%B2", "%D9%A1",
    "x" * 10_000, "%ED%A0%80", "%FF", "0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30",
    "[]", "{}", "null", "%25", "_", "'%3B--",
]
CURSORS = [quote(cursor) for cursor in _forged_cursors()]
