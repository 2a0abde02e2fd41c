"""AR-2: placeholders by plain substitution, literal braces, refusal naming the culprit."""

import datetime as dt

import pytest
from django.utils import translation

from autoreply.placeholders import PlaceholderError, Values, fill, fill_subject, format_visit_date


@pytest.fixture(autouse=True)
def english():
    """Messages are translated; these tests read the English ones whatever ran before."""
    with translation.override("en"):
        yield


VALUES = Values(first_name="José", full_name="José Pérez", merchant="La Arepa", branch="Centro", score="4",
                visit_date="23/11/2026")


def test_every_placeholder_is_filled_ar2():
    text = "{first_name}|{full_name}|{merchant}|{branch}|{score}|{visit_date}"
    assert fill(text, VALUES) == "José|José Pérez|La Arepa|Centro|4|23/11/2026"


def test_double_braces_write_literal_braces_ar2():
    assert fill("{{first_name}} {{ {first_name} }}", VALUES) == "{first_name} { José }"


@pytest.mark.parametrize("text, named", [
    ("Hola {nombre}", "{nombre}"), ("{First_Name}", "{First_Name}"), ("{ first_name }", "{ first_name }"),
    ("{}", "{}"),
])
def test_unknown_placeholder_is_refused_naming_it_ar2(text, named):
    with pytest.raises(PlaceholderError, match=named.replace("{", r"\{").replace("}", r"\}")):
        fill(text, VALUES)


@pytest.mark.parametrize("text, brace", [("precio: 5}", "}"), ("abre { y no cierra", "{"), ("{first_name", "{")])
def test_stray_brace_is_refused_ar2(text, brace):
    with pytest.raises(PlaceholderError, match=f"Stray “\\{brace}”"):
        fill(text, VALUES)


def test_values_are_never_evaluated_again_nor_as_a_template_ar2():
    tricky = Values(first_name="{merchant}", full_name="{{ settings.SECRET_KEY }}", merchant="M", branch="{% now %}",
                    score="1", visit_date="x")
    assert fill("{first_name} {full_name} {branch}", tricky) == "{merchant} {{ settings.SECRET_KEY }} {% now %}"
    with pytest.raises(PlaceholderError):
        fill("{% load static %}", None)


def test_subject_stays_on_one_line_ar2():
    values = Values("Ana\nBcc: x@y", "Ana", "M", "B", "3", "d")
    assert fill_subject("Hola {first_name}", values) == "Hola Ana Bcc: x@y"


def test_visit_date_in_merchant_locale_ar2():
    assert format_visit_date(dt.date(2026, 11, 23), "es") == "23/11/2026"
    assert format_visit_date(dt.date(2026, 1, 5), "es") == "05/01/2026"
    assert format_visit_date(dt.date(2026, 11, 23), "en") == "23 Nov 2026"


def test_visit_date_uses_merchant_time_zone_ar2(make, acting_for):
    merchant = make.merchant(timezone_name="America/Bogota")
    acting_for(merchant)
    # 02:30 UTC on the 20th is still the 19th in Bogotá
    visited = dt.datetime(2026, 11, 20, 2, 30, tzinfo=dt.UTC)
    rating = make.rating(merchant, score=3, visited_at=visited, created_at=visited + dt.timedelta(hours=1))
    assert Values.for_rating(rating, merchant).visit_date == "19/11/2026"
