"""SLA-3 in process, the clock controlled: who gets which alert, exactly once, only about the
present, and the sweep reading an index. Delivery by a real worker: test_worker_integration."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connections

from alerts.tasks import sla_alerts_sweep, sla_due, sla_due_rows
from merchants.access import Access
from merchants.models import Membership
from notifications.models import OutgoingEmail
from ratings.cases import case_update
from ratings.models import Rating, SlaAlerted
from ratings.services import autoreply_message_add, rating_reply

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])
T0 = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """The e-mails are recorded; sending them is test_worker_integration's."""
    import alerts.tasks
    import notifications.services

    monkeypatch.setattr(notifications.services, "_enqueue", lambda *args: None)
    monkeypatch.setattr(notifications.services, "_enqueue_many", lambda *args: None)
    monkeypatch.setattr(alerts.tasks, "requeue", lambda task: None)


def sweep(at) -> int:
    with time_machine.travel(at, tick=False):
        return sla_alerts_sweep()


def alerts(kind=None) -> list[tuple[str, str]]:
    rows = OutgoingEmail.objects.filter(kind__in=[kind] if kind else ["sla_at_risk", "sla_breached"])
    return sorted(rows.values_list("kind", "to_address"))


@pytest.fixture
def staff(make, merchant):
    """The admin, an agent who sees every branch, a staff member of branch B only, and one who
    turned SLA alerts off."""
    branch_b = make.branch(merchant, "Sucursal B")
    agent = make.member(merchant, "agent", email="agent@example.com")
    staff_b = make.member(merchant, "staff", branches=[branch_b], email="staff-b@example.com")
    quiet = make.member(merchant, "agent", email="quiet@example.com")
    Membership.objects.filter(merchant=merchant, user=quiet).update(notify_sla=False)
    return {"admin": make.admin(merchant), "agent": agent, "staff_b": staff_b, "quiet": quiet, "branch_b": branch_b}


def detractor(make, merchant, at, **kwargs):
    with time_machine.travel(at, tick=False):
        return make.rating(merchant, score=3, created_at=at, **kwargs)


def test_at_risk_goes_to_the_owner_only_then_breached_to_owner_and_admins_sla3(make, merchant, staff):
    rating = detractor(make, merchant, T0)
    with time_machine.travel(T0 + HOUR, tick=False):
        case_update(access=Access.system(merchant), rating=rating, actor=None, owner=staff["agent"].pk)
    assert sweep(T0 + 17 * HOUR) == 0  # on time: 24 h target, at risk from 18 h
    assert sweep(T0 + 18 * HOUR) == 1
    assert alerts() == [("sla_at_risk", "agent@example.com")]
    assert sweep(T0 + 18 * HOUR + dt.timedelta(minutes=1)) == 0  # exactly once
    assert sweep(T0 + 24 * HOUR) == 2
    assert alerts("sla_breached") == [("sla_breached", "admin-la-arepa@example.com"),
                                      ("sla_breached", "agent@example.com")]
    assert sweep(T0 + 30 * HOUR) == 0
    assert Rating.objects.get(pk=rating.pk).sla_alerted == SlaAlerted.BREACHED


def test_at_risk_without_owner_goes_to_the_members_of_that_branch_who_want_it_sla3_sla4(make, merchant, staff):
    detractor(make, merchant, T0, branch=staff["branch_b"])
    main_branch = detractor(make, merchant, T0)
    assert sweep(T0 + 18 * HOUR) == 5
    emails = OutgoingEmail.objects.filter(kind="sla_at_risk")
    by_rating = {}
    for email in emails:
        by_rating.setdefault(email.rating_id, set()).add(email.to_address)
    everyone = {"admin-la-arepa@example.com", "agent@example.com"}
    assert by_rating[main_branch.pk] == everyone  # quiet turned them off; staff_b sees branch B only
    assert by_rating.pop(main_branch.pk) and list(by_rating.values()) == [everyone | {"staff-b@example.com"}]


def test_breach_without_owner_goes_to_the_admins_who_want_it_sla3(make, merchant, staff):
    detractor(make, merchant, T0, branch=staff["branch_b"])
    assert sweep(T0 + 24 * HOUR) == 1  # late sweep: both stages passed, the breach alert only
    assert alerts() == [("sla_breached", "admin-la-arepa@example.com")]


def test_an_answered_case_sends_nothing_but_the_auto_reply_does_not_count_sla2_sla3(make, merchant, staff):
    answered = detractor(make, merchant, T0)
    auto = detractor(make, merchant, T0)
    with time_machine.travel(T0 + HOUR, tick=False):
        case_update(access=Access.system(merchant), rating=answered, actor=None, owner=staff["agent"].pk)
        case_update(access=Access.system(merchant), rating=auto, actor=None, owner=staff["agent"].pk)
        rating_reply(merchant=merchant, rating=answered, author=staff["agent"], body="Lo sentimos mucho")
        autoreply_message_add(merchant=merchant, rating=auto, body="Gracias por contarnos")
    assert sweep(T0 + 25 * HOUR) == 2
    assert set(OutgoingEmail.objects.filter(kind="sla_breached").values_list("rating_id", flat=True)) == {auto.pk}


def test_alerts_concern_the_present_an_imported_breached_case_never_alerts_sla3(make, merchant, staff):
    with time_machine.travel(T0, tick=False):
        past = make.rating(merchant, score=2, created_at=T0 - 30 * HOUR)  # arrived already breached
        at_risk = make.rating(merchant, score=2, created_at=T0 - 20 * HOUR)  # arrived at risk
    assert {past.sla_alerted, at_risk.sla_alerted} == {SlaAlerted.BREACHED, SlaAlerted.AT_RISK}
    assert sweep(T0 + dt.timedelta(minutes=1)) == 0
    assert sweep(T0 + 5 * HOUR) == 1  # the one that breaches after it arrived does alert (the admin)
    assert set(OutgoingEmail.objects.values_list("rating_id", flat=True)) == {at_risk.pk}
    assert sweep(T0 + 50 * HOUR) == 0


def test_resolved_case_leaves_the_sweep_and_a_reopened_one_is_not_alerted_twice_sla3(make, merchant, staff):
    rating = detractor(make, merchant, T0)
    assert sweep(T0 + 18 * HOUR) == 2
    access = Access.system(merchant)
    with time_machine.travel(T0 + 19 * HOUR, tick=False):
        case_update(access=access, rating=rating, actor=None, status="resolved")
    assert sweep(T0 + 25 * HOUR) == 0
    with time_machine.travel(T0 + 26 * HOUR, tick=False):
        case_update(access=access, rating=rating, actor=None, status="open")
    assert sweep(T0 + 26 * HOUR) == 1  # reopened past its due time: the breach, once
    assert sweep(T0 + 27 * HOUR) == 0
    assert len(alerts("sla_at_risk")) == 2 and len(alerts("sla_breached")) == 1


def test_the_sweep_reads_the_index_of_next_alert_moments_sla3(make, merchant, staff):
    detractor(make, merchant, T0)
    assert sla_due(T0 + 17 * HOUR, 200) == []
    assert [m for m, _ in sla_due(T0 + 18 * HOUR, 200)] == [merchant.pk]
    # A handful of rows here, so the planner would rightly read the table: with sequential scans
    # off the plan shows that the index matches the query's expression and condition.
    with connections["sweeper"].cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = sla_due_rows(T0, 200).query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "Index Scan using rating_sla_alert_next" in plan


def _sweep_sql(at) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        sweep(at)
    return queries.captured_queries


def _sweep_queries(at) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        recorded = sweep(at)
    return recorded, len(queries)


def test_a_sweep_costs_a_few_statements_per_merchant_and_none_per_alert_sla3_issue15(make, merchant, staff):
    """Per merchant: the tenant set and reset (the one before is known without a statement, SCALE-3),
    the merchant, the cases locked, the members and their branches, one UPDATE of the stage per stage,
    one INSERT … ON CONFLICT DO NOTHING of every alert (no savepoint per alert), the commit."""
    for i in range(3):
        detractor(make, merchant, T0 + dt.timedelta(minutes=i))
    for i in range(6):
        detractor(make, merchant, T0 + dt.timedelta(hours=1, minutes=i))
    first = _sweep_queries(T0 + 18 * HOUR + dt.timedelta(minutes=5))
    second = _sweep_queries(T0 + 19 * HOUR + dt.timedelta(minutes=10))
    assert (first[0], second[0]) == (3 * 2, 6 * 2)  # admin and agent see the main branch
    assert first[1] == second[1] == 10, (first, second)  # see the docstring
    inserts = [q["sql"] for q in _sweep_sql(T0 + 26 * HOUR) if q["sql"].startswith("INSERT")]  # 9 breaches
    assert len(inserts) == 1 and "ON CONFLICT" in inserts[0] and OutgoingEmail.objects.count() == 18 + 9


