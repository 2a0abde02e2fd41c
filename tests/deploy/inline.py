"""Finds what a Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval' would block in a page."""

from __future__ import annotations

from html.parser import HTMLParser

DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}  # data, never executed


class InlineCodeFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        where = self.get_starttag_text()[:120]
        if tag == "script" and not attributes.get("src") and attributes.get("type") not in DATA_SCRIPT_TYPES:
            self.found.append(f"inline <script>: {where}")
        if tag == "style":
            self.found.append(f"<style> block: {where}")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name == "style":
                self.found.append(f"style attribute: {where}")
            elif name.startswith("on"):
                self.found.append(f"event handler attribute {name}: {where}")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"htmx {name} (needs eval): {where}")
            elif name in {"href", "src", "action", "formaction"} and value.startswith("javascript:"):
                self.found.append(f"javascript: URL: {where}")
            elif name in {"hx-vals", "hx-headers", "data-hx-vals", "data-hx-headers"} and value.startswith(
                    ("js:", "javascript:")):
                self.found.append(f"{name} evaluated as JavaScript: {where}")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.found
