"""One way every action says it was done (issue 17): a Django message becomes a toast.

A view adds a message as it always did (`messages.success(request, ...)`). On a whole page the
layout shows the pending messages in its toast region (templates/layouts/app.html); in answer to an
htmx request, which swaps only a piece of the page, this middleware moves them into the HX-Trigger
header as the `toast` event, which static/js/toasts.js draws in the same region. Views whose answer
already carries its own toast (a reply or a bulk action with its Undo) add no message.
"""

from __future__ import annotations

import json

from django.contrib import messages


class HtmxToastMiddleware:
    """Placed after MessageMiddleware, so the messages read here are not stored for the next page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or 300 <= response.status_code < 400:
            return response
        pending = list(messages.get_messages(request))
        if not pending:
            return response
        toast = {"text": " ".join(str(m) for m in pending),
                 "error": any(m.level >= messages.ERROR for m in pending)}
        try:
            triggers = json.loads(response.headers.get("HX-Trigger") or "{}")
        except ValueError:
            triggers = {response.headers["HX-Trigger"]: None}
        triggers["toast"] = toast
        # ASCII escapes: a header's value is Latin-1 at most; htmx parses the JSON back.
        response.headers["HX-Trigger"] = json.dumps(triggers, ensure_ascii=True)
        return response
