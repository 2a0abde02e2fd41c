"""No input gives a 500 in the API either (SEC-7), with the values a generator rarely draws:
NUL, lone surrogates, huge and negative numbers, 10,000-character strings, the first and last
calendar days, wrong JSON types and forged cursors, in every documented query parameter and in
every leaf of every documented request body. The operations come from the served OpenAPI schema.
(schemathesis in test_schema.py explores the same operations with generated values.)"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.hostile import CURSORS, HOSTILE

JSON_VALUES = [
    "\x00", "a\x00b", "\ud800", "x" * 10_000, "", " ", "%", "_", "99999999999999999999999",
    10**30, -10**30, 2**63, -1, 0, 1.5, 1e308, True, None, [], {}, [None], {"a": "\x00"},
    "9999-12-31", "0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-02-30",
]
RAW_BODIES = [b'{"a": NaN}', b"[" * 5000, b'"\\ud800"', b"\xff\xfe", b"null", b"7"]


@pytest.fixture(scope="module")
def document():
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def _resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            return _resolve(document, schema[combined][0])
    return schema


def body_with_every_leaf(document, schema, value):
    """The request body of `schema` with `value` in every scalar place."""
    schema = _resolve(document, schema)
    if schema.get("type") == "object" and "properties" in schema:
        return {name: body_with_every_leaf(document, prop, value) for name, prop in schema["properties"].items()}
    if schema.get("type") == "array":
        return [body_with_every_leaf(document, schema.get("items", {}), value)]
    return value


@pytest.fixture
def world(make, merchant):
    from gifts.services import gift_create
    from merchants.services import api_key_create
    from ratings.services import quick_reply_create

    admin = make.admin(merchant)
    rating = make.rating(merchant, 4, "Frío")
    key, _raw = api_key_create(merchant=merchant, name="POS")
    return {
        "ratings": rating.pk, "customers": rating.customer_id, "visits": rating.visit_id, "api-keys": key.pk,
        "gifts": gift_create(merchant=merchant, actor=admin, name="Tinto", kind="product",
                             product_name="Tinto", validity_days=5).pk,
        "quick-replies": quick_reply_create(merchant=merchant, title="Gracias", body="¡Gracias!").pk,
    }


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def _url(merchant, world, path: str) -> str:
    url = path.replace("{merchant_slug}", merchant.slug)
    if "{id}" in url:
        resource = url.split("/{id}/")[0].rsplit("/", 1)[1]
        url = url.replace("{id}", str(world[resource]))
    return url


def _failures(response, label) -> list:
    """A 5xx, or an answer that is not JSON; a CSV export's 200 is read to its end (CASE-10)."""
    content_type = response["Content-Type"]
    if response.status_code < 300 and content_type.startswith("text/csv"):
        b"".join(response.streaming_content)  # an error while streaming raises here
        return []
    if response.status_code >= 500 or not content_type.startswith("application/json"):
        return [(label, response.status_code, content_type)]
    return []


def test_sec7_hostile_query_parameters_never_give_a_500(document, merchant, world, admin_client):
    failures, covered = [], set()
    for method, path, operation in operations(document):
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        if method != "get" or not names:
            continue
        covered.add(path)
        url = _url(merchant, world, path)
        values = HOSTILE + (CURSORS if "cursor" in names else [])
        queries = ["&".join(f"{name}={value}" for name in names) for value in HOSTILE]
        queries += [f"{name}={value}" for name in names for value in values]  # each alone too
        for query in queries:
            failures += _failures(admin_client.get(f"{url}?{query}"), (path, query[:100]))
    assert "/api/v1/merchants/{merchant_slug}/ratings/" in covered
    assert failures == []


def test_sec7_hostile_request_bodies_never_give_a_500(document, merchant, world, admin_client):
    failures, covered = [], set()
    for method, path, operation in operations(document):
        schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            continue
        covered.add((method, path))
        url = _url(merchant, world, path)
        for value in JSON_VALUES:
            body = json.dumps(body_with_every_leaf(document, schema, value))
            response = getattr(admin_client, method)(url, body, content_type="application/json")
            failures += _failures(response, (method, path, repr(value)[:40]))
        for raw in RAW_BODIES:
            response = getattr(admin_client, method)(url, raw, content_type="application/json")
            failures += _failures(response, (method, path, raw[:20]))
    assert ("post", "/api/v1/merchants/{merchant_slug}/visits/") in covered
    assert failures == []


@pytest.mark.parametrize("bad_id", ["0", "99999999999999999999999", "9223372036854775808", quote("\x00"),
                                    quote("\ud800", errors="surrogatepass"), "x" * 3000])
def test_sec7_hostile_ids_in_api_paths_never_give_a_500(document, merchant, admin_client, bad_id):
    failures = []
    for method, path, _operation in operations(document):
        if "{id}" in path:
            url = path.replace("{merchant_slug}", merchant.slug).replace("{id}", bad_id)
            failures += _failures(getattr(admin_client, method)(url, {}, format="json"), (method, path))
    assert failures == []
