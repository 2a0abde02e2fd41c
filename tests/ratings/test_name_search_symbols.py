"""A name search of only symbols (`%`, `_`) matches nobody, not everybody (INB-4, SEC-7):
in the API's customers and ratings lists and in the inbox page."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.conftest import base

SYMBOLS = ["%", "_", "%%", "_%", "-", "*", "'", "\\"]


@pytest.fixture
def rated(make, merchant):
    return [make.rating(merchant, 8, customer=make.customer(merchant, name)) for name in ("Ana Ruiz", "Beto_Gil")]


@pytest.fixture
def api(make, merchant, client_for):
    return client_for(make.admin(merchant))


@pytest.mark.parametrize("q", SYMBOLS)
def test_api_customers_search_of_symbols_finds_nobody(rated, merchant, api, q):
    response = api.get(base(merchant) + "customers/?q=" + quote(q))
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("q", SYMBOLS)
def test_api_ratings_search_of_symbols_finds_nothing(rated, merchant, api, q):
    response = api.get(base(merchant) + "ratings/?q=" + quote(q))
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("q", SYMBOLS)
def test_inbox_search_of_symbols_finds_nothing(rated, make, merchant, client, q):
    client.force_login(make.admin(merchant))
    html = client.get(f"/m/{merchant.slug}/inbox/?q=" + quote(q)).content.decode()
    assert re.findall(r'id="row-(\d+)"', html) == []


def test_blank_search_and_words_around_symbols_still_work(rated, merchant, api):
    ana, beto = rated
    assert len(api.get(base(merchant) + "customers/?q=%20").json()["results"]) == 2
    assert [c["full_name"] for c in api.get(base(merchant) + "customers/?q=" + quote("%ana%")).json()["results"]] \
        == ["Ana Ruiz"]
    assert [r["id"] for r in api.get(base(merchant) + "ratings/?q=gil").json()["results"]] == [beto.pk]
