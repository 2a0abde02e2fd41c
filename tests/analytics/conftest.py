"""A small world with every figure of the dashboard known by hand (ANA-1..3, ANA-5).

La Arepa Dorada is in Bogotá (UTC-5). "Now" is Wednesday 2026-11-25 12:00 there; the range is
Monday 2026-11-02 to Sunday 2026-11-22 (three weeks), the previous period 2026-10-12 to 11-01.

  #0  Norte  3  Sun 11-01 23:30 (04:30 UTC on 11-02: the previous period)      customer W
  #1  Norte 10  Mon 11-02 00:30, with a comment                                customer P
  #2  Norte  8  Sun 11-08 23:59 (the week of 11-02; UTC says 11-09)            customer Q
  #3  Sur    2  Mon 11-09 10:00, comment; agent replies in 30 min; gift (cost 5,000) redeemed;
                X comes back and rates #6 = 9                                  customer X
  #4  Norte  5  Tue 11-10 12:00; admin replies after 2 h; Y comes back 11-20 (no rating), then is erased
  #5  Norte  1  Mon 11-16 09:00; no reply; Z rates again (#7)                  customer Z
  #6  Sur    9  Sun 11-15 12:00                                                customer X
  #7  Norte  6  Wed 11-18 10:00; agent replies 26 h later (late)               customer Z
  V: visits at Norte 10-01, 10-08, 10-15 (the last rated 4, in the previous period): lapsed.
  T: visits at Sur 09-01, 09-02, 09-03 (10,000 each): lapsed.  U: 11-01, 11-10, 11-20: not lapsed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

BOGOTA = ZoneInfo("America/Bogota")
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=BOGOTA)
RANGE = {"date_from": "2026-11-02", "date_to": "2026-11-22"}


def at(month, day, hour, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BOGOTA)


@pytest.fixture
def world(make, merchant):
    from gifts.services import gift_create, gift_grant, grant_redeem
    from merchants import tenancy
    from merchants.access import Access
    from merchants.models import Branch
    from privacy.services import customer_erase
    from ratings.services import rating_reply

    norte = Branch.objects.get(merchant=merchant)
    norte.name = "Norte"
    norte.save()
    sur = make.branch(merchant, "Sur")
    admin = make.admin(merchant)
    agent = make.member(merchant, "agent", email="ana@example.com")
    agent.full_name = "Ana Agente"
    agent.save()
    admin.full_name = "Beto Admin"
    admin.save()
    sur_staff = make.member(merchant, "staff", branches=[sur], email="sur@example.com")
    people = {name: make.customer(merchant, f"Cliente {name}", email=f"{name.lower()}@example.com")
              for name in "WPQXYZVTU"}
    ratings = {}

    def rate(key, branch, score, when, customer, comment=None):
        with time_machine.travel(when, tick=False):
            ratings[key] = make.rating(merchant, score, comment, customer=people[customer], branch=branch,
                                       created_at=when)

    def reply(key, author, when):
        with time_machine.travel(when, tick=False), tenancy.tenant(merchant.pk):
            rating_reply(merchant=merchant, rating=ratings[key], author=author, body="Lo sentimos")

    def visit(customer, branch, when, total="45900.00"):
        with time_machine.travel(when + dt.timedelta(hours=3), tick=False):
            make.visit(merchant, customer=people[customer], branch=branch, visited_at=when, total=total)

    for day in (1, 2, 3):
        visit("T", sur, at(9, day, 12), total="10000.00")
    visit("V", norte, at(10, 1, 12))
    visit("V", norte, at(10, 8, 12))
    rate("v", norte, 4, at(10, 15, 12), "V")
    rate(0, norte, 3, at(11, 1, 23, 30), "W")
    visit("U", norte, at(11, 1, 12))
    rate(1, norte, 10, at(11, 2, 0, 30), "P", comment="¡Delicioso!")
    rate(2, norte, 8, at(11, 8, 23, 59), "Q")
    rate(3, sur, 2, at(11, 9, 10), "X", comment="Frío")
    reply(3, agent, at(11, 9, 10, 30))
    with time_machine.travel(at(11, 9, 11), tick=False), tenancy.tenant(merchant.pk):
        gift = gift_create(merchant=merchant, actor=admin, name="Postre", kind="product", product_name="Flan",
                           validity_days=30, cost="5000")
        grant = gift_grant(merchant=merchant, actor=agent, rating=ratings[3], gift=gift)
    with time_machine.travel(at(11, 12, 18), tick=False), tenancy.tenant(merchant.pk):
        grant_redeem(merchant=merchant, actor=agent, code=grant.code)
    visit("U", norte, at(11, 10, 12))
    rate(4, norte, 5, at(11, 10, 12), "Y")
    reply(4, admin, at(11, 10, 14))
    rate(6, sur, 9, at(11, 15, 12), "X")
    rate(5, norte, 1, at(11, 16, 9), "Z")
    rate(7, norte, 6, at(11, 18, 10), "Z")
    reply(7, agent, at(11, 19, 12))
    visit("Y", norte, at(11, 20, 12))
    visit("U", norte, at(11, 20, 13))
    with time_machine.travel(at(11, 21, 9), tick=False), tenancy.tenant(merchant.pk):
        customer_erase(access=Access.system(merchant), customer_id=people["Y"].pk, confirm=people["Y"].full_name,
                       actor=admin)
    return {"norte": norte, "sur": sur, "admin": admin, "agent": agent, "sur_staff": sur_staff,
            "people": people, "ratings": ratings, "gift_cost": Decimal("5000.00")}


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW
