"""AR-1, AR-2 on the admin page: access, save and schedule, switch, live preview."""

import pytest

from autoreply.models import AutoReplySettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make, merchant):
    client.force_login(make.admin(merchant))
    return client


def _url(merchant, name=""):
    return f"/m/{merchant.slug}/autoreply/{name}"


def test_page_shows_text_switch_placeholders_and_preview_ar1(admin_client, merchant):
    response = admin_client.get(_url(merchant))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="subject"' in html and 'name="body"' in html and 'name="delay_minutes"' in html
    assert 'role="switch"' in html and 'aria-checked="false"' in html
    assert "{first_name}" in html and "{visit_date}" in html
    assert "Hola María:" in html  # the preview of the default text


def test_only_admins_reach_the_page_ar1(client, make, merchant, other_merchant):
    client.force_login(make.member(merchant, "agent"))
    assert client.get(_url(merchant)).status_code in (403, 404)
    client.force_login(make.admin(other_merchant))
    assert client.get(_url(merchant)).status_code == 404


def test_save_and_schedule_keeps_switch_state_ar1(admin_client, merchant):
    response = admin_client.post(_url(merchant), {"subject": "¿Qué pasó, {first_name}?", "body": "Hola {{x}}",
                                                  "delay_minutes": "15"})
    assert response.status_code == 302
    row = AutoReplySettings.objects.get(merchant=merchant)
    assert (row.subject, row.body, row.delay_minutes, row.enabled) == ("¿Qué pasó, {first_name}?", "Hola {{x}}", 15,
                                                                       False)


def test_invalid_save_shows_errors_and_keeps_what_was_typed_ar2(admin_client, merchant):
    response = admin_client.post(_url(merchant), {"subject": "Hola {nombre}", "body": "ok", "delay_minutes": "2000"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "{nombre}" in html and 'aria-invalid="true"' in html and "1440" in html
    assert not AutoReplySettings.objects.filter(merchant=merchant, subject="Hola {nombre}").exists()


def test_switch_turns_sending_on_and_off_without_losing_text_ar1(admin_client, merchant):
    text = AutoReplySettings.defaults_for(merchant).body
    response = admin_client.post(_url(merchant, "switch/"), {"enabled": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'aria-checked="true"' in response.content.decode()
    assert AutoReplySettings.objects.get(merchant=merchant).enabled
    assert admin_client.post(_url(merchant, "switch/"), {"enabled": "0"}).status_code == 302
    row = AutoReplySettings.objects.get(merchant=merchant)
    assert not row.enabled and row.body == text


def test_preview_fills_the_sample_rating_or_names_the_error_ar2(admin_client, merchant):
    response = admin_client.post(_url(merchant, "preview/"), {"subject": "Hola {first_name}", "body": "{score}/10 {{ok}}"})
    html = response.content.decode()
    assert "Hola María" in html and "4/10 {ok}" in html
    response = admin_client.post(_url(merchant, "preview/"), {"subject": "x", "body": "{unknown}"})
    assert "{unknown}" in response.content.decode() and "form-error" in response.content.decode()


def test_page_query_count_is_fixed_ar1(admin_client, merchant, django_assert_num_queries):
    """Session, user, merchant with the tenant set, membership (its branches only when restricted),
    savepoint, settings, branch for the preview, the layout's merchant switcher, release, tenant
    cleared."""
    admin_client.get(_url(merchant))
    with django_assert_num_queries(10):
        assert admin_client.get(_url(merchant)).status_code == 200
