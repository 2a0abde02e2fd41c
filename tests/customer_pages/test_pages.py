"""CUS-1..4: the customer's pages reached by signed links."""

import datetime as dt
import re

import pytest
from django.core import signing
from django.utils import timezone

from customers.links import SALTS, conversation_url, make_token, rating_url, unsubscribe_url
from customers.models import Customer
from ratings.models import Message, Rating
from ratings.services import rating_reply

pytestmark = pytest.mark.django_db


def _path(url):
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.fixture
def visit(make, merchant):
    return make.visit(merchant, customer=make.customer(merchant, "Ana Ruiz", email="ana@example.com"),
                      visited_at=timezone.now() - dt.timedelta(days=1))


def test_rate_page_shows_merchant_branch_and_date_cus1(client, visit, merchant):
    response = client.get(_path(rating_url(visit)))
    html = response.content.decode()
    assert response.status_code == 200
    assert merchant.name in html and visit.branch.name in html
    assert html.count('name="score"') == 10 and 'name="comment"' in html and "csrfmiddlewaretoken" in html
    assert response["Referrer-Policy"] == "same-origin"


def test_rating_then_second_submission_adds_comment_to_the_thread_cus1(client, visit, merchant):
    url = _path(rating_url(visit))
    response = client.post(url, {"score": "3", "comment": ""})
    assert response.status_code == 302 and "/c/" in response["Location"]
    rating = Rating.objects.get(visit=visit)
    assert (rating.score, rating.comment) == (3, None)
    response = client.post(url, {"score": "10", "comment": "La sopa llegó fría"})
    assert response.status_code == 302
    assert Rating.objects.filter(visit=visit).count() == 1
    rating.refresh_from_db()
    assert rating.score == 3 and rating.comment == "La sopa llegó fría" and not rating.is_read
    assert [m.body for m in Message.objects.filter(rating=rating)] == ["La sopa llegó fría"]


@pytest.mark.parametrize("score", ["0", "11", "", "abc"])
def test_rate_refuses_bad_scores_cus1(client, visit, score):
    response = client.post(_path(rating_url(visit)), {"score": score})
    assert response.status_code == 400 and not Rating.objects.exists()


def test_conversation_shows_thread_gifts_and_a_reply_makes_it_unread_cus2(client, make, merchant, visit):
    from gifts.services import gift_create, gift_grant

    rating = make.rating(merchant, score=4, customer=visit.customer)
    rating_reply(merchant=merchant, rating=rating, author=make.admin(merchant), body="¿Qué pasó?")
    gift = gift_create(merchant=merchant, actor=None, name="Postre gratis", kind="product",
                       product_name="Postre", validity_days=30)
    grant = gift_grant(merchant=merchant, actor=make.admin(merchant), rating=rating, gift=gift)
    assert Rating.objects.get(pk=rating.pk).is_read
    url = _path(conversation_url(rating))
    html = client.get(url).content.decode()
    assert "¿Qué pasó?" in html and grant.code in html and "Postre gratis" in html
    response = client.post(url, {"body": "Tardaron una hora"})
    assert response.status_code == 302
    rating.refresh_from_db()
    assert not rating.is_read and rating.comment == "Tardaron una hora"
    assert Message.objects.filter(rating=rating, author_kind="customer").count() == 1
    assert client.post(url, {"body": "   "}).status_code == 400


def test_unsubscribe_needs_one_post_cus3(client, visit):
    url = _path(unsubscribe_url(visit.customer))
    response = client.get(url)
    assert response.status_code == 200 and not Customer.objects.get(pk=visit.customer_id).email_opt_out
    assert client.post(url).status_code == 200
    assert Customer.objects.get(pk=visit.customer_id).email_opt_out


def test_bad_forged_or_misused_tokens_are_404_cus4(client, make, merchant, other_merchant, visit):
    rating = make.rating(merchant, score=4, customer=visit.customer)
    theirs = make.rating(other_merchant, score=2)
    forged = signing.dumps([merchant.pk, theirs.pk], salt=SALTS["conversation"] + "x")
    cross = make_token("conversation", merchant_id=merchant.pk, object_id=theirs.pk)  # their id, our merchant
    wrong_purpose = make_token("rate", merchant_id=merchant.pk, object_id=rating.pk)
    for path in (f"/c/{forged}/", f"/c/{cross}/", f"/c/{wrong_purpose}/", "/r/nonsense/", "/u/abc:def/",
                 _path(conversation_url(rating)).replace("/c/", "/u/")):
        assert client.get(path).status_code == 404, path


