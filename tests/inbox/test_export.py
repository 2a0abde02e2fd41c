"""The inbox list as CSV for admins (CASE-10, API.md "Follow-up cases"): content, filters, safety, access,
streaming under the merchant's row-level security, statements per page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.services import api_token_create
from inbox.export import HEADER, csv_chunks, neutralised
from merchants import tenancy
from merchants.access import Access
from ratings import cases
from ratings.models import Rating
from ratings.selectors import EXPORT_PAGE_SIZE
from ratings.services import rating_reply

T0 = dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC)  # 10:30 in Bogotá, the merchant's zone
NOW = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)  # 23:00 on 1 March in Bogotá, already the 2nd in UTC
HEADER_LINE = ("id,created_at,branch,customer,email,score,band,comment,status,priority,owner,first_response_at,"
               "resolved_at,followup_score")


def api_url(merchant) -> str:
    return f"/api/v1/merchants/{merchant.slug}/ratings/export.csv"


def page_url(merchant) -> str:
    return f"/m/{merchant.slug}/inbox/export.csv"


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
    return client


def body(response) -> str:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode()


def lines(response) -> list[str]:
    return body(response).split("\r\n")[:-1]


def table(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response), newline="")))


@pytest.fixture
def world(make, merchant):
    """Two ratings a day apart in two branches: one with a worked case (owner, answer, resolution,
    follow-up score), one without a case."""
    norte = make.branch(merchant, "Norte")
    agent = make.member(merchant, "agent", email="marta@example.com")
    agent.full_name = "Marta Ruiz"
    agent.save(update_fields=["full_name"])
    admin = make.admin(merchant)
    ana = make.customer(merchant, "Ana Gómez", email="ana@example.com")
    luis = make.customer(merchant, "Luis Pérez", email=None)
    with time_machine.travel(T0 + dt.timedelta(hours=6), tick=False):
        worked = make.rating(merchant, 3, "Frío, y tardaron", customer=ana, created_at=T0)
        quiet = make.rating(merchant, 9, customer=luis, branch=norte, created_at=T0 + dt.timedelta(hours=1))
    access = Access.system(merchant)
    with time_machine.travel(T0 + dt.timedelta(hours=7), tick=False):
        cases.case_update(access=access, rating=worked, actor=admin, owner=agent.pk)
    with time_machine.travel(T0 + dt.timedelta(hours=8, minutes=15), tick=False):
        rating_reply(merchant=merchant, rating=worked, author=admin, body="Lo sentimos")
    with time_machine.travel(T0 + dt.timedelta(days=1, hours=2), tick=False):
        cases.case_update(access=access, rating=Rating.objects.get(pk=worked.pk), actor=admin, status="resolved")
    # No service records a follow-up score yet (it comes from the customer's follow-up survey).
    Rating.objects.filter(pk=worked.pk).update(followup_score=8)
    return {"worked": worked, "quiet": quiet, "norte": norte, "admin": admin, "agent": agent, "ana": ana}


def test_a_small_world_exports_exactly_CASE_10(merchant, world):
    worked, quiet = world["worked"], world["quiet"]
    with time_machine.travel(NOW, tick=False):
        response = api_client(world["admin"]).get(api_url(merchant))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="calificaciones-la-arepa-2026-03-01.csv"'
    assert lines(response) == [
        HEADER_LINE,
        f"{quiet.pk},2026-03-01T11:30:00-05:00,Norte,Luis Pérez,,9,promoter,,none,,,,,",
        f'{worked.pk},2026-03-01T10:30:00-05:00,Principal,Ana Gómez,ana@example.com,3,detractor,'
        f'"Frío, y tardaron",resolved,high,Marta Ruiz,2026-03-01T18:45:00-05:00,2026-03-02T12:30:00-05:00,8',
    ]
    assert HEADER_LINE.split(",") == list(HEADER)


def test_the_list_ordering_is_honoured_CASE_10(merchant, world):
    client = api_client(world["admin"])
    rows = table(client.get(api_url(merchant), {"ordering": "score"}))
    assert [int(row["id"]) for row in rows] == [world["worked"].pk, world["quiet"].pk]
    response = client.get(api_url(merchant), {"ordering": "sideways"})
    assert response.status_code == 400 and list(response.json()) == ["ordering"]


@pytest.mark.parametrize(("query", "expected"), [
    ({"status": "resolved"}, ["worked"]),
    ({"status": "none,new"}, ["quiet"]),
    ({"branch": "norte"}, ["quiet"]),
    ({"q": "ana"}, ["worked"]),
    ({"q": "ana@example.com"}, ["worked"]),
    ({"band": "promoter"}, ["quiet"]),
    ({"owner": "agent"}, ["worked"]),
    ({"q": "nadie"}, []),
])
def test_the_list_filters_are_honoured_CASE_10(merchant, world, query, expected):
    query = {name: world[value].pk if name in ("branch", "owner") else value for name, value in query.items()}
    rows = table(api_client(world["admin"]).get(api_url(merchant), query))
    assert [int(row["id"]) for row in rows] == [world[name].pk for name in expected]


def test_bad_filters_are_json_400s_before_any_csv_API_3(make, merchant, other_merchant, world):
    client = api_client(world["admin"])
    response = client.get(api_url(merchant), {"branch": make.branch(other_merchant).pk}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert list(response.json()) == ["branch"]
    assert list(client.get(api_url(merchant), {"status": "lost"}).json()) == ["status"]
    assert client.get(api_url(merchant), {"score_min": "x"}).status_code == 400


def test_a_client_asking_for_csv_gets_it_CASE_10(merchant, world):
    response = api_client(world["admin"]).get(api_url(merchant), HTTP_ACCEPT="text/csv")
    text = lines(response)
    assert text[0] == HEADER_LINE and len(text) == 3


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_formulas_in_comments_and_names_are_neutralised_CASE_10(make, merchant, start):
    formula = f"{start}HYPERLINK(\"http://evil.example\",\"clic\")"
    customer = make.customer(merchant, f"{start}1+2 Pérez", email="safe@example.com")
    rating = make.rating(merchant, 2, formula, customer=customer)
    [row] = table(api_client(make.admin(merchant)).get(api_url(merchant)))
    assert row["comment"] == "'" + formula
    assert row["customer"] == f"'{start}1+2 Pérez"
    assert (row["id"], row["score"], row["band"]) == (str(rating.pk), "2", "detractor")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_text_cell_is_neutralised_numbers_are_not_CASE_10(start):
    """Tab and carriage return cannot reach a comment or a name through the services (they are
    stripped), but may through an import: the writer neutralises them in every text cell."""
    text = f"{start}cmd|' /C calc'!A0"
    at = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
    row = (42, at, text, text, text, 5, text, "new", "medium", text, None, None, None)
    chunks = list(csv_chunks([row], zone=dt.UTC))
    [parsed] = list(csv.DictReader(io.StringIO(b"".join(chunks).decode(), newline="")))
    for column in ("branch", "customer", "email", "comment", "owner"):
        assert parsed[column] == "'" + text, column
    assert (parsed["id"], parsed["score"], parsed["created_at"]) == ("42", "5", "2026-01-05T12:00:00+00:00")
    assert neutralised(None) is None and neutralised("") == "" and neutralised("Bien =)") == "Bien =)"


@pytest.mark.parametrize("role", ["staff", "agent"])
def test_only_admins_export_CASE_10(make, merchant, client, role):
    member = make.member(merchant, role)
    response = api_client(member).get(api_url(merchant))
    assert response.status_code == 403 and response["Content-Type"] == "application/json"
    client.force_login(member)
    assert client.get(page_url(merchant)).status_code == 403


def test_another_merchants_admin_gets_404_TEN_3(make, merchant, other_merchant, client, world):
    stranger = make.admin(other_merchant)
    assert api_client(stranger).get(api_url(merchant)).status_code == 404
    client.force_login(stranger)
    assert client.get(page_url(merchant)).status_code == 404
    assert APIClient().get(api_url(merchant)).status_code == 401


def test_a_branch_restricted_admin_exports_their_branches_only_TEN_5(make, merchant, world):
    restricted = make.member(merchant, "admin", branches=[world["norte"]])
    client = api_client(restricted)
    assert [int(row["id"]) for row in table(client.get(api_url(merchant)))] == [world["quiet"].pk]
    assert client.get(api_url(merchant), {"q": "ana"}).status_code == 200
    assert table(client.get(api_url(merchant), {"q": "ana"})) == []


def test_the_page_link_exports_the_inbox_list_of_its_query_CASE_10(merchant, client, world):
    client.force_login(world["admin"])
    with time_machine.travel(NOW, tick=False):
        response = client.get(page_url(merchant), {"sort": "score"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="calificaciones-la-arepa-2026-03-01.csv"'
    assert [int(row["id"]) for row in table(response)] == [world["worked"].pk, world["quiet"].pk]
    response = client.get(page_url(merchant), {"branch": world["norte"].pk, "q": "luis"})
    assert [int(row["id"]) for row in table(response)] == [world["quiet"].pk]
    assert [int(row["id"]) for row in table(client.get(page_url(merchant), {"q": "ana"}))] == [world["worked"].pk]
    assert client.post(page_url(merchant)).status_code == 405


def _settings() -> tuple[str, str]:
    """The tenant settings as the database has them in the current transaction."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.merchant_id', true), current_setting('app.user_id', true)")
        return tuple(value or "" for value in cursor.fetchone())


