"""Case settings (SLA-1, API.md "Case settings"): the API's contract and roles, validation that
changes nothing, the check in the database, due times of new cases under opening hours, and
what a change does to the cases already waiting (SLA-2)."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from autoreply.services import autoreply_send_due, autoreply_settings_update
from merchants.access import Access
from merchants.hours import DAYS
from merchants.models import AuditLog, Merchant
from ratings.case_settings import case_settings_set, case_targets
from ratings.cases import case_update
from ratings.models import Rating, Sla, sla_state
from ratings.selectors import rating_summary
from ratings.services import rating_reply
from tests.conftest import base

BOGOTA = ZoneInfo("America/Bogota")
DEFAULT = {"first_response_hours": 24, "opening_hours": None, "followup_on_resolve": False}
OFFICE = {day: [["09:00", "17:00"]] if day not in ("sat", "sun") else [] for day in DAYS}


def url(merchant) -> str:
    return base(merchant) + "settings/cases/"


def stored(merchant) -> dict:
    row = Merchant.objects.get(pk=merchant.pk)
    return {name: getattr(row, name) for name in DEFAULT}


def test_any_member_reads_the_defaults_SLA_1(make, merchant, client_for):
    for role in ("staff", "agent", "admin"):
        response = client_for(make.member(merchant, role)).get(url(merchant))
        assert response.status_code == 200
        assert response.json() == DEFAULT


def test_admin_sets_target_hours_and_switch_SLA_1(merchant, admin_client):
    body = {"first_response_hours": 8, "opening_hours": {**OFFICE, "sat": [["10:00", "14:00"]]},
            "followup_on_resolve": True}
    response = admin_client.put(url(merchant), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == body
    assert admin_client.get(url(merchant)).json() == body == stored(merchant)
    log = AuditLog.objects.get(merchant=merchant, action="case_settings.update")
    assert log.data["from"] == DEFAULT and log.data["to"] == body
    # fields left out keep their value; null is always open again
    response = admin_client.put(url(merchant), {"opening_hours": None}, format="json")
    assert response.json() == {**body, "opening_hours": None}


@pytest.mark.parametrize("role", ["staff", "agent"])
def test_only_admins_change_them_SLA_1(make, merchant, client_for, role):
    client = client_for(make.member(merchant, role))
    response = client.put(url(merchant), {"first_response_hours": 2}, format="json")
    assert response.status_code == 403
    assert stored(merchant) == DEFAULT


def test_a_branch_restricted_admin_reads_but_does_not_change_them_SLA_1_TEN_5(make, merchant, client_for):
    """The target moves every branch's due times: like the retention, only an admin who sees every
    branch changes it."""
    restricted = client_for(make.member(merchant, "admin", branches=[make.branch(merchant, "Norte")]))
    assert restricted.get(url(merchant)).json() == DEFAULT
    assert restricted.put(url(merchant), {"first_response_hours": 2}, format="json").status_code == 403
    assert stored(merchant) == DEFAULT


def test_another_merchants_admin_gets_404_TEN(make, merchant, other_merchant, client_for):
    outsider = client_for(make.admin(other_merchant))
    assert outsider.get(url(merchant)).status_code == 404
    assert outsider.put(url(merchant), {"first_response_hours": 2}, format="json").status_code == 404
    assert stored(merchant) == DEFAULT


@pytest.mark.parametrize(("body", "field"), [
    ({"first_response_hours": 0}, "first_response_hours"),
    ({"first_response_hours": 721}, "first_response_hours"),
    ({"first_response_hours": "a day"}, "first_response_hours"),
    ({"followup_on_resolve": "maybe"}, "followup_on_resolve"),
    ({"opening_hours": {"mon": [["09:00", "17:00"]]}}, "opening_hours"),
    ({"opening_hours": {**OFFICE, "mon": [["9am", "5pm"]]}}, "opening_hours"),
    ({"opening_hours": {**OFFICE, "mon": [["17:00", "09:00"]]}}, "opening_hours"),
    ({"opening_hours": {**OFFICE, "mon": [["09:00", "13:00"], ["12:00", "17:00"]]}}, "opening_hours"),
    ({"opening_hours": {**OFFICE, "mon": [["14:00", "17:00"], ["09:00", "12:00"]]}}, "opening_hours"),
    ({"opening_hours": {**OFFICE, "mon": [["24:00", "24:00"]]}}, "opening_hours"),
    ({"opening_hours": {day: [] for day in DAYS}}, "opening_hours"),
    ({"opening_hours": "9 to 5"}, "opening_hours"),
])
def test_bad_input_is_a_400_on_the_field_and_changes_nothing_SLA_1_API_3(merchant, admin_client, body, field):
    response = admin_client.put(url(merchant), {"first_response_hours": 12, **body}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert stored(merchant) == DEFAULT


def test_opening_hours_errors_name_the_weekday_SLA_1(merchant, admin_client):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = admin_client.put(url(merchant), {"opening_hours": {**OFFICE, "wed": [["17:00", "09:00"]]}},
                                format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"opening_hours": ["Wednesday: Each interval must open before it closes."]}


def test_the_database_refuses_a_target_out_of_range_SLA_1(merchant):
    for hours in (0, 721):
        with pytest.raises(IntegrityError), transaction.atomic():
            Merchant.objects.filter(pk=merchant.pk).update(first_response_hours=hours)


def test_a_case_opened_on_friday_evening_is_due_on_monday_SLA_1(make, merchant):
    case_settings_set(access=Access.system(merchant), actor=None, first_response_hours=4, opening_hours=OFFICE,
                      followup_on_resolve=False)
    merchant.refresh_from_db()
    friday = dt.datetime(2026, 11, 27, 16, 30, tzinfo=BOGOTA)
    rating = make.rating(merchant, 3, "Frío", created_at=friday)
    assert rating.due_at == dt.datetime(2026, 11, 30, 12, 30, tzinfo=BOGOTA)
    assert rating.at_risk_at == dt.datetime(2026, 11, 30, 11, 30, tzinfo=BOGOTA)
    stored_row = Rating.objects.get(pk=rating.pk)
    assert (stored_row.due_at, stored_row.due_order) == (rating.due_at, rating.due_at)
    # Saturday noon: the clock is stopped; Monday 11:45 it is at risk; 12:30 breached
    assert sla_state(stored_row, dt.datetime(2026, 11, 28, 12, tzinfo=BOGOTA)) == Sla.ON_TIME
    assert sla_state(stored_row, dt.datetime(2026, 11, 30, 11, 45, tzinfo=BOGOTA)) == Sla.AT_RISK
    assert sla_state(stored_row, dt.datetime(2026, 11, 30, 12, 30, tzinfo=BOGOTA)) == Sla.BREACHED


def test_the_auto_reply_is_not_a_first_response_SLA_2(make, merchant):
    autoreply_settings_update(merchant=merchant, enabled=True, delay_minutes=30)
    customer = make.customer(merchant, "Ana María Ruiz", email="ana@example.com")
    rating = make.rating(merchant, 4, customer=customer, created_at=timezone.now() - dt.timedelta(hours=2))
    due = Rating.objects.get(pk=rating.pk).autoreply_due_at
    assert autoreply_send_due(merchant=merchant, rating_id=rating.pk, now=due + dt.timedelta(minutes=1)) == "sent"
    rating = Rating.objects.get(pk=rating.pk)
    assert rating.replies_count == 1 and rating.first_response_at is None
    assert sla_state(rating, rating.due_at + dt.timedelta(minutes=1)) == Sla.BREACHED
    admin = make.admin(merchant)
    rating_reply(merchant=merchant, rating=rating, author=admin, body="Lo sentimos mucho")
    rating = Rating.objects.get(pk=rating.pk)
    assert rating.first_response_at is not None
    assert sla_state(rating, rating.due_at + dt.timedelta(days=3)) == Sla.MET


@pytest.fixture
def waiting(make, merchant):
    """Cases in each state before a change of the settings (default 24 h, always open)."""
    now = timezone.now()
    admin = make.admin(merchant)
    world = {
        "waiting": make.rating(merchant, 2, "Frío", created_at=now - dt.timedelta(hours=30)),
        "fresh": make.rating(merchant, 5, created_at=now - dt.timedelta(hours=1)),
        "answered": make.rating(merchant, 3, "Lento", created_at=now - dt.timedelta(hours=30)),
        "resolved": make.rating(merchant, 4, created_at=now - dt.timedelta(hours=30)),
        "promoter": make.rating(merchant, 10, "Bien", created_at=now - dt.timedelta(hours=5)),
    }
    rating_reply(merchant=merchant, rating=world["answered"], author=admin, body="Lo sentimos")
    case_update(access=Access.system(merchant), rating=world["resolved"], actor=admin, status="resolved")
    return world


def _times(rating):
    row = Rating.objects.get(pk=rating.pk)
    return row.at_risk_at, row.due_at, row.due_order


def test_a_change_moves_the_due_times_of_cases_still_waiting_SLA_1(merchant, admin_client, waiting):
    before = {name: _times(rating) for name, rating in waiting.items()}
    summary = rating_summary(access=Access.system(merchant))
    response = admin_client.put(url(merchant), {"first_response_hours": 48}, format="json")
    assert response.status_code == 200
    row = Rating.objects.get(pk=waiting["waiting"].pk)
    opened = row.case_opened_at
    assert _times(row) == (opened + dt.timedelta(hours=36), opened + dt.timedelta(hours=48),
                           opened + dt.timedelta(hours=48))
    assert sla_state(row, timezone.now()) == Sla.ON_TIME  # was breached at 24 h
    assert _times(waiting["fresh"])[1] == Rating.objects.get(pk=waiting["fresh"].pk).case_opened_at + \
        dt.timedelta(hours=48)
    for name in ("answered", "resolved", "promoter"):  # judged, or no case: unchanged
        assert _times(waiting[name]) == before[name]
    # the kept counters do not move; the overdue count, read from the due times, does
    assert rating_summary(access=Access.system(merchant)) == {**summary, "overdue_cases": 0}
    assert summary["overdue_cases"] == 1

    merchant.refresh_from_db()
    response = admin_client.put(url(merchant), {"opening_hours": OFFICE}, format="json")
    merchant.refresh_from_db()
    assert _times(waiting["waiting"])[:2] == case_targets(merchant, opened)


def test_a_change_of_the_switch_alone_rewrites_no_case_SLA_1(merchant, admin_client, waiting):
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.put(url(merchant), {"followup_on_resolve": True}, format="json").status_code == 200
    assert not [q for q in queries.captured_queries if "ratings_rating" in q["sql"] and "UPDATE" in q["sql"]]


def test_retargeting_20000_waiting_cases_is_one_transaction_of_batches_SLA_1(make, merchant):
    """The measured figure of the note: 20,000 open unanswered cases retargeted to opening hours."""
    customer = make.customer(merchant, "Cliente Masivo")
    branch = make.branch(merchant, "Masiva")
    opened = timezone.now() - dt.timedelta(hours=3)
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO customers_visit (merchant_id, branch_id, customer_id, visited_at, invoice_number,
                invoice_total, currency, created_at)
            SELECT %(m)s, %(b)s, %(c)s, %(t)s - g * interval '1 minute', 'R' || g, 1000, 'COP', now()
            FROM generate_series(1, 20000) g""", {"m": merchant.pk, "b": branch.pk, "c": customer.pk, "t": opened})
        cursor.execute("""
            INSERT INTO ratings_rating (merchant_id, visit_id, customer_id, branch_id, customer_name_key, score,
                is_read, created_at, messages_count, replies_count, last_activity_at, needs_reply, status,
                priority, case_opened_at, at_risk_at, due_at, due_order)
            SELECT merchant_id, id, customer_id, branch_id, 'cliente masivo', 3, false, visited_at, 0, 0,
                visited_at, false, 'new', 'high', visited_at, visited_at + interval '18 hours',
                visited_at + interval '24 hours', visited_at + interval '24 hours'
            FROM customers_visit WHERE merchant_id = %s AND branch_id = %s""", [merchant.pk, branch.pk])
    assert Rating.objects.filter(merchant=merchant, status="new", first_response_at__isnull=True).count() == 20_000
    began = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        case_settings_set(access=Access.system(merchant), actor=None, first_response_hours=24,
                          opening_hours=OFFICE, followup_on_resolve=False)
    elapsed = time.perf_counter() - began
    print(f"retarget 20,000 cases: {elapsed:.2f} s, {len(queries.captured_queries)} statements")
    assert elapsed < 10
    assert len(queries.captured_queries) <= 4 + 2 * 11  # lock, save, audit; a read and an UPDATE per 2,000
    merchant.refresh_from_db()
    rows = Rating.objects.filter(merchant=merchant, branch=branch).order_by("?")[:50]
    for row in rows:
        assert (row.at_risk_at, row.due_at) == case_targets(merchant, row.case_opened_at)
        assert row.due_order == row.due_at


def test_the_merchant_of_the_url_reads_its_opening_hours_as_the_orm_does_SLA_1(merchant):
    """ratings_inbox.rows builds the request's merchant from plain SQL: its JSON is a dict too."""
    from merchants.tenancy import enter_merchant

    case_settings_set(access=Access.system(merchant), actor=None, first_response_hours=6, opening_hours=OFFICE,
                      followup_on_resolve=True)
    plain, orm = enter_merchant(merchant.slug), Merchant.objects.get(pk=merchant.pk)
    assert [getattr(plain, f.attname) for f in Merchant._meta.concrete_fields] == \
        [getattr(orm, f.attname) for f in Merchant._meta.concrete_fields]
    assert plain.opening_hours == OFFICE
