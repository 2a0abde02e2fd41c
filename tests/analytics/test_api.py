"""API v1 "Analytics" on the small world of conftest.py, every figure known by hand (ANA-1, ANA-2,
ANA-3, ANA-5): time-zone day boundaries, weeks from Monday, a branch-restricted member, an erased
customer still counted, and merchant B seeing nothing of A."""

from __future__ import annotations

import pytest

from tests.conftest import base

from .conftest import RANGE


def nps_row(ratings, promoters, passives, detractors, comments, nps):
    return {"ratings": ratings, "promoters": promoters, "passives": passives, "detractors": detractors,
            "comments": comments, "nps": nps}


def get(client, merchant, path, **params):
    response = client.get(base(merchant) + path, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_nps_by_week_from_monday_in_the_merchants_days_ANA_1(world, merchant, client_for, now):
    data = get(client_for(world["admin"]), merchant, "analytics/nps/", **RANGE, interval="week")
    assert data == {
        "series": [
            # #2 at Sunday 23:59 in Bogotá is still the week of Monday 11-02 (UTC says Monday 11-09).
            {"period_start": "2026-11-02", **nps_row(2, 1, 1, 0, 1, 50)},
            {"period_start": "2026-11-09", **nps_row(3, 1, 0, 2, 1, -33)},
            {"period_start": "2026-11-16", **nps_row(2, 0, 0, 2, 0, -100)},
        ],
        "total": nps_row(7, 2, 1, 4, 2, -29),
        # #0 at 23:30 on 11-01 in Bogotá (04:30 UTC on 11-02) belongs to the previous period, with V's 4.
        "previous": nps_row(2, 0, 0, 2, 0, -100),
    }


def test_nps_by_month_ANA_1(world, merchant, client_for, now):
    data = get(client_for(world["admin"]), merchant, "analytics/nps/", **RANGE, interval="month")
    assert data["series"] == [{"period_start": "2026-11-01", **nps_row(7, 2, 1, 4, 2, -29)}]


def test_response_by_branch_and_member_ANA_2(world, merchant, client_for, now):
    """First replies after 30 min, 2 h and 26 h: the median is 120, the 90th percentile the 26 h
    reply's bucket (from 24 h, RESPONSE_BUCKETS)."""
    data = get(client_for(world["admin"]), merchant, "analytics/response/", **RANGE)
    norte, sur, agent, admin = world["norte"], world["sur"], world["agent"], world["admin"]
    assert {key: data[key] for key in ("cases", "answered", "answered_within_target", "within_target_rate",
                                       "median_first_response_minutes", "p90_first_response_minutes")} == {
        "cases": 4, "answered": 3, "answered_within_target": 2, "within_target_rate": 0.5,
        "median_first_response_minutes": 120, "p90_first_response_minutes": 1440}
    assert data["by_branch"] == [
        {"branch": {"id": norte.pk, "name": "Norte"}, "cases": 3, "answered": 2, "answered_within_target": 1,
         "within_target_rate": 0.3333, "median_first_response_minutes": 120, "p90_first_response_minutes": 1440},
        {"branch": {"id": sur.pk, "name": "Sur"}, "cases": 1, "answered": 1, "answered_within_target": 1,
         "within_target_rate": 1.0, "median_first_response_minutes": 30, "p90_first_response_minutes": 30},
    ]
    assert data["by_member"] == [
        {"member": {"id": agent.pk, "full_name": "Ana Agente"}, "cases": 2, "answered": 2,
         "answered_within_target": 1, "within_target_rate": 0.5, "median_first_response_minutes": 30,
         "p90_first_response_minutes": 1440},
        {"member": {"id": admin.pk, "full_name": "Beto Admin"}, "cases": 1, "answered": 1,
         "answered_within_target": 1, "within_target_rate": 1.0, "median_first_response_minutes": 120,
         "p90_first_response_minutes": 120},
    ]
    assert data["previous"] == {"cases": 2, "answered": 0, "answered_within_target": 0, "within_target_rate": 0.0,
                                "median_first_response_minutes": None, "p90_first_response_minutes": None}


def funnel(detractors, answered, within, offered, redeemed, returned, rerated, recovered, cost, per):
    return {"detractors": detractors, "answered": answered, "answered_within_target": within,
            "gift_offered": offered, "gift_redeemed": redeemed, "returned": returned, "rerated": rerated,
            "recovered": recovered, "gift_cost": cost, "cost_per_recovered": per}


def test_recovery_funnel_counts_an_erased_customer_ANA_3(world, merchant, client_for, now):
    """Y (#4) came back and was erased afterwards: still a detractor who returned (PRV-2 keeps the rows)."""
    data = get(client_for(world["admin"]), merchant, "analytics/recovery/", **RANGE)
    by_branch = data.pop("by_branch")
    previous = data.pop("previous")
    assert data == {**funnel(4, 3, 2, 1, 1, 3, 2, 1, "5000.00", "5000.00"), "currency": "COP"}
    assert by_branch == [
        {"branch": {"id": world["norte"].pk, "name": "Norte"}, **funnel(3, 2, 1, 0, 0, 2, 1, 0, "0.00", None)},
        {"branch": {"id": world["sur"].pk, "name": "Sur"}, **funnel(1, 1, 1, 1, 1, 1, 1, 1, "5000.00", "5000.00")},
    ]
    assert previous == funnel(2, 0, 0, 0, 0, 0, 0, 0, "0.00", None)


def test_watchlist_ranks_lapsed_customers_by_spend_ANA_5(world, merchant, client_for, now):
    data = get(client_for(world["admin"]), merchant, "analytics/watchlist/")
    people, ratings = world["people"], world["ratings"]
    assert data["next"] is None and data["previous"] is None
    assert data["results"] == [
        {"customer": {"id": people["V"].pk, "full_name": "Cliente V"}, "visits": 3, "median_gap_days": 7.0,
         "days_since_last_visit": 41, "last_visit_at": "2026-10-15T11:00:00-05:00", "last_score": 4,
         "last_rating": ratings["v"].pk, "detractor": True, "branch": {"id": world["norte"].pk, "name": "Norte"},
         "total_spent": "137700.00", "currency": "COP"},
        {"customer": {"id": people["T"].pk, "full_name": "Cliente T"}, "visits": 3, "median_gap_days": 1.0,
         "days_since_last_visit": 83, "last_visit_at": "2026-09-03T12:00:00-05:00", "last_score": None,
         "last_rating": None, "detractor": False, "branch": {"id": world["sur"].pk, "name": "Sur"},
         "total_spent": "30000.00", "currency": "COP"},
    ]
    page = get(client_for(world["admin"]), merchant, "analytics/watchlist/", page_size=1)
    assert [row["customer"]["id"] for row in page["results"]] == [people["V"].pk]
    following = client_for(world["admin"]).get(page["next"]).json()
    assert [row["customer"]["id"] for row in following["results"]] == [people["T"].pk]


def test_watchlist_is_current_a_visit_a_moment_ago_counts_ANA_5(world, make, merchant, client_for, now):
    make.visit(merchant, customer=world["people"]["V"], branch=world["norte"], visited_at=now)
    data = get(client_for(world["admin"]), merchant, "analytics/watchlist/")
    assert [row["customer"]["id"] for row in data["results"]] == [world["people"]["T"].pk]


def test_a_branch_restricted_member_sees_only_their_branches_TEN_5_ANA_1(world, merchant, client_for, now):
    client = client_for(world["sur_staff"])
    nps = get(client, merchant, "analytics/nps/", **RANGE)
    assert nps["total"] == nps_row(2, 1, 0, 1, 1, 0)
    assert nps["previous"] == nps_row(0, 0, 0, 0, 0, None)
    response = get(client, merchant, "analytics/response/", **RANGE)
    assert [row["branch"]["name"] for row in response["by_branch"]] == ["Sur"]
    assert [(row["member"]["full_name"], row["answered"]) for row in response["by_member"]] == [("Ana Agente", 1)]
    recovery = get(client, merchant, "analytics/recovery/", **RANGE)
    assert recovery["detractors"] == 1 and recovery["recovered"] == 1
    watch = get(client, merchant, "analytics/watchlist/")
    assert [row["customer"]["full_name"] for row in watch["results"]] == ["Cliente T"]
    refused = client.get(base(merchant) + "analytics/nps/", {"branch": world["norte"].pk})
    assert refused.status_code == 400 and "branch" in refused.json()


def test_branch_filter_ANA_1(world, merchant, client_for, now):
    data = get(client_for(world["admin"]), merchant, "analytics/nps/", **RANGE, branch=world["norte"].pk)
    assert data["total"] == nps_row(5, 1, 1, 3, 1, -40)


@pytest.mark.parametrize("params, field", [
    ({"date_from": "2026-13-01"}, "date_from"), ({"date_to": "yesterday"}, "date_to"),
    ({"date_from": "2026-11-22", "date_to": "2026-11-02"}, "date_from"), ({"branch": "999999"}, "branch"),
    ({"branch": "x"}, "branch"), ({"interval": "day"}, "interval"),
])
def test_bad_filters_are_400_naming_them_API_3(make, merchant, client_for, params, field):
    response = client_for(make.admin(merchant)).get(base(merchant) + "analytics/nps/", params)
    assert response.status_code == 400 and field in response.json()


def test_another_merchant_sees_nothing_TEN_3(world, merchant, other_merchant, make, client_for, now):
    stranger = client_for(make.admin(other_merchant))
    for path in ("nps", "response", "recovery", "watchlist"):
        assert stranger.get(base(merchant) + f"analytics/{path}/").status_code == 404
    own = stranger.get(base(other_merchant) + "analytics/nps/", RANGE).json()
    assert own["total"]["ratings"] == 0
