"""SEC-4 in Chromium: the 404 page, the API docs and the admin work under the Content-Security-Policy
(the shared `chromium` fixture fails any test whose pages log a violation)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def context(chromium, live_server):
    contexts = []

    def open_(*, width=1440, height=900, locale="es-CO", **options):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale=locale,
                                       base_url=live_server.url, device_scale_factor=1, **options)
        context.set_default_timeout(10000)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize(("width", "height", "name"), [(1440, 900, "not-found.png"), (375, 740, "not-found-phone.png")])
def test_404_page_looks_like_the_product_at_desk_and_phone_widths_sec4(context, width, height, name):
    page = context(width=width, height=height, is_mobile=width < 500).new_page()
    response = page.goto("/m/no-such-merchant/inbox/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Página no encontrada"
    card = page.locator(".auth-card").bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= width  # the card fits the screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("getComputedStyle(document.querySelector('.error-code')).color") == "rgb(79, 70, 229)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), animations="disabled", caret="initial")
    page.get_by_role("link", name="Ir a Ratings Inbox").click()
    page.wait_for_url("**/login/**")


def test_api_docs_run_under_the_policy_sec4(context):
    page = context(locale="en-US").new_page()
    page.goto("/api/v1/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 20
    page.locator(".opblock-summary").first.click()  # opening an operation renders its parameters
    page.locator(".opblock-body").first.wait_for()


@pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])  # the admin reads as the sweeper
def test_admin_runs_under_the_policy_sec4(context, client, make, merchant, django_user_model):
    operator = django_user_model.objects.create_superuser(email="ops@example.com", password="pw-12345")
    make.rating(merchant, score=3, comment="Frío")
    browser = context(locale="en-US")
    page = browser.new_page()
    page.goto("/admin/login/")
    page.locator("#id_username").fill(operator.email)
    page.locator("#id_password").fill("pw-12345")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    page.goto("/admin/ratings/rating/")
    page.locator("#result_list").wait_for()  # merchants' rows are read-only: no actions there
    page.goto("/admin/accounts/user/")
    page.locator("#action-toggle").check()  # the admin's own scripts run
    assert page.locator("tr.selected").count() >= 1