def test_the_stream_reads_under_the_merchants_row_level_security_TEN_4(make, merchant, other_merchant, world,
                                                                        settings):
    """The file is written after the view has returned and TenantMiddleware has cleared the
    session's merchant: as in production (no rows visible between requests), the export must
    enter the merchant again, and leave the session as it found it."""
    make.rating(other_merchant, 5, "De otro")
    client = api_client(world["admin"])
    try:
        response = client.get(api_url(merchant))
        tenancy.clear_tenant()  # as between two requests in production: no merchant set
        assert _settings() == ("", "")
        stream = iter(response.streaming_content)
        first = next(stream)
        assert _settings() == (str(merchant.pk), str(world["admin"].pk))
        rest = []
        for chunk in stream:  # every page still reads as the merchant
            assert _settings() == (str(merchant.pk), str(world["admin"].pk))
            rest.append(chunk)
        text = (first + b"".join(rest)).decode()
    finally:
        tenancy.clear_tenant()
    assert [int(row["id"]) for row in csv.DictReader(io.StringIO(text, newline=""))] == [
        world["quiet"].pk, world["worked"].pk]


def _bulk_ratings(make, merchant, count: int) -> None:
    """`count` ratings of one customer in one branch, in a few statements: the export reads rows,
    and thousands made one by one through the services would take most of a minute."""
    from customers.models import Visit
    from merchants.models import Branch

    branch = Branch.objects.get(merchant=merchant, name="Principal")
    customer = make.customer(merchant, "Carla Núñez", email="carla@example.com")
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    visits = Visit.objects.bulk_create([
        Visit(merchant=merchant, branch=branch, customer=customer, visited_at=start + dt.timedelta(minutes=n),
              invoice_number=f"B-{n}", invoice_total=Decimal("10.00"), currency="COP")
        for n in range(count)])
    Rating.objects.bulk_create([
        Rating(merchant=merchant, visit=visit, customer=customer, branch=branch, customer_name_key=customer.name_key,
               score=1 + n % 10, comment=f"comentario {n}" if n % 3 else None,
               created_at=visit.visited_at + dt.timedelta(minutes=30))
        for n, visit in enumerate(visits)])


