"""The analytics rollups kept by the services equal a direct computation over the raw tables
(ANA-2, ANA-3, ANA-5), whatever the writes: random visits, ratings (imported out of order),
replies, case changes and their undo, gifts granted and redeemed, follow-up scores (ANA-4), on random data.

Each run writes through the services only, then compares every kept row (day and branch
counters, response-time counters, customers' rollups) with what ratings.counters.rebuild_sql
computes from the ratings, visits and grants, and the funnel's totals with a recount in Python.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine

from customers.models import CustomerStats, Visit
from gifts.models import GiftGrant
from merchants import tenancy
from merchants.access import Access
from ratings import cases
from ratings.counters import COLUMNS, counters_rebuild
from ratings.models import (
    RESPONSE_BUCKET_COLUMNS,
    Rating,
    RatingBranchCounter,
    RatingDayCounter,
    RatingPeriodCounter,
    ResponseTimeCounter,
)

PRESENT = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)
START = PRESENT - dt.timedelta(days=60)


def kept_rows(merchant) -> dict:
    return {
        "days": sorted(RatingDayCounter.objects.filter(merchant=merchant).exclude(total_ratings=0)
                       .values_list("branch_id", "day", *COLUMNS)),
        "branches": sorted(RatingBranchCounter.objects.filter(merchant=merchant).exclude(total_ratings=0)
                           .values_list("branch_id", *COLUMNS)),
        "periods": sorted(RatingPeriodCounter.objects.filter(merchant=merchant).exclude(total_ratings=0)
                          .values_list("branch_id", "kind", "start", *COLUMNS)),
        "times": sorted(ResponseTimeCounter.objects.filter(merchant=merchant).exclude(answered=0)
                        .values_list("branch_id", "kind", "day", "responder_id", "answered", "answered_within_target",
                                     *RESPONSE_BUCKET_COLUMNS)),
        "customers": sorted(CustomerStats.objects.filter(merchant=merchant).exclude(visits=0, last_rating_id=None)
                            .values_list("customer_id", "visits", "spent_cents", "last_visit_at", "last_branch_id",
                                         "median_gap", "lapse_at", "last_rating_id", "last_rating_at", "last_score",
                                         "last_promoter_at")),
    }


def funnel_recount(merchant) -> dict:
    """ANA-3 read straight from the rows, in Python: an independent check of the SQL as well."""
    ratings = list(Rating.objects.filter(merchant=merchant))
    visits = list(Visit.objects.filter(merchant=merchant))
    grants = list(GiftGrant.objects.filter(merchant=merchant, rating__isnull=False))
    totals = dict.fromkeys(("detractors", "detractors_answered", "gift_offered", "gift_redeemed", "returned",
                            "rerated", "recovered", "gift_cost_cents"), 0)
    for r in (r for r in ratings if r.score <= 6):
        later = [o for o in ratings if o.customer_id == r.customer_id and o.created_at > r.created_at]
        own = [g for g in grants if g.rating_id == r.pk]
        redeemed = [g for g in own if g.status == "redeemed"]
        totals["detractors"] += 1
        totals["detractors_answered"] += r.first_response_at is not None
        totals["gift_offered"] += bool(own)
        totals["gift_redeemed"] += bool(redeemed)
        totals["gift_cost_cents"] += sum(int((g.cost or 0) * 100) for g in redeemed)
        totals["returned"] += any(v.customer_id == r.customer_id and v.visited_at > r.created_at for v in visits)
        totals["rerated"] += bool(later) or r.followup_score is not None
        totals["recovered"] += any(o.score >= 9 for o in later) or (r.followup_score or 0) >= 9
    return totals


def play(make, merchant, seed: int, steps: int = 45) -> None:
    from gifts.services import gift_create, gift_grant, grant_redeem
    from ratings.followup import followup_request
    from ratings.services import customer_message_add, followup_answer, rating_reply, ratings_bulk

    rnd = random.Random(seed)
    branches = [make.branch(merchant) for _ in range(2)]
    people = [make.customer(merchant, f"Persona {n}", email=f"p{n}@example.com") for n in range(5)]
    members = [make.admin(merchant), make.member(merchant, "agent"), make.member(merchant, "agent")]
    access = Access.system(merchant)
    ratings: list[Rating] = []

    def moment() -> dt.datetime:
        return START + dt.timedelta(minutes=rnd.randrange(60 * 24 * 58))

    for _ in range(steps):
        action = rnd.choice(["visit", "rating", "rating", "rating", "reply", "reply", "case", "gift", "message",
                             "followup"])
        if action == "visit":
            with time_machine.travel(PRESENT, tick=False):
                make.visit(merchant, customer=rnd.choice(people), branch=rnd.choice(branches), visited_at=moment(),
                           total=f"{rnd.randrange(1000, 90000)}.{rnd.randrange(100):02d}")
        elif action == "rating":
            with time_machine.travel(PRESENT, tick=False):
                ratings.append(make.rating(merchant, rnd.choice([1, 2, 4, 6, 7, 8, 9, 10]),
                                           rnd.choice([None, "Bien", "Mal"]), customer=rnd.choice(people),
                                           branch=rnd.choice(branches), created_at=moment()))
        elif not ratings:
            continue
        else:
            rating = Rating.objects.get(pk=rnd.choice(ratings).pk)
            later = rating.created_at + dt.timedelta(minutes=rnd.choice([5, 45, 130, 700, 1500, 3000]))
            with time_machine.travel(min(later, PRESENT), tick=False), tenancy.tenant(merchant.pk):
                if action == "reply":
                    rating_reply(merchant=merchant, rating=rating, author=rnd.choice(members), body="Gracias")
                elif action == "message":
                    customer_message_add(merchant=merchant, rating=rating, body="Otra cosa")
                elif action == "followup":  # ANA-4: resolved, asked, answered (a second answer changes nothing)
                    cases.case_update(access=access, rating=rating, actor=members[0], status="resolved")
                    if rating.followup_requested_at is None:
                        followup_request(access=access, rating=rating, actor=members[0])
                    followup_answer(merchant=merchant, rating=rating, score=rnd.choice([3, 7, 8, 9, 10]),
                                    comment=rnd.choice([None, "Mejor ahora"]))
                elif action == "case":
                    ids = sorted({rnd.choice(ratings).pk for _ in range(3)})
                    choice = rnd.choice(["resolved", "open", "assign", "none"])
                    if choice == "assign":
                        ratings_bulk(access=access, actor=members[0], ids=ids, action="assign",
                                     value=rnd.choice(members).pk)
                    elif choice == "none":
                        cases.cases_restore_many(access=access, ratings=[rating], actor=members[0],
                                                 previous={rating.pk: ("none", None, None)})
                    else:
                        ratings_bulk(access=access, actor=members[0], ids=ids, action="status", value=choice)
                else:
                    cost = rnd.choice([None, "0", "2500.50", "8000"])
                    gift = gift_create(merchant=merchant, actor=members[0], name=f"Regalo {rnd.random()}",
                                       kind="product", product_name="Café", validity_days=5, cost=cost)
                    grant = gift_grant(merchant=merchant, actor=members[1], rating=rating, gift=gift)
                    if rnd.random() < 0.7:
                        grant_redeem(merchant=merchant, actor=members[1], code=grant.code)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_rollups_equal_a_direct_computation_on_random_data_ANA_2_ANA_3_ANA_5(make, merchant, seed):
    play(make, merchant, seed)
    with tenancy.tenant(merchant.pk):
        kept = kept_rows(merchant)
        days = RatingDayCounter.objects.filter(merchant=merchant)
        sums = {name: sum(getattr(row, name) for row in days) for name in funnel_recount(merchant)}
        assert sums == funnel_recount(merchant)
        counters_rebuild(merchant.pk)
        rebuilt = kept_rows(merchant)
    for name in kept:
        assert kept[name] == rebuilt[name], name
    assert kept["days"] and kept["customers"]
    assert Rating.objects.filter(merchant=merchant, score__lte=6, followup_score__isnull=False).exists()
