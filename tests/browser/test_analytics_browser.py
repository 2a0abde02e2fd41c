"""The analytics dashboard in the browser (ANA-1..6): change branch and dates in the URL's form,
download a table's CSV, follow a watchlist customer to their latest rating; screenshots at
1440 and 375 px of a dashboard with twelve weeks of history."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
import time_machine
from playwright.sync_api import expect

from .conftest import choice_shows_whole, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
NAMES = ["María Fernanda López", "José Pérez", "Pedro Perea", "Ana Ruiz", "Carlos Gómez", "Lucía Martínez",
         "Andrés Castillo", "Valentina Rojas", "Sofía Herrera", "Diego Ramírez", "Camila Torres", "Juan Díaz",
         "Laura Medina", "Felipe Ortiz", "Daniela Vargas", "Santiago Moreno", "Isabella Cruz", "Mateo Silva"]


@pytest.fixture
def history(make, acting_for):
    """La Arepa Dorada over twelve weeks: three branches of different quality, detractors answered
    sooner or later by two members, gifts with a cost redeemed, customers coming back (or not),
    and regulars who stopped coming."""
    from gifts.services import gift_create, gift_grant, grant_redeem
    from merchants.models import Branch
    from ratings.services import rating_reply

    rng = random.Random(16)
    merchant = make.merchant("la-arepa", name="La Arepa Dorada")
    acting_for(merchant)
    principal = Branch.objects.get(merchant=merchant, name="Principal")
    branches = [principal, make.branch(merchant, "Norte"), make.branch(merchant, "Chapinero")]
    quality = {branches[0].pk: 0.0, branches[1].pk: 1.5, branches[2].pk: -1.5}
    admin = make.admin(merchant)
    admin.full_name, admin.language = "Laura Gerente", "en"
    admin.save(update_fields=["full_name", "language"])
    agent = make.member(merchant, "agent", email="camilo@example.com")
    agent.full_name = "Camilo Rivas"
    agent.save(update_fields=["full_name"])
    people = [make.customer(merchant, name, email=f"c{n}@example.com") for n, name in enumerate(NAMES)]
    start = NOW - dt.timedelta(days=84)
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        gifts = [gift_create(merchant=merchant, actor=admin, name="Postre", kind="product", product_name="Flan",
                             validity_days=30, cost="6500"),
                 gift_create(merchant=merchant, actor=admin, name="15 %", kind="discount", discount_percent=15,
                             validity_days=30, cost="9000")]
    ratings = []
    for _ in range(170):
        created = start + dt.timedelta(minutes=rng.randrange(84 * 24 * 60 - 600))
        branch = rng.choice(branches)
        score = max(1, min(10, round(rng.gauss(7.6 + quality[branch.pk], 2.2))))
        with time_machine.travel(NOW - dt.timedelta(minutes=30), tick=False):
            ratings.append(make.rating(merchant, score, rng.choice([None, None, "Muy bien", "Demorado"]),
                                       customer=rng.choice(people), branch=branch, created_at=created))
    for rating in sorted(ratings, key=lambda r: r.created_at):
        if rating.score > 6 or rng.random() < 0.2:
            continue
        replied = rating.created_at + dt.timedelta(minutes=rng.choice([12, 35, 80, 240, 600, 1700, 2400]))
        if replied < NOW:
            with time_machine.travel(replied, tick=False):
                rating_reply(merchant=merchant, rating=rating, author=rng.choice([admin, agent, agent]),
                             body="Lo sentimos mucho, queremos compensarte.")
        if rng.random() < 0.45 and replied + dt.timedelta(days=4) < NOW:
            with time_machine.travel(replied + dt.timedelta(minutes=5), tick=False):
                grant = gift_grant(merchant=merchant, actor=agent, rating=rating, gift=rng.choice(gifts))
            if rng.random() < 0.7:
                with time_machine.travel(replied + dt.timedelta(days=3), tick=False):
                    grant_redeem(merchant=merchant, actor=agent, code=grant.code)
    regulars = [make.customer(merchant, name, email=f"r{n}@example.com")
                for n, name in enumerate(["Gabriela Núñez", "Tomás Aguilar", "Paula Restrepo"])]
    latest = {}
    for n, customer in enumerate(regulars):
        for week in range(4):
            created = NOW - dt.timedelta(days=75 - 7 * week + n)
            with time_machine.travel(NOW - dt.timedelta(minutes=20), tick=False):
                latest[customer.full_name] = make.rating(merchant, 3 if week == 3 and n == 0 else 9, None,
                                                         customer=customer, branch=branches[n % 2],
                                                         created_at=created)
    return {"merchant": merchant, "admin": admin, "branches": branches, "latest": latest}


@pytest.mark.parametrize("width, suffix", [(1440, ""), (375, "-phone")])
def test_dashboard_filters_csv_and_watchlist_ANA_1_ANA_5_ANA_6(history, open_page, width, suffix):
    merchant = history["merchant"]
    with time_machine.travel(NOW, tick=False):
        page = open_page(history["admin"], width=width, height=900 if width > 400 else 812)
        page.goto(f"/m/{merchant.slug}/analytics/")
        expect(page.get_by_role("heading", name="Analytics", exact=True)).to_be_visible()
        expect(page.locator("#table-nps tbody tr")).to_have_count(14)  # 90 days from Friday 08-28: 14 weeks
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"analytics{suffix}.png", full_page=True)

        page.get_by_label("Branch", exact=True).select_option(label="Chapinero")
        page.get_by_label("From", exact=True).fill("2026-10-01")
        page.get_by_label("To", exact=True).fill("2026-11-22")
        page.get_by_role("button", name="Apply").click()
        expect(page).to_have_url(re.compile(
            rf".*/m/{merchant.slug}/analytics/\?branch={history['branches'][2].pk}"
            r"&date_from=2026-10-01&date_to=2026-11-22&interval=week$"))
        expect(page.locator("#table-branches tbody tr")).to_have_count(1)
        with page.expect_download() as download:
            page.locator("#an-nps").locator("xpath=../..").get_by_role("link", name="CSV").click()
        path = download.value.path()
        lines = open(path, encoding="utf-8").read().splitlines()
        assert lines[0] == "period_start,ratings,promoters,passives,detractors,comments,nps"
        assert lines[1].startswith("2026-09-28,")  # the Monday of the week of 10-01

        page.goto(f"/m/{merchant.slug}/analytics/")
        page.locator("#table-watchlist").get_by_role("link", name="Gabriela Núñez").click()
        expect(page).to_have_url(re.compile(rf".*/m/{merchant.slug}/inbox/{history['latest']['Gabriela Núñez'].pk}/$"))
        expect(page.get_by_text("Gabriela Núñez").first).to_be_visible()


def test_phone_branch_picker_whole_in_spanish_ANA_1(history, open_page):
    """'Todas mis sucursales' read 'Todas mis sucurs' in half the phone's width: the branch has its own line."""
    admin = history["admin"]
    admin.language = "es"
    admin.save(update_fields=["language"])
    with time_machine.travel(NOW, tick=False):
        page = open_page(admin, width=375, height=812)
        page.goto(f"/m/{history['merchant'].slug}/analytics/")
        assert choice_shows_whole(page.locator("#an-branch"))
