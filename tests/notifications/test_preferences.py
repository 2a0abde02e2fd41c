"""A member's own e-mail preferences per merchant (SLA-4): API.md `…/me/notifications/` and the page."""

from __future__ import annotations

import pytest

from merchants.models import AuditLog, Membership
from tests.conftest import base

pytestmark = pytest.mark.django_db
DEFAULT = {"new_detractor": "digest", "digest_hour": 8, "assigned_to_me": True, "sla_alerts": True}


def _stored(merchant, user):
    m = Membership.objects.get(merchant=merchant, user=user)
    return {"new_detractor": m.notify_new_detractor, "digest_hour": m.digest_hour,
            "assigned_to_me": m.notify_assigned, "sla_alerts": m.notify_sla}


def test_get_and_put_the_callers_own_preferences_per_merchant_SLA_4(make, merchant, other_merchant, client_for):
    staff = make.member(merchant, "staff")
    with_other = make.member(other_merchant, "staff", email=staff.email)  # the same person, two merchants
    assert with_other == staff
    client = client_for(staff)
    url = f"{base(merchant)}me/notifications/"
    assert client.get(url).json() == DEFAULT
    wanted = {"new_detractor": "instant", "digest_hour": 18, "assigned_to_me": False, "sla_alerts": True}
    response = client.put(url, wanted, format="json")
    assert response.status_code == 200 and response.json() == wanted
    assert client.get(url).json() == wanted == _stored(merchant, staff)
    assert client.get(f"{base(other_merchant)}me/notifications/").json() == DEFAULT  # per merchant
    assert AuditLog.objects.filter(merchant=merchant, action="notifications.update", actor=staff).count() == 1
    assert client.put(url, wanted, format="json").status_code == 200  # the same again: nothing to log
    assert AuditLog.objects.filter(merchant=merchant, action="notifications.update").count() == 1


@pytest.mark.parametrize("body, fields", [
    ({**DEFAULT, "new_detractor": "weekly"}, {"new_detractor"}),
    ({**DEFAULT, "digest_hour": 24}, {"digest_hour"}),
    ({**DEFAULT, "digest_hour": -1, "sla_alerts": "maybe"}, {"digest_hour", "sla_alerts"}),
    ({"new_detractor": "off"}, {"digest_hour", "assigned_to_me", "sla_alerts"}),
    ({**DEFAULT, "assigned_to_me": None}, {"assigned_to_me"}),
])
def test_invalid_preferences_are_a_400_naming_the_fields_and_change_nothing_API_3(make, merchant, client_for,
                                                                                   body, fields):
    agent = make.member(merchant, "agent")
    response = client_for(agent).put(f"{base(merchant)}me/notifications/", body, format="json")
    assert response.status_code == 400 and set(response.json()) == fields
    assert _stored(merchant, agent) == DEFAULT


def test_an_integration_key_has_no_preferences_and_another_merchant_none_of_ours_TEN_3(
        make, merchant, other_merchant, client_for, api_key):
    url = f"{base(merchant)}me/notifications/"
    assert client_for(api_key=api_key).get(url).status_code == 403
    assert client_for(api_key=api_key).put(url, DEFAULT, format="json").status_code == 403
    outsider = make.member(other_merchant, "admin")
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).put(url, {**DEFAULT, "new_detractor": "off"}, format="json").status_code == 404


def test_the_page_shows_and_saves_the_four_choices_in_the_members_language_SLA_4(make, merchant, client):
    staff = make.member(merchant, "staff", branches=[make.branch(merchant)])
    client.force_login(staff)
    url = f"/m/{merchant.slug}/settings/notifications/"
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "Nuevos detractores" in text and "Resumen diario a las" in text
    assert 'value="digest" checked' in text and '<option value="8" selected>08:00</option>' in text
    assert f'href="{url}" aria-label="Notificaciones"' in text  # reachable from the top bar
    saved = client.post(url, {"new_detractor": "instant", "digest_hour": "7", "sla_alerts": "on"})
    assert saved.status_code == 302 and saved["Location"] == url
    assert _stored(merchant, staff) == {"new_detractor": "instant", "digest_hour": 7, "assigned_to_me": False,
                                        "sla_alerts": True}
    refused = client.post(url, {"new_detractor": "weekly", "digest_hour": "25", "assigned_to_me": "on"})
    assert refused.status_code == 400 and "Elige una hora de 0 a 23." in refused.content.decode()
    assert _stored(merchant, staff)["digest_hour"] == 7
    staff.language = "en"
    staff.save(update_fields=["language"])
    english = client.get(url).content.decode()
    assert "New detractors" in english and "Daily digest at" in english and "Nuevos detractores" not in english
