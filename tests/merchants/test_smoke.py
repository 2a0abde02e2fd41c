"""Smoke test of the foundation: provisioning and a rating through the services."""

from merchants.access import Access
from ratings.selectors import rating_list, rating_summary


def test_merchant_with_rating_shows_in_summary(make, merchant):
    make.rating(merchant, score=9, comment="¡Excelente!")
    make.rating(merchant, score=3)
    assert rating_list(access=Access.system(merchant)).count() == 2
    summary = rating_summary(access=Access.system(merchant))
    assert summary["total_ratings"] == 2
    assert summary["comments_received"] == 1
    assert summary["nps"] == 0