@pytest.mark.parametrize(("ordering", "extra"), [("-created_at", 0), ("customer", 0), ("score", 1)])
def test_statements_are_one_per_page_whatever_the_count_CASE_10(make, merchant, ordering, extra):
    """2,500 rows: ceil(n / page) statements for the rows, plus the two that enter the merchant
    and restore the session and the one that names the branches; no statement per row. An
    ordering led by the score reads a page that crosses into the next score in two statements,
    one index range each (ratings.keyset): one extra here, where page 2 starts within a score."""
    count = 2500
    _bulk_ratings(make, merchant, count)
    response = api_client(make.admin(merchant)).get(api_url(merchant), {"ordering": ordering})
    with CaptureQueriesContext(connection) as context:
        rows = table(response)
    assert len(rows) == count and len({row["id"] for row in rows}) == count
    pages = [q["sql"] for q in context.captured_queries if '"ratings_rating"' in q["sql"]]
    assert len(pages) == math.ceil(count / EXPORT_PAGE_SIZE) + extra
    assert len(context.captured_queries) == len(pages) + 3


def test_the_schema_documents_the_export_API_1(db):
    import yaml

    document = yaml.safe_load(APIClient().get("/api/v1/schema/").content)
    operation = document["paths"]["/api/v1/merchants/{merchant_slug}/ratings/export.csv"]["get"]
    assert operation["operationId"] == "ratings_export"
    assert list(operation["responses"]["200"]["content"]) == ["text/csv"]
    assert list(operation["responses"]["400"]["content"]) == ["application/json"]
    parameters = {p["name"] for p in operation["parameters"]}
    assert {"branch", "customer", "date_from", "date_to", "q", "status", "owner", "priority", "needs_reply", "sla",
            "band", "score_min", "score_max", "has_comment", "is_read", "ordering"} <= parameters
    assert not parameters & {"cursor", "page_size"}


def test_the_inbox_offers_its_list_as_csv_to_admins_only_CASE_10(make, merchant, client):
    make.rating(merchant, 3, "Frío")
    client.force_login(make.admin(merchant))
    html = client.get(f"/m/{merchant.slug}/inbox/", {"band": "detractor"}).content.decode()
    assert f'href="/m/{merchant.slug}/inbox/export.csv?' in html and "band=detractor" in html.split("export.csv?")[1][:200]
    client.force_login(make.member(merchant, "staff"))
    assert "export.csv" not in client.get(f"/m/{merchant.slug}/inbox/").content.decode()
