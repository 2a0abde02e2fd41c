"""The undo of a bulk action (CASE-8) is set-based like the action, and puts every case back."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from merchants.access import Access
from ratings.models import CaseEvent, Rating
from ratings.services import ratings_bulk_undo, ratings_bulk_undoable


def test_undo_statements_do_not_grow_with_the_ratings_and_restore_each_case_CASE_8(make, merchant):
    access = Access.system(merchant)
    admin, agent = make.admin(merchant), make.member(merchant, "agent")
    counts = []
    for size in (3, 12):
        ratings = [make.rating(merchant, score) for score in ([2, 5, 9] * 4)[:size]]  # two with cases, one without
        ids = [rating.pk for rating in ratings]
        before = list(Rating.objects.filter(pk__in=ids).order_by("id").values_list("status", "priority", "owner_id"))
        previous = ratings_bulk_undoable(access=access, actor=admin, ids=ids, action="assign", value=agent.pk)
        with CaptureQueriesContext(connection) as queries:
            assert ratings_bulk_undo(access=access, actor=admin, action="assign", previous=previous) == size
        counts.append(len(queries.captured_queries))
        after = list(Rating.objects.filter(pk__in=ids).order_by("id").values_list("status", "priority", "owner_id"))
        assert after == before  # the 9s opened by the assignment are closed again (CASE-5: logged)
        assert CaseEvent.objects.filter(rating__in=ids, kind="owner", to_value=None, actor=admin).count() == size
    assert counts[0] == counts[1], counts
