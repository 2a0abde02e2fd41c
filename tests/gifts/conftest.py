"""Fixtures for the gifts tests: a rating with a customer who has an e-mail address."""

from __future__ import annotations

import pytest


@pytest.fixture
def rating(make, merchant):
    customer = make.customer(merchant, "Ana María Gómez", email="ana@example.com")
    return make.rating(merchant, score=5, comment="La arepa llegó fría.", customer=customer)


@pytest.fixture
def admin(make, merchant):
    return make.admin(merchant)


@pytest.fixture
def agent(make, merchant):
    return make.member(merchant, "agent")


@pytest.fixture
def staff(make, merchant):
    return make.member(merchant, "staff")


@pytest.fixture
def discount_gift(merchant, admin):
    from gifts.services import gift_create

    return gift_create(merchant=merchant, actor=admin, name="Postre de la casa", kind="discount",
                       discount_percent=15, validity_days=30)


@pytest.fixture
def points_gift(merchant, admin):
    from gifts.services import gift_create

    return gift_create(merchant=merchant, actor=admin, name="Puntos de bienvenida", kind="points",
                       points=500, validity_days=10)


@pytest.fixture
def admin_of(make):
    return make.admin


@pytest.fixture(autouse=True)
def english_messages():
    """Services called directly speak English here; pages speak the user's language (Spanish)."""
    from django.utils import translation

    with translation.override("en"):
        yield
