"""The case settings page (SLA-1) and the SLA chips under opening hours (SLA-2): admins edit the
target and the week, nothing is saved on an error, others get 403 as on every settings page;
rows, the opened rating and the Overdue view follow the open-time clock."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from merchants.access import Access
from merchants.hours import DAYS
from merchants.models import Merchant
from ratings.case_settings import case_settings_set

BOGOTA = ZoneInfo("America/Bogota")
OFFICE = {day: [["09:00", "17:00"]] if day not in ("sat", "sun") else [] for day in DAYS}


@pytest.fixture
def page_url(merchant):
    return f"/m/{merchant.slug}/settings/cases/"


def week_post(**overrides) -> dict:
    """The form as a browser posts it: Monday to Friday 09:00-18:00, the weekend closed."""
    data = {"first_response_hours": "24", "mode": "hours"}
    for day in ("mon", "tue", "wed", "thu", "fri"):
        data.update({f"{day}-open": "1", f"{day}-0-open": "09:00", f"{day}-0-close": "18:00"})
    data.update(overrides)
    return data


def stored(merchant):
    row = Merchant.objects.get(pk=merchant.pk)
    return row.first_response_hours, row.opening_hours, row.followup_on_resolve


def test_admin_sees_defaults_and_the_nav_link_SLA_1(admin_client, page_url):
    html = admin_client.get(page_url).content.decode()
    assert f'href="{page_url}"' in html and 'aria-current="page"' in html
    assert 'name="first_response_hours"' in html and 'value="24"' in html
    assert re.search(r'value="always"\s+checked', html)
    assert html.count('type="time"') == 7 * 2 * 2  # two intervals a day, open and close
    assert 'name="mon-0-open" value="09:00"' in html  # a sensible week to start from


def test_admin_saves_a_week_with_two_intervals_and_midnight_SLA_1(admin_client, page_url, merchant):
    data = week_post(**{"first_response_hours": "8", "followup_on_resolve": "1", "sat-open": "1",
                        "sat-0-open": "10:00", "sat-0-close": "14:00", "sat-1-open": "19:00",
                        "sat-1-close": "00:00"})
    response = admin_client.post(page_url, data)
    assert response.status_code == 302
    hours, schedule, followup = stored(merchant)
    assert (hours, followup) == (8, True)
    assert schedule["mon"] == [["09:00", "18:00"]] and schedule["sun"] == []
    assert schedule["sat"] == [["10:00", "14:00"], ["19:00", "24:00"]]
    html = admin_client.get(page_url).content.decode()
    assert "cases are due after 8 hours of opening time" in html
    assert 'name="sat-1-close" value="00:00"' in html  # midnight shown as a time input can hold it
    assert re.search(r'value="hours"\s+checked', html)


def test_always_open_keeps_no_hours_SLA_1(admin_client, page_url, merchant):
    assert admin_client.post(page_url, week_post(mode="always", first_response_hours="12")).status_code == 302
    assert stored(merchant) == (12, None, False)


@pytest.mark.parametrize(("overrides", "day", "message"), [
    ({"tue-0-open": "18:00", "tue-0-close": "09:00"}, "tue", "Each interval must open before it closes."),
    ({"wed-1-open": "12:00", "wed-1-close": "13:00"}, "wed", "Intervals must not overlap"),
    ({"thu-0-close": ""}, "thu", "Each interval needs an opening and a closing time."),
    ({"sat-open": "1"}, "sat", "Give at least one interval, or mark the day closed."),
])
def test_a_wrong_day_is_marked_and_nothing_is_saved_SLA_1(admin_client, page_url, merchant, overrides, day,
                                                          message):
    response = admin_client.post(page_url, week_post(first_response_hours="6", **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The settings were not saved" in html
    row = re.search(rf'<li class="cs-day[^"]*has-error[^"]*" data-day="{day}">.*?</li>', html, re.S)
    assert row and message in row.group(0)
    assert 'value="6"' in html  # what the admin typed stays
    assert stored(merchant) == (24, None, False)


def test_a_bad_target_is_marked_and_nothing_is_saved_SLA_1(admin_client, page_url, merchant):
    for hours in ("0", "721", "tres"):
        response = admin_client.post(page_url, week_post(first_response_hours=hours))
        assert response.status_code == 400
        assert 'id="cs-hours-error"' in response.content.decode()
    assert stored(merchant) == (24, None, False)
    response = admin_client.post(page_url, {"first_response_hours": "24", "mode": "hours"})
    assert "Open at least one day" in response.content.decode()


@pytest.mark.parametrize("role", ["staff", "agent"])
def test_others_get_403_and_no_link_like_every_settings_page_SLA_1(client, make, merchant, page_url, role):
    client.force_login(make.member(merchant, role))
    assert client.get(page_url).status_code == 403
    assert client.post(page_url, week_post()).status_code == 403
    assert page_url not in client.get(f"/m/{merchant.slug}/inbox/").content.decode()
    assert stored(merchant) == (24, None, False)


def test_a_branch_restricted_admin_gets_403_like_the_privacy_settings_SLA_1_TEN_5(client, make, merchant, page_url):
    client.force_login(make.member(merchant, "admin", branches=[make.branch(merchant, "Norte")]))
    assert client.get(page_url).status_code == 403
    assert client.post(page_url, week_post()).status_code == 403
    assert page_url not in client.get(f"/m/{merchant.slug}/inbox/").content.decode()
    assert stored(merchant) == (24, None, False)


def test_the_page_in_spanish_SLA_1(client, make, merchant, page_url):
    admin = make.admin(merchant)
    admin.language = "es"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    html = client.get(page_url).content.decode()
    for text in ("Tiempos de respuesta", "Solo en horario de atención", "Copiar el lunes de martes a viernes",
                 "Lunes", "Pedir una nueva calificación"):
        assert text in html, text
    response = client.post(page_url, week_post(**{"tue-0-open": "18:00", "tue-0-close": "09:00"}))
    assert "Cada intervalo debe abrir antes de cerrar." in response.content.decode()


# --- SLA-2 with opening hours: the chips and the Overdue view ---------------------------------

def _chips(html: str, rating_id: int) -> str:
    row = re.search(rf'<li id="row-{rating_id}".*?</li>', html, re.S)
    return row.group(0) if row else ""


def test_chips_and_overdue_follow_open_time_SLA_2(make, merchant, admin_client):
    """Office hours, 4-hour target. A complaint on Friday 16:00 is on time all weekend, at risk
    on Monday 11:00, overdue at 12:00; one from Friday 10:00 is overdue by Friday 14:00 and is
    listed first; a third answered late shows missed in its case bar."""
    case_settings_set(access=Access.system(merchant), actor=make.admin(merchant), first_response_hours=4,
                      opening_hours=OFFICE, followup_on_resolve=False)
    merchant.refresh_from_db()
    friday = dt.datetime(2026, 11, 27, tzinfo=BOGOTA)
    with time_machine.travel(friday + dt.timedelta(hours=17), tick=False):
        late = make.rating(merchant, 3, "Nos cobraron de más", created_at=friday + dt.timedelta(hours=16))
        early = make.rating(merchant, 2, "Frío", created_at=friday + dt.timedelta(hours=10))
        answered = make.rating(merchant, 5, "Lento", created_at=friday + dt.timedelta(hours=9))
    inbox = f"/m/{merchant.slug}/inbox/"
    from ratings.services import rating_reply

    with time_machine.travel(friday + dt.timedelta(hours=14, minutes=30), tick=False):
        rating_reply(merchant=merchant, rating=answered, author=make.admin(merchant), body="Lo sentimos")

    saturday = friday + dt.timedelta(days=1, hours=12)
    with time_machine.travel(saturday, tick=False):
        html = admin_client.get(inbox).content.decode()
        assert "sla-" not in _chips(html, late.pk)
        assert "sla-breached" in _chips(html, early.pk)
        bar = admin_client.get(f"{inbox}{late.pk}/").content.decode()
        assert 'class="sla sla-on_time"' in bar and "due by Nov 30, 2026, 12:00\u202fPM" in bar
        bar = admin_client.get(f"{inbox}{answered.pk}/").content.decode()
        assert 'class="sla sla-missed"' in bar

    monday = dt.datetime(2026, 11, 30, tzinfo=BOGOTA)
    with time_machine.travel(monday + dt.timedelta(hours=11, minutes=5), tick=False):
        html = admin_client.get(inbox, {"view": "overdue"}).content.decode()
        ids = [int(x) for x in re.findall(r'<li id="row-(\d+)"', html)]
        assert ids == [early.pk, late.pk]  # breached, then at risk
        assert "sla-at_risk" in _chips(html, late.pk) and "sla-breached" in _chips(html, early.pk)

    with time_machine.travel(monday + dt.timedelta(hours=12), tick=False):
        html = admin_client.get(inbox, {"view": "overdue"}).content.decode()
        assert "sla-breached" in _chips(html, late.pk)
