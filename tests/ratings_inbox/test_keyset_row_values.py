"""Keyset pages in every ordering, forward and back, with ties: the row-value form of
ratings_inbox.keyset.after (one comparison when all columns run the same way) returns exactly
the rows of the nested-OR form it replaced (INB-3, issue 7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from merchants import tenancy
from merchants.access import Access
from ratings.selectors import ORDERINGS, rating_list
from ratings_inbox.keyset import paginate


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", sorted(ORDERINGS))
def test_every_page_forward_and_back(make, merchant, ordering):
    moment = timezone.now() - dt.timedelta(hours=5)
    names = ["Álvaro Núñez", "alvaro nuñez", "Zoé Peña", "María Pérez"]
    customers = [make.customer(merchant, name, email=None) for name in names]
    for i in range(18):  # shared scores, shared instants, equal folded names
        make.rating(merchant, score=[10, 9, 10, 3][i % 4], customer=customers[i % 4],
                    created_at=moment - dt.timedelta(minutes=(i // 3)))
    columns = ORDERINGS[ordering]
    with tenancy.tenant(merchant.pk):
        queryset = rating_list(access=Access.system(merchant))
        expected = [r.pk for r in queryset.order_by(*[c.order_expression() for c in columns])]
        seen, cursor, pages = [], None, []
        while True:
            page = paginate(queryset, ordering=ordering, columns=columns, cursor=cursor, size=4)
            pages.append(page)
            seen += [r.pk for r in page.rows]
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        assert seen == expected
        back = paginate(queryset, ordering=ordering, columns=columns, cursor=pages[-1].previous_cursor, size=4)
        assert [r.pk for r in back.rows] == [r.pk for r in pages[-2].rows]
