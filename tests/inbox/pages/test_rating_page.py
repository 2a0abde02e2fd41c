"""An opened rating: read state, customer panel, history, profile, invoice, replies, quick replies
(INB-6, INB-7, DET-1..4, THR-1..4), tenant and branch isolation (TEN-3, TEN-5)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.services import InvoiceLineInput
from notifications.models import OutgoingEmail
from ratings.models import QuickReply, Rating
from ratings.selectors import ORDERINGS
from ratings.services import customer_message_add, quick_reply_create, rating_reply

HX = {"HTTP_HX_REQUEST": "true"}


def url(merchant, rating, tail=""):
    return f"/m/{merchant.slug}/inbox/{rating.pk}/{tail}"


def test_opening_marks_read_and_url_names_the_rating_INB_6_INB_7(make, merchant, admin_client):
    rating = make.rating(merchant, 3, "Todo frío")
    response = admin_client.get(url(merchant, rating) + "?sort=score")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="rating-detail"' in html and 'id="list-pane"' in html  # both panes, shareable URL
    assert "Todo frío" in html
    rating.refresh_from_db()
    assert rating.is_read


def test_htmx_open_returns_detail_with_row_and_counters_out_of_band(make, merchant, admin_client):
    rating = make.rating(merchant, 9, "Gracias")
    html = admin_client.get(url(merchant, rating), HTTP_HX_TARGET="detail-pane", **HX).content.decode()
    assert "<html" not in html
    assert 'id="counters" class="counters" hx-swap-oob="true"' in html
    assert 'data-counter="unread_comments">0<' in html
    row = re.search(rf'<li id="row-{rating.pk}"[^>]*>', html).group(0)
    assert 'hx-swap-oob="true"' in row and "is-unread" not in row


def test_mark_unread_INB_6(make, merchant, admin_client):
    rating = make.rating(merchant, 9, "Gracias")
    admin_client.get(url(merchant, rating))
    html = admin_client.post(url(merchant, rating, "unread/"), HTTP_HX_TARGET="mark-unread", **HX).content.decode()
    rating.refresh_from_db()
    assert not rating.is_read
    assert 'data-counter="unread_comments">1<' in html
    assert admin_client.post(url(merchant, rating, "unread/")).status_code == 302


def test_customer_panel_DET_1(make, merchant, admin_client):
    customer = make.customer(merchant, "Ana Ruiz")
    now = timezone.now()
    older = make.rating(merchant, 4, customer=customer, created_at=now - dt.timedelta(days=2))
    make.rating(merchant, 10, customer=customer, created_at=now - dt.timedelta(days=1))  # the last score
    html = admin_client.get(url(merchant, older)).content.decode()
    assert re.search(r"Last score.*?score-promoter\">10<", html, re.S)
    assert 'data-gifts="offered">0<' in html and 'data-gifts="redeemed">0<' in html
    assert 'data-gifts="expired">0<' in html


def test_history_lists_customer_ratings_newest_first_DET_2(make, merchant, admin_client):
    customer = make.customer(merchant, "Ana Ruiz")
    first = make.rating(merchant, 4, customer=customer)
    second = make.rating(merchant, 9, customer=customer)
    make.rating(merchant, 8)  # someone else
    html = admin_client.get(url(merchant, first, "history/"), HTTP_HX_TARGET="drawer", **HX).content.decode()
    ids = [int(x) for x in re.findall(r'href="/m/[^/]+/inbox/(\d+)/"', html)]
    newest_first = sorted([first, second], key=lambda r: r.created_at, reverse=True)
    assert ids == [r.pk for r in newest_first]


def test_profile_shows_personal_data_and_visits_DET_3(make, merchant, admin_client):
    customer = make.customer(merchant, "Ana Ruiz", email="ana@example.com", phone="+57 300 1234567",
                             document_id="CC 123")
    rating = make.rating(merchant, 8, customer=customer)
    make.visit(merchant, customer=customer, total="12000.00", visited_at=timezone.now() - dt.timedelta(minutes=1))
    html = admin_client.get(url(merchant, rating, "profile/"), HTTP_HX_TARGET="drawer", **HX).content.decode()
    html = html.replace("\xa0", " ")
    for text in ["Ana Ruiz", "ana@example.com", "+57 300 1234567", "CC 123", "COP 12,000", "COP 45,900"]:
        assert text in html
    assert html.index("COP 12,000") < html.index("COP 45,900")  # newest visit first


def test_profile_and_history_typed_or_reloaded_are_whole_pages_DET_2_DET_3(make, merchant, admin_client):
    """Not a bare fragment without styles: the layout around the panel, and the drawer its buttons open."""
    rating = make.rating(merchant, 8, customer=make.customer(merchant, "Ana Ruiz"))
    for tail, title in (("profile/", "Customer profile"), ("history/", "History of Ana Ruiz")):
        page = admin_client.get(url(merchant, rating, tail)).content.decode()
        assert page.startswith("<!doctype html>") and 'class="narrow"' in page and 'id="drawer"' in page
        assert f"<title>{title} · {merchant.name}</title>" in page
        panel = admin_client.get(url(merchant, rating, tail), HTTP_HX_TARGET="drawer", **HX).content.decode()
        assert "<html" not in panel and panel.count("drawer-panel") == 1
        # On the page of its own a rating of the history is a plain link (no #detail-pane to swap into).
        if tail == "history/":
            assert 'hx-target="#detail-pane"' in panel and 'hx-target="#detail-pane"' not in page


def test_invoice_lines_with_currency_DET_4(make, merchant, admin_client):
    lines = [InvoiceLineInput("Bandeja paisa", Decimal("2"), Decimal("30000"), Decimal("60000")),
             InvoiceLineInput("Limonada", Decimal("1"), Decimal("7500.50"), Decimal("7500.50"))]
    visit = make.visit(merchant, total="67500.50", lines=lines)
    html = admin_client.get(f"/m/{merchant.slug}/visits/{visit.pk}/invoice/", HTTP_HX_TARGET="drawer",
                            **HX).content.decode().replace("\xa0", " ")
    assert visit.invoice_number in html
    for text in ["Bandeja paisa", "COP 30,000", "COP 60,000", "Limonada", "COP 7,500.50", "COP 67,500.50"]:
        assert text in html


def test_reply_appears_at_once_and_is_queued_THR_2(make, merchant, admin_client):
    rating = make.rating(merchant, 3, "Frío")
    html = admin_client.post(url(merchant, rating, "reply/"), {"body": "Lo sentimos\n<b>mucho</b>"},
                             HTTP_HX_TARGET="conversation", **HX).content.decode()
    assert "Lo sentimos<br>&lt;b&gt;mucho&lt;/b&gt;" in html  # THR-3: escaped, line breaks kept
    assert 'data-counter="replies_sent">1<' in html
    assert OutgoingEmail.objects.filter(rating=rating, kind=OutgoingEmail.Kind.STAFF_REPLY).count() == 1
    rating.refresh_from_db()
    assert rating.is_read and rating.replies_count == 1


def test_empty_reply_is_refused_with_a_message_THR_2(make, merchant, admin_client):
    rating = make.rating(merchant, 3, "Frío")
    html = admin_client.post(url(merchant, rating, "reply/"), {"body": "   \n "},
                             HTTP_HX_TARGET="conversation", **HX).content.decode()
    assert 'id="reply-error"' in html and 'role="alert"' in html
    assert Rating.objects.get(pk=rating.pk).replies_count == 0


def test_thread_in_time_order_with_authors_THR_1(make, merchant, admin_client):
    rating = make.rating(merchant, 5, "Primero")
    rating_reply(merchant=merchant, rating=rating, author=make.admin(merchant), body="Segundo")
    customer_message_add(merchant=merchant, rating=rating, body="Tercero <script>x</script>")
    html = admin_client.get(url(merchant, rating)).content.decode()
    assert html.index("Primero") < html.index("Segundo") < html.index("Tercero")
    assert "<script>x</script>" not in html


def test_quick_replies_listed_in_composer_THR_4(make, merchant, admin_client):
    quick_reply_create(merchant=merchant, title="Disculpa", body="Sentimos lo ocurrido.")
    rating = make.rating(merchant, 3)
    html = admin_client.get(url(merchant, rating)).content.decode()
    assert '<option value="Sentimos lo ocurrido.">Disculpa</option>' in html


def test_quick_reply_admin_page_create_edit_delete_THR_4(make, merchant, admin_client):
    base = f"/m/{merchant.slug}/quick-replies/"
    assert admin_client.post(base, {"title": "Hola", "body": "Gracias por venir"}).status_code == 302
    qr = QuickReply.objects.get(merchant=merchant)
    assert "Gracias por venir" in admin_client.get(base).content.decode()
    html = admin_client.post(base, {"title": "Vacía", "body": "  "}).content.decode()
    assert 'id="body-error"' in html
    admin_client.post(f"{base}{qr.pk}/", {"title": "Hola!", "body": "Nuevo texto"})
    qr.refresh_from_db()
    assert (qr.title, qr.body) == ("Hola!", "Nuevo texto")
    admin_client.post(f"{base}{qr.pk}/delete/")
    assert not QuickReply.objects.filter(merchant=merchant).exists()


@pytest.mark.parametrize("role", ["staff", "agent"])
def test_quick_reply_admin_page_is_admin_only(make, merchant, client, role):
    client.force_login(make.member(merchant, role))
    assert client.get(f"/m/{merchant.slug}/quick-replies/").status_code == 403


def test_other_merchants_rating_is_404_TEN_3(make, merchant, other_merchant, admin_client):
    foreign = make.rating(other_merchant, 9, "ajeno")
    foreign_visit = foreign.visit
    for path in ["", "history/", "profile/"]:
        assert admin_client.get(f"/m/{merchant.slug}/inbox/{foreign.pk}/{path}").status_code == 404
    assert admin_client.post(f"/m/{merchant.slug}/inbox/{foreign.pk}/reply/", {"body": "x"}).status_code == 404
    assert admin_client.post(f"/m/{merchant.slug}/inbox/{foreign.pk}/unread/").status_code == 404
    assert admin_client.get(f"/m/{merchant.slug}/visits/{foreign_visit.pk}/invoice/").status_code == 404


def test_branch_restricted_member_sees_only_their_branches_TEN_5(make, merchant, client):
    norte = make.branch(merchant, "Norte")
    sur = make.branch(merchant, "Sur")
    mine = make.rating(merchant, 9, branch=norte)
    theirs = make.rating(merchant, 2, "otro", branch=sur)
    client.force_login(make.member(merchant, "staff", branches=[norte]))
    html = client.get(f"/m/{merchant.slug}/inbox/").content.decode()
    assert f'id="row-{mine.pk}"' in html and f'id="row-{theirs.pk}"' not in html
    assert 'data-counter="total_ratings">1<' in html
    assert ">Sur<" not in html
    assert client.get(f"/m/{merchant.slug}/inbox/{theirs.pk}/").status_code == 404
    assert client.get(f"/m/{merchant.slug}/visits/{theirs.visit_id}/invoice/").status_code == 404


def test_opened_rating_query_count_is_fixed(make, merchant, admin_client, django_assert_max_num_queries):
    customer = make.customer(merchant, "Ana Ruiz")
    rating = make.rating(merchant, 5, "uno", customer=customer)
    admin = make.admin(merchant)
    rating_reply(merchant=merchant, rating=rating, author=admin, body="dos")
    with django_assert_max_num_queries(30) as few:
        admin_client.get(url(merchant, rating))
    for n in range(10):
        rating_reply(merchant=merchant, rating=rating, author=admin, body=f"más {n}")
        make.rating(merchant, 7, "otra", customer=customer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(url(merchant, rating))
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(url(merchant, rating), HTTP_HX_TARGET="detail-pane", **HX)


def test_poll_answers_204_until_something_changes_INB_8(make, merchant, admin_client):
    rating = make.rating(merchant, 9, "hola")
    html = admin_client.get(f"/m/{merchant.slug}/inbox/").content.decode()
    signature = re.search(r'"sig": "([0-9a-f]+)"', html).group(1)
    poll = f"/m/{merchant.slug}/inbox/poll/"
    assert admin_client.get(poll, {"sig": signature}, **HX).status_code == 204
    admin_client.get(url(merchant, rating))  # opened: read
    customer_message_add(merchant=merchant, rating=rating, body="¿Hay respuesta?")
    response = admin_client.get(poll, {"sig": signature, "open": rating.pk}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="counters" class="counters" hx-swap-oob="true"' in html
    assert "¿Hay respuesta?" in html  # the open thread follows
    assert re.search(rf'<li id="row-{rating.pk}" class="row is-unread"', html)


@pytest.mark.parametrize("sort", sorted(ORDERINGS))
def test_poll_signature_matches_the_page_in_every_order_INB_8(make, merchant, admin_client, sort):
    """The poll hashes a lighter query than the page (no customers, no model instances): for
    every order, with a filter and a rating open, an unchanged inbox must still answer 204."""
    ana = make.customer(merchant, "Ana Ruiz", email="ana@example.com")
    for n in range(8):
        make.rating(merchant, 1 + n, "comentario" if n % 2 else None, customer=ana if n % 3 else None)
    opened = make.rating(merchant, 6, "abierta", customer=ana)
    query = {"sort": sort, "q": "ana"}
    html = admin_client.get(f"/m/{merchant.slug}/inbox/{opened.pk}/", query).content.decode()
    signature = re.search(r'"sig": "([0-9a-f]+)"', html).group(1)
    poll = f"/m/{merchant.slug}/inbox/poll/"
    assert admin_client.get(poll, {**query, "sig": signature, "open": opened.pk}, **HX).status_code == 204
    make.rating(merchant, 10, "nueva", customer=ana)
    changed = admin_client.get(poll, {**query, "sig": signature, "open": opened.pk}, **HX)
    assert changed.status_code == 200 and "nueva" in changed.content.decode()


def test_money_in_spanish_is_written_as_in_colombia_DET_4(make, merchant, client):
    client.force_login(make.admin(merchant))  # language "es" by default
    visit = make.visit(merchant, total="67500.50")
    html = client.get(f"/m/{merchant.slug}/visits/{visit.pk}/invoice/", HTTP_HX_TARGET="drawer",
                      **HX).content.decode().replace("\xa0", " ")
    assert "$67.500,50" in html
