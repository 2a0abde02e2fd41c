"""JSON log lines carry the request id and the merchant (SCALE-1: processes log to stdout only)."""

from __future__ import annotations

import io
import json
import logging

import pytest

from merchants import tenancy
from ratings_inbox.logs import JsonFormatter


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("django.request"), logging.getLogger("tests.logs")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


def test_a_requests_log_lines_carry_its_request_id_and_merchant_scale1(client, make, merchant, json_lines):
    client.force_login(make.admin(merchant))
    response = client.get(f"/m/{merchant.slug}/inbox/999999/", headers={"X-Request-ID": "edge-42"})
    assert response.status_code == 404 and response["X-Request-ID"] == "edge-42"
    [line] = json_lines()
    assert line["level"] == "WARNING" and line["logger"] == "django.request"
    assert line["request_id"] == "edge-42" and line["merchant_id"] == str(merchant.pk)
    assert line["time"].endswith("Z")


def test_a_request_without_an_id_or_with_a_strange_one_gets_a_fresh_one_scale1(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz", headers={"X-Request-ID": "two words\nand a newline"})["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second


def test_a_tasks_lines_carry_the_merchant_it_acts_for_scale1(db, make, json_lines):
    shop = make.merchant()
    with tenancy.tenant(shop.pk):
        logging.getLogger("tests.logs").warning("inside")
    logging.getLogger("tests.logs").warning("outside")
    inside, outside = json_lines()
    assert (inside["message"], inside["merchant_id"]) == ("inside", str(shop.pk))
    assert outside["merchant_id"] is None
