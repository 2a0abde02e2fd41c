"""The dashboard page and its CSV downloads give the API's figures (ANA-1..3, ANA-5, ANA-6)."""

from __future__ import annotations

import csv
import io

from tests.conftest import base

from .conftest import RANGE


def page(client, merchant, **params):
    response = client.get(f"/m/{merchant.slug}/analytics/", params)
    assert response.status_code == 200, response.content[:2000]
    return response.content.decode()


def csv_rows(client, merchant, table, **params):
    response = client.get(f"/m/{merchant.slug}/analytics/{table}.csv", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_page_tables_and_csv_give_the_api_figures_ANA_6(world, merchant, client, client_for, now):
    client.force_login(world["admin"])
    html = page(client, merchant, **RANGE)
    api = client_for(world["admin"]).get(base(merchant) + "analytics/nps/", RANGE).json()
    for figure in ("<svg", 'id="table-nps"', 'id="table-recovery"', 'id="table-watchlist"', "Cliente V",
                   "$5.000", "$137.700", "-29", "Sur", "Norte"):
        assert figure in html, figure
    assert html.count('class="nps-dot"') == 2 * 3  # a wide and a narrow chart, three weeks each
    rows = csv_rows(client, merchant, "nps", **RANGE)
    assert rows[0] == ["period_start", "ratings", "promoters", "passives", "detractors", "comments", "nps"]
    assert rows[1:] == [[row["period_start"], *(str(row[k]) for k in rows[0][1:])] for row in api["series"]]
    recovery = csv_rows(client, merchant, "recovery", **RANGE)
    assert recovery[-1] == ["total", "4", "3", "2", "1", "1", "3", "2", "1", "5000.00", "5000.00"]
    response = csv_rows(client, merchant, "response", **RANGE)
    assert ["member", "Ana Agente", "2", "2", "1", "0.5", "30", "1440"] in response
    watch = csv_rows(client, merchant, "watchlist")
    assert [row[1] for row in watch[1:]] == ["Cliente V", "Cliente T"]


def test_a_watchlist_customer_links_to_their_latest_rating_ANA_5(world, merchant, client, now):
    client.force_login(world["admin"])
    html = page(client, merchant)
    assert f'/m/{merchant.slug}/inbox/{world["ratings"]["v"].pk}/' in html


def test_csv_cells_are_formula_safe_ANA_6(world, make, merchant, client, now):
    from merchants import tenancy
    from merchants.services import branch_create

    with tenancy.tenant(merchant.pk):
        branch_create(merchant=merchant, name="=HYPERLINK(\"http://x\")")
    client.force_login(world["admin"])
    rows = csv_rows(client, merchant, "branches", **RANGE)
    assert "'=HYPERLINK(\"http://x\")" in [row[0] for row in rows]


def test_a_restricted_member_sees_their_branches_only_on_the_page_TEN_5(world, merchant, client, now):
    client.force_login(world["sur_staff"])
    html = page(client, merchant, **RANGE)
    assert "Cliente T" in html and "Cliente V" not in html and "Norte" not in html
    assert client.get(f"/m/{merchant.slug}/analytics/", {"branch": world["norte"].pk}).status_code == 400


def test_bad_dates_on_the_page_are_400_with_the_form(world, merchant, client, now):
    client.force_login(world["admin"])
    response = client.get(f"/m/{merchant.slug}/analytics/", {"date_from": "2026-02-31"})
    assert response.status_code == 400 and b'name="date_from"' in response.content


def test_analytics_is_in_the_nav_for_every_member_ANA_1(world, merchant, client, now):
    client.force_login(world["sur_staff"])
    html = client.get(f"/m/{merchant.slug}/inbox/").content.decode()
    assert f'href="/m/{merchant.slug}/analytics/"' in html and "Analítica" in html  # Spanish, the default
