"""Every action's confirmation through one mechanism (issue 17): a view's Django message is a toast;
in answer to htmx it travels in the HX-Trigger header (ratings_inbox.toasts), on a whole page the
layout shows it."""

from __future__ import annotations

import json

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from ratings_inbox.toasts import HtmxToastMiddleware


def _request(*, htmx: bool):
    request = RequestFactory().post("/", headers={"HX-Request": "true"} if htmx else {})
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _answer(response, *texts, level=messages.SUCCESS):
    def view(request):
        for text in texts:
            messages.add_message(request, level, text)
        return response
    return HtmxToastMiddleware(view)


def test_an_htmx_answer_carries_the_messages_as_the_toast_event():
    request = _request(htmx=True)
    response = HttpResponse()
    response.headers["HX-Trigger"] = json.dumps({"case-changed": {"id": 3}})
    answered = _answer(response, "Código canjeado…")(request)
    triggers = json.loads(answered.headers["HX-Trigger"])
    assert triggers == {"case-changed": {"id": 3}, "toast": {"text": "Código canjeado…", "error": False}}
    assert answered.headers["HX-Trigger"].isascii()  # a header value is Latin-1 at most
    assert request._messages.used  # so MessageMiddleware keeps them for no later page


@pytest.mark.parametrize("level, error", [(messages.ERROR, True), (messages.INFO, False)])
def test_an_error_is_an_error_toast(level, error):
    answered = _answer(HttpResponse(), "No se pudo.", level=level)(_request(htmx=True))
    assert json.loads(answered.headers["HX-Trigger"])["toast"]["error"] is error


def test_whole_pages_and_redirects_keep_their_messages_for_the_layout():
    for request, response in ((_request(htmx=False), HttpResponse()), (_request(htmx=True), HttpResponseRedirect("/x/"))):
        answered = _answer(response, "Guardado.")(request)
        assert "HX-Trigger" not in answered.headers
        assert not request._messages.used
        assert [str(m) for m in messages.get_messages(request)] == ["Guardado."]
