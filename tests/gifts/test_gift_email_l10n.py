"""The gift e-mail in the merchant's language and country: money and the last day as the
customer reads them (GFT-2, issue 17)."""

import datetime as dt
from decimal import Decimal

import pytest

from gifts.services import gift_create
from gifts.wording import gift_email, gift_value


def _email(make, acting_for, language):
    merchant = make.merchant(timezone_name="America/Bogota", currency="COP", language=language)
    acting_for(merchant)
    rating = make.rating(merchant, 3, "Frío", customer=make.customer(merchant, "Ana Ruiz", email="ana@example.com"))
    bono = gift_create(merchant=merchant, actor=make.admin(merchant), name="Bono", kind="discount",
                       discount_amount=Decimal("15000"), validity_days=15)
    sent = {"gift": "Bono", "code": "ABC123", "value": gift_value(bono, merchant.currency),
            "valid_until": dt.date(2026, 12, 3).isoformat()}
    return gift_email(merchant=merchant, rating=rating, gift_sent=sent)


@pytest.mark.parametrize(("language", "money", "day"), [
    ("es", "Bono — $15.000 de descuento.", "3 dic 2026"),
    ("en", "Bono — COP\xa015,000 off.", "Dec 3, 2026"),
])
def test_the_customer_reads_money_and_the_last_day_in_the_merchants_formats(make, acting_for, language, money, day):
    email = _email(make, acting_for, language)
    assert money in email.body_text and day in email.body_text
    assert money.split(" — ")[1].rstrip(".") in email.body_html.replace("&nbsp;", "\xa0")