def test_a_shorter_target_alerts_only_the_moments_still_to_come_sla1_sla3(make, merchant, staff):
    """Changing the target moves the due times (SLA-1); the moments it puts in the past send
    nothing, as history does not; the moments still ahead alert as usual."""
    from ratings.case_settings import case_settings_set

    old = detractor(make, merchant, T0)
    new = detractor(make, merchant, T0 + 5 * HOUR)
    with time_machine.travel(T0 + 6 * HOUR, tick=False):
        case_settings_set(access=Access.system(merchant), actor=None, first_response_hours=4, opening_hours=None,
                          followup_on_resolve=False)
    assert Rating.objects.get(pk=old.pk).sla_alerted == SlaAlerted.BREACHED  # due at T0 + 4 h: past
    assert Rating.objects.get(pk=new.pk).sla_alerted == SlaAlerted.NOTHING  # at risk at T0 + 8 h
    assert sweep(T0 + 6 * HOUR) == 0
    assert sweep(T0 + 8 * HOUR) == 2 and sweep(T0 + 9 * HOUR) == 1
    assert set(OutgoingEmail.objects.values_list("rating_id", flat=True)) == {new.pk}


def test_a_sweeps_alerts_go_to_the_workers_in_one_hand_off_per_merchant_not_one_task_each_sla3(
        make, merchant, staff, monkeypatch):
    """Issue 15: a sweep that records many alerts hands them over together after commit
    (notifications.tasks.email_send_batch: one claim and one SMTP connection per batch)."""
    import notifications.services

    singles, batches = [], []
    monkeypatch.setattr(notifications.services, "_enqueue", lambda *args: singles.append(args))
    monkeypatch.setattr(notifications.services, "_enqueue_many", lambda *args: batches.append(args))
    for _ in range(3):
        detractor(make, merchant, T0)
    assert sweep(T0 + 24 * HOUR) == 3  # three breaches, each to the admin
    recorded = set(OutgoingEmail.objects.filter(kind="sla_breached").values_list("pk", flat=True))
    assert singles == [] and batches == [(merchant.pk, sorted(recorded))]


def test_a_backlog_over_merchants_is_recorded_merchant_by_merchant_in_full_batches_sla3_issue15(
        make, merchant, other_merchant, monkeypatch, settings):
    """Issue 15: 10,000 alerts of 100 merchants fall due together, their moments interleaved. A
    sweep reads a window of due cases (SWEEP_WINDOW) and records each merchant's together, in
    transactions of SWEEP_BATCH_SIZE cases, each one INSERT and one hand-off of its e-mails; a full
    window queues the sweep again for the rest."""
    import alerts.tasks
    import notifications.services

    batches, singles, requeued = [], [], []
    monkeypatch.setattr(notifications.services, "_enqueue_many", lambda *args: batches.append(args))
    monkeypatch.setattr(notifications.services, "_enqueue", lambda email_id, merchant_id: singles.append(merchant_id))
    monkeypatch.setattr(alerts.tasks, "requeue", lambda task: requeued.append(task.name))
    settings.SWEEP_BATCH_SIZE = 3
    make.admin(other_merchant)
    for i in range(8):  # due a minute apart, alternating merchants
        detractor(make, (merchant, other_merchant)[i % 2], T0 + dt.timedelta(minutes=i))
    with time_machine.travel(T0 + 25 * HOUR, tick=False):
        assert sla_alerts_sweep(window=6) == 6 and requeued == ["alerts.tasks.sla_alerts_sweep"]
        assert [(m, len(ids)) for m, ids in batches] == [(merchant.pk, 3), (other_merchant.pk, 3)]
        assert sla_alerts_sweep() == 2 and len(requeued) == 1
    assert len(batches) == 2 and singles == [merchant.pk, other_merchant.pk]  # one alert left each
    assert OutgoingEmail.objects.using("sweeper").filter(kind="sla_breached").count() == 8