def test_pages_reveal_nothing_of_other_customers_cus4(client, make, merchant, visit):
    rating = make.rating(merchant, score=4, customer=visit.customer)
    other = make.rating(merchant, score=2, comment="Secreto de otro cliente",
                        customer=make.customer(merchant, "Pedro Otro", email="pedro@example.com"))
    html = client.get(_path(conversation_url(rating))).content.decode()
    assert "Secreto de otro cliente" not in html and "Pedro Otro" not in html and other.customer.email not in html


def test_language_follows_the_browser_cus4(client, visit):
    url = _path(rating_url(visit))
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es-CO,es;q=0.9").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="es"' in spanish and "¿Cómo estuvo tu visita?" in spanish
    assert '<html lang="en"' in english and "How was your visit?" in english
    assert re.search(r'name="viewport" content="width=device-width', english)


def test_conversation_page_query_count_is_fixed_cus2(client, make, merchant, visit, django_assert_num_queries):
    """Savepoint, read/set/restore the tenant, the rating with its joins, the thread, the gifts, release."""
    rating = make.rating(merchant, score=4, customer=visit.customer)
    for n in range(3):
        rating_reply(merchant=merchant, rating=rating, author=make.admin(merchant), body=f"Respuesta {n}")
    url = _path(conversation_url(rating))
    client.get(url)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


MANGLED = ("/c/{cut}/", "/r/nonsense/", "/u/abc:def/", "/c/{cut}")


@pytest.mark.parametrize("debug", [False, True])
def test_a_mangled_link_gets_our_404_page_in_the_browser_language_cus4(client, make, merchant, visit, settings, debug):
    """Never Django's technical page (what DEBUG on showed, in English), nor the staff app's 404 with its
    "Go to Ratings Inbox" button (what DEBUG off showed): a page for the customer, in their language."""
    settings.DEBUG = debug
    rating = make.rating(merchant, score=4, customer=visit.customer)
    cut = _path(conversation_url(rating)).split("/")[2][:-6]  # a mail client cut the link short
    for path in MANGLED:
        path = path.format(cut=cut)
        spanish = client.get(path, HTTP_ACCEPT_LANGUAGE="es-CO,es;q=0.9", follow=True)
        english = client.get(path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9", follow=True)
        assert spanish.status_code == english.status_code == 404, path
        es, en = spanish.content.decode(), english.content.decode()
        assert '<html lang="es"' in es and "No encontramos esta página" in es, path
        assert '<html lang="en"' in en and "We could not find this page" in en, path
        for html in (es, en):
            assert "Django" not in html and "Go to Ratings Inbox" not in html and "Ir a Ratings Inbox" not in html
            assert 'name="robots" content="noindex' in html
        assert spanish["Cache-Control"] == "private, no-store"


def test_the_gift_shows_once_with_its_code_large_and_a_qr_code_cus2_gft3(client, make, merchant, visit):
    from gifts.services import gift_create, gift_grant

    rating = make.rating(merchant, score=4, customer=visit.customer)
    gift = gift_create(merchant=merchant, actor=None, name="Postre gratis", kind="product",
                       product_name="Postre", validity_days=30)
    grant = gift_grant(merchant=merchant, actor=make.admin(merchant), rating=rating, gift=gift)
    assert Message.objects.filter(rating=rating, author_kind="system").exists()  # staff see it in the thread
    html = client.get(_path(conversation_url(rating)), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert html.count("Postre gratis") == 1
    assert "pub-msg-system" not in html and ">Nota<" not in html and "Nota\n" not in html
    assert f'<span class="visually-hidden">Código </span>{grant.code}</p>' in html
    svg = re.search(rf'<svg role="img" viewBox="0 0 (\d+) \1" class="pub-qr"><title>Código QR de tu código {grant.code}</title>',
                    html)
    assert svg and int(svg.group(1)) >= 21 + 8  # a full QR code (version 1 or more) with its quiet zone
    assert "muestra esta pantalla en la caja de" in html
    assert 'placeholder="Escribe a ' in html
