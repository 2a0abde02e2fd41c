"""SEC-4: our own 404 and 500 pages, in Spanish and English, with DEBUG off; the API keeps JSON."""

from __future__ import annotations

import pytest
from django.template import loader
from django.utils import translation

from .inline import inline_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_client(client, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.deploy.failing_urls"
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(("language", "title", "action"), [
    ("es", "Página no encontrada", "Ir a Ratings Inbox"),
    ("en", "Page not found", "Go to Ratings Inbox"),
])
def test_unknown_page_is_our_404_in_the_readers_language_sec4(client, settings, language, title, action):
    settings.DEBUG = False
    response = client.get("/m/no-such-merchant/settings/nowhere/", headers={"Accept-Language": language})
    html = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in html
    assert f"<h1>{title}</h1>" in html and action in html
    assert 'href="/static/css/app.css"' in html and inline_code(html) == []
    assert "Content-Security-Policy" in response


def test_unknown_api_path_stays_json_sec4(client, settings):
    settings.DEBUG = False
    for path in ("/api/v1/nowhere/", "/api/nowhere/"):
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}
        # In the reader's language, Spanish by default.
        assert client.get(path).json() == {"detail": "No encontrado."}


@pytest.mark.parametrize(("language", "title"), [
    ("es", "Algo salió mal de nuestro lado"),
    ("en", "Something went wrong on our side"),
])
def test_failing_page_is_our_500_in_the_readers_language_sec4(failing_client, language, title):
    response = failing_client.get("/broken/", headers={"Accept-Language": language})
    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in html and f"<h1>{title}</h1>" in html
    assert 'href="/static/css/app.css"' in html and inline_code(html) == []
    assert "Content-Security-Policy" in response


def test_failing_api_path_stays_json_sec4(failing_client):
    response = failing_client.get("/api/v1/broken/", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "A server error occurred."}


def test_500_page_renders_without_context_or_database_sec4(django_assert_num_queries):
    with django_assert_num_queries(0), translation.override("en"):
        html = loader.get_template("500.html").render()
    assert "Something went wrong on our side" in html and "500" in html
