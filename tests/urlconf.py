"""Every route of the URL conf, for the tests that check all pages and endpoints at once."""

from __future__ import annotations

from django.urls import get_resolver
from django.urls.resolvers import URLResolver


def routes() -> list[tuple[str, str | None]]:
    """(route, url name) of every pattern, the route written out from the root."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.name

    return list(walk(get_resolver().url_patterns))
