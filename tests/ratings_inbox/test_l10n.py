"""Money, numbers and dates in the reader's language and the merchant's country (issue 17, DET-4)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from ratings_inbox import l10n

MOMENT = dt.datetime(2026, 12, 3, 19, 5, tzinfo=dt.UTC)  # 14:05 in Bogotá


@pytest.mark.parametrize(("language", "zone", "money", "cents", "count", "day", "moment"), [
    ("es", "America/Bogota", "$104.700", "$7.500,50", "1.601", "3 dic 2026", "3 dic 2026, 14:05"),
    ("es", "America/Mexico_City", "COP\xa0104,700", "COP\xa07,500.50", "1,601", "3 dic 2026", "3 dic 2026, 13:05"),
    ("en", "America/Bogota", "COP\xa0104,700", "COP\xa07,500.50", "1,601", "Dec 3, 2026",
     "Dec 3, 2026, 2:05\u202fPM"),
])
def test_reader_language_and_merchant_country(language, zone, money, cents, count, day, moment):
    with l10n.reading(language, zone):
        assert l10n.money(Decimal("104700.00"), "COP") == money
        assert l10n.money(Decimal("7500.50"), "COP") == cents
        assert l10n.number(1601) == count
        assert l10n.day(MOMENT) == day == l10n.day(MOMENT.astimezone(ZoneInfo(zone)).date())
        assert l10n.moment(MOMENT) == moment


def test_currency_of_the_country_and_others_in_colombia():
    with l10n.reading("es", "America/Bogota"):
        assert l10n.money("12.5", "USD") == "US$12,50"
        assert l10n.money(Decimal("0"), "COP") == "$0"
        assert l10n.number(Decimal("3.46"), 1) == "3,5"
        assert l10n.money(None, "COP") == l10n.number(None) == l10n.day(None) == ""


def test_months_are_lower_case_in_spanish():
    with l10n.reading("es", "America/Bogota"):
        assert [l10n.day(dt.date(2026, m, 1)).split()[1] for m in (1, 5, 9, 12)] == ["ene", "may", "sept", "dic"]
        assert l10n.month(dt.date(2026, 12, 1)) == "dic 2026"
        assert l10n.day_of_month(dt.date(2026, 12, 3)) == "3 dic"


def test_filters_in_templates_follow_the_active_time_zone():
    page = Template("{{ total|money:'COP' }} · {{ n|number }} · {{ at|day }} · {{ at|clock }} · {{ at|moment }}")
    with translation.override("es"), timezone.override(ZoneInfo("America/Bogota")):
        shown = page.render(Context({"total": Decimal("104700"), "n": 1601, "at": MOMENT}))
    assert shown == "$104.700 · 1.601 · 3 dic 2026 · 14:05 · 3 dic 2026, 14:05"


def test_clock_to_the_second_as_the_other_clocks_read():
    """A held reply's departure: '14:05:09' and '2:05:09 PM', never '14:05:09' on an English page of '2:05 PM'."""
    at = MOMENT.replace(second=9)
    with timezone.override(ZoneInfo("America/Bogota")):
        with translation.override("es"):
            assert l10n.clock_seconds(at) == "14:05:09"
        with translation.override("en"):
            assert l10n.clock_seconds(at).replace("\u202f", " ") == "2:05:09 PM"


def test_without_a_country_the_language_decides():
    with translation.override("es"), timezone.override(dt.UTC):
        assert l10n.number(1601) == "1.601"
        assert l10n.day(MOMENT) == "3 dic 2026"
