"""Money, numbers and dates as the reader's language writes them in the merchant's country.

The locale is the active language with the territory of the active time zone (a merchant's
request activates its time zone, TenantMiddleware; its e-mails are composed under it), so a
Colombian merchant reads "$104.700", "1.601" and a Mexican one "$104,700", "1,601"; without
a known territory (UTC) the language's own formats apply. Babel carries CLDR, which Django's
format modules do not: currency symbols per country ("$" is COP in Colombia, "COP" elsewhere),
each currency's decimals and the month names ("3 dic 2026", "Dec 3, 2026").

Dates follow the language alone (CLDR's Colombian medium date is numeric, "3/12/2026", while
the pages name the month); money and numbers follow the country.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from copy import copy
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_currency, parse_pattern
from django.conf import settings
from django.utils import timezone, translation

# CLDR's currency spacing: a symbol made of letters ("COP") is kept apart from the digits.
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


@cache
def _locale(language: str, zone_name: str) -> Locale:
    territory = get_global("zone_territories").get(zone_name)
    base = translation.to_locale(language).split("_")[0]
    if territory:
        try:
            return Locale.parse(f"{base}_{territory}")
        except UnknownLocaleError:  # English in Colombia: no such CLDR locale, English's formats
            pass
    return Locale.parse(base)


@contextmanager
def reading(language: str, zone_name: str):
    """Words in `language`, money, numbers and dates as they are read at a merchant in `zone_name`:
    what an e-mail or a task composes outside the merchant's request."""
    with translation.override(language), timezone.override(ZoneInfo(zone_name)):
        yield


def current_locale() -> Locale:
    """The active language in the active time zone's country: es + America/Bogota → es_CO."""
    return _locale(translation.get_language() or settings.LANGUAGE_CODE, timezone.get_current_timezone_name())


def language_locale() -> Locale:
    return _locale(translation.get_language() or settings.LANGUAGE_CODE, "")


def money(amount, currency: str) -> str:
    """'$104.700' (es-CO, COP), 'COP 104,700' (en), 'US$12,50' (es-CO, USD): whole amounts of a
    currency without cents (COP, CLP…) show none, any other amount its cents."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(amount)
    whole = amount == amount.to_integral_value()
    text = format_currency(amount, currency, locale=current_locale(), currency_digits=whole)
    return _LETTER_DIGIT.sub("\xa0", text)


@cache
def _pattern(locale: Locale, places: int | None):
    pattern = parse_pattern(locale.decimal_formats[None])
    if places is not None:
        pattern = copy(pattern)
        pattern.frac_prec = (places, places)
    return pattern


def number(value, decimal_pos: int | None = None) -> str:
    """1601 → '1.601' (es-CO) / '1,601' (en); decimal_pos fixes the decimals ('3,5'), else as many
    as the value has (up to three)."""
    if value is None or value == "":
        return ""
    locale = current_locale()
    return _pattern(locale, decimal_pos).apply(Decimal(str(value)), locale)


def day(value: dt.date | dt.datetime | None) -> str:
    """'3 dic 2026' / 'Dec 3, 2026'; a moment on its day in the active time zone."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return format_date(value, "medium", locale=language_locale())


def day_of_month(value: dt.date) -> str:
    """'3 dic' / 'Dec 3': a chart's week."""
    return format_skeleton("MMMd", value, locale=language_locale())


def month(value: dt.date) -> str:
    """'dic 2026' / 'Dec 2026': a chart's month."""
    return format_skeleton("yMMM", value, locale=language_locale())


def clock(value: dt.datetime | None) -> str:
    """'14:05' / '2:05 PM' in the active time zone."""
    if value is None:
        return ""
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_time(value.time(), "short", locale=language_locale())


def clock_seconds(value: dt.datetime | None) -> str:
    """'14:05:09' / '2:05:09 PM': the clock to the second, for what happens within seconds (a held reply)."""
    if value is None:
        return ""
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_time(value.time(), "medium", locale=language_locale())


def moment(value: dt.datetime | None) -> str:
    """'3 dic 2026, 14:05' / 'Dec 3, 2026, 2:05 PM': the day and the clock of `day` and `clock`."""
    if value is None:
        return ""
    joined = language_locale().datetime_formats["medium"]
    return joined.replace("{1}", day(value)).replace("{0}", clock(value))
