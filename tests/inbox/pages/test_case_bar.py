"""The case bar, internal notes and the case log on an opened rating (CASE-1..5, SLA-2), through
the pages as a member uses them: every action, refused changes, notes kept from the customer,
log lines in the conversation, branch rules for owners (TEN-5) and a flat statement count."""

import datetime as dt
import re
from urllib.parse import urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.links import conversation_url
from notifications.models import OutgoingEmail
from ratings.models import CaseEvent, Message, Rating
from ratings.services import customer_message_add, rating_reply

HX = {"HTTP_HX_REQUEST": "true"}


def url(merchant, rating, tail=""):
    return f"/m/{merchant.slug}/inbox/{rating.pk}/{tail}"


def act(client, merchant, rating, **data):
    return client.post(url(merchant, rating, "case/"), data, HTTP_HX_TARGET="case-bar", **HX)


def named(make, merchant, full_name, role="agent", **kwargs):
    user = make.member(merchant, role, **kwargs)
    user.full_name = full_name
    user.language = "en"
    user.save(update_fields=["full_name", "language"])
    return user


def bar(html: str) -> str:
    return re.search(r'<section id="case-bar".*?</section>', html, re.S).group(0)


def log_lines(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r'<span class="log-text">(.*?)</span>', html)]


@pytest.fixture
def admin(make, merchant):
    user = make.admin(merchant)
    user.full_name = "Ana Admin"
    user.language = "en"
    user.save(update_fields=["full_name", "language"])
    return user


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_a_detractor_opens_with_its_case_bar_CASE_1_CASE_2_SLA_2(make, merchant, admin_client):
    named(make, merchant, "Pedro Agente")
    rating = make.rating(merchant, 2, "Todo frío")
    html = bar(admin_client.get(url(merchant, rating)).content.decode())
    assert 'class="case-status case-status-new">New<' in html
    assert "sla-on_time" in html and "On time" in html and "due by" in html
    assert re.search(r'<option value="high" selected>High</option>', html)  # scores 1-3 start high
    assert ">Pedro Agente</option>" in html and ">Ana Admin (you)</option>" in html
    for button in ("Assign to me", "Escalate", "Resolve"):
        assert button in html
    assert "Reopen" not in html and "Open a case" not in html


def test_a_promoter_has_no_case_until_one_is_opened_CASE_1(make, merchant, admin_client):
    rating = make.rating(merchant, 10, "¡Excelente!")
    html = bar(admin_client.get(url(merchant, rating)).content.decode())
    assert ">No case<" in html and "Open a case" in html and 'id="case-priority"' not in html
    html = act(admin_client, merchant, rating, status="new").content.decode()
    assert 'class="case-status case-status-new">New<' in html and 'id="case-priority"' in html
    assert "Case opened" in html  # the toast
    assert log_lines(html) == ["Ana Admin opened a case"]
    assert Rating.objects.get(pk=rating.pk).status == "new"


def test_assign_to_me_answers_bar_thread_and_toast_CASE_3(make, merchant, admin, admin_client):
    rating = make.rating(merchant, 4, "Demora")
    response = act(admin_client, merchant, rating, owner="me")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.startswith('<section id="case-bar"')
    assert '<ol id="thread" class="thread" hx-swap-oob="true"' in html
    assert '<span class="toast-text">Assigned to you</span>' in html and 'id="toast" hx-swap-oob="innerHTML"' in html
    assert "Assign to me" not in bar(html)  # already mine
    assert log_lines(html) == ["Ana Admin took the case"]
    assert Rating.objects.get(pk=rating.pk).owner_id == admin.pk


def test_priority_owner_escalate_resolve_reopen_each_logged_CASE_2_CASE_3_CASE_5(make, merchant, admin_client):
    pedro = named(make, merchant, "Pedro Agente")
    rating = make.rating(merchant, 5, "Regular")
    assert "Priority: Critical" in act(admin_client, merchant, rating, priority="critical").content.decode()
    assert "Assigned to Pedro Agente" in act(admin_client, merchant, rating, owner=str(pedro.pk)).content.decode()
    html = act(admin_client, merchant, rating, status="escalated").content.decode()
    assert "case-status-escalated" in bar(html) and 'id="case-escalate"' not in bar(html) and "Case escalated" in html
    html = act(admin_client, merchant, rating, status="resolved").content.decode()
    assert ">Resolved<" in bar(html) and "Reopen" in bar(html) and "Resolve<" not in bar(html)
    assert "Case resolved" in html
    html = act(admin_client, merchant, rating, status="open").content.decode()
    assert ">Open<" in bar(html) and "Case reopened" in html
    html = act(admin_client, merchant, rating, owner="").content.decode()
    assert "Case unassigned" in html
    assert log_lines(html) == [
        "Ana Admin changed the priority to Critical", "Ana Admin assigned Pedro Agente",
        "Ana Admin escalated the case", "Ana Admin resolved the case", "Ana Admin reopened the case",
        "Ana Admin unassigned the case",
    ]
    stored = Rating.objects.get(pk=rating.pk)
    assert (stored.status, stored.priority, stored.owner_id) == ("open", "critical", None)


def test_an_owner_who_cannot_see_the_branch_is_refused_and_nothing_changes_CASE_3(make, merchant, admin_client):
    sur = make.branch(merchant, "Sur")
    outsider = named(make, merchant, "Sofía Sur", "staff", branches=[sur])
    rating = make.rating(merchant, 3, "Frío")  # in the merchant's first branch, not Sur
    html = act(admin_client, merchant, rating, owner=str(outsider.pk)).content.decode()
    assert 'id="case-error" role="alert"' in html and "Choose a member who can see this rating" in html
    assert 'class="toast toast-error"' in html
    assert ">Sofía Sur</option>" not in html  # not offered either
    assert Rating.objects.get(pk=rating.pk).owner_id is None
    assert not CaseEvent.objects.filter(rating=rating).exists()


@pytest.mark.parametrize("data", [{"status": "closed"}, {"priority": "urgent"}, {"owner": "abc"}, {"status": ""},
                                  {"owner": "999999999"}, {}])
def test_invalid_changes_are_refused_and_write_nothing(make, merchant, admin_client, data):
    rating = make.rating(merchant, 3, "Frío")
    html = act(admin_client, merchant, rating, **data).content.decode()
    assert 'id="case-error" role="alert"' in html
    stored = Rating.objects.get(pk=rating.pk)
    assert (stored.status, stored.priority, stored.owner_id) == ("new", "high", None)
    assert not CaseEvent.objects.filter(rating=rating).exists()


def test_without_htmx_an_action_redirects_back_to_the_rating(make, merchant, admin, admin_client):
    rating = make.rating(merchant, 3, "Frío")
    response = admin_client.post(url(merchant, rating, "case/") + "?sort=score", {"owner": "me"})
    assert response.status_code == 302 and response["Location"] == url(merchant, rating) + "?sort=score"
    assert Rating.objects.get(pk=rating.pk).owner_id == admin.pk
    response = admin_client.post(url(merchant, rating, "case/"), {"status": "bogus"}, follow=True)
    assert "Select a valid choice" in response.content.decode()


def test_restricted_member_offers_and_assigns_only_members_of_the_branch_CASE_3_TEN_5(make, merchant, client):
    norte = make.branch(merchant, "Norte")
    sur = make.branch(merchant, "Sur")
    me = named(make, merchant, "Nora Norte", "staff", branches=[norte])
    colleague = named(make, merchant, "Nico Norte", "staff", branches=[norte])
    outsider = named(make, merchant, "Sofía Sur", "staff", branches=[sur])
    rating = make.rating(merchant, 2, "Malo", branch=norte)
    theirs = make.rating(merchant, 2, "Malo", branch=sur)
    client.force_login(me)
    html = bar(client.get(url(merchant, rating)).content.decode())
    assert ">Nico Norte</option>" in html and ">Ana Admin" not in html  # the admin sees every branch
    assert "Sofía Sur" not in html
    assert 'role="alert"' in act(client, merchant, rating, owner=str(outsider.pk)).content.decode()
    assert Rating.objects.get(pk=rating.pk).owner_id is None
    act(client, merchant, rating, owner=str(colleague.pk))
    assert Rating.objects.get(pk=rating.pk).owner_id == colleague.pk
    assert act(client, merchant, theirs, owner="me").status_code == 404  # not their branch (TEN-3)
    assert client.post(url(merchant, theirs, "note/"), {"body": "x"}, **HX).status_code == 404


def test_members_for_branch_is_one_statement_and_fails_closed(make, merchant, django_assert_num_queries):
    from django.http import Http404

    from merchants.access import Access
    from merchants.models import Membership
    from merchants.selectors import members_for_branch

    norte, sur = make.branch(merchant, "Norte"), make.branch(merchant, "Sur")
    named(make, merchant, "Nora Norte", "staff", branches=[norte, sur])
    named(make, merchant, "Sofía Sur", "staff", branches=[sur])
    named(make, merchant, "Zoe Agente")
    access = Access.member(Membership.objects.get(user__full_name="Sofía Sur"), merchant)
    with django_assert_num_queries(1):
        names = [m.user.get_full_name() for m in members_for_branch(access=access, branch_id=sur.pk)]
    assert names == ["admin-la-arepa@example.com", "Nora Norte", "Sofía Sur", "Zoe Agente"]
    with pytest.raises(Http404):
        members_for_branch(access=access, branch_id=norte.pk)


def test_a_note_is_added_shown_apart_and_never_reaches_the_customer_CASE_4(make, merchant, admin_client, client):
    rating = make.rating(merchant, 2, "Pésimo servicio")
    emails = OutgoingEmail.objects.count()
    response = admin_client.post(url(merchant, rating, "note/"), {"body": "Llamar al gerente\nmañana"},
                                 HTTP_HX_TARGET="conversation", **HX)
    html = response.content.decode()
    assert response.status_code == 200
    note = Message.objects.get(rating=rating, author_kind="note")
    item = re.search(rf'<li class="msg msg-note" id="message-{note.pk}">.*?</li>', html, re.S).group(0)
    assert "Internal note" in item and "Ana Admin" in item and "Llamar al gerente<br>mañana" in item
    assert 'id="mode-note" value="note" class="mode-input" checked' in html  # stays in note mode
    assert "Note added. Only your team sees it." in html
    assert OutgoingEmail.objects.count() == emails
    stored = Rating.objects.get(pk=rating.pk)
    assert (stored.replies_count, stored.status, stored.needs_reply) == (0, "new", True)
    page = client.get(urlparse(conversation_url(rating)).path).content.decode()
    assert "Pésimo servicio" in page and "Llamar al gerente" not in page and "Internal note" not in page
    # The opened rating shows it too, once (its log event is the note itself).
    opened = admin_client.get(url(merchant, rating)).content.decode()
    assert opened.count("Llamar al gerente") == 1 and log_lines(opened) == []


def test_an_empty_note_is_refused_and_written_nowhere_CASE_4(make, merchant, admin_client):
    rating = make.rating(merchant, 2, "Pésimo servicio")
    html = admin_client.post(url(merchant, rating, "note/"), {"body": "   "}, HTTP_HX_TARGET="conversation",
                             **HX).content.decode()
    assert 'id="note-error" role="alert"' in html and 'class="toast' not in html
    assert not Message.objects.filter(rating=rating, author_kind="note").exists()
    assert admin_client.post(url(merchant, rating, "note/"), {"body": "   "}).status_code == 302


def test_log_lines_run_between_messages_by_time_CASE_5(make, merchant, admin, admin_client):
    pedro = named(make, merchant, "Pedro Agente")
    rating = make.rating(merchant, 3, "Primero", created_at=timezone.now() - dt.timedelta(hours=2))
    act(admin_client, merchant, rating, owner=str(pedro.pk))
    rating_reply(merchant=merchant, rating=Rating.objects.get(pk=rating.pk), author=admin, body="Segundo")
    act(admin_client, merchant, rating, status="resolved")
    customer_message_add(merchant=merchant, rating=Rating.objects.get(pk=rating.pk), body="Tercero")
    html = admin_client.get(url(merchant, rating)).content.decode()
    thread = re.search(r'<ol id="thread".*?</ol>', html, re.S).group(0)
    order = ["Primero", "Ana Admin assigned Pedro Agente", "Segundo", "Ana Admin changed the status to Open",
             "Ana Admin resolved the case", "Tercero", "System reopened the case"]
    positions = [thread.index(text) for text in order]
    assert positions == sorted(positions)
    assert re.search(r'class="log-line" id="event-\d+"><span class="log-text">System reopened the case</span> · '
                     r'<time datetime="[^"]+">', thread)
    assert "case-status-open" in bar(html)  # the customer's message reopened it (CASE-1)


def test_log_lines_in_spanish_CASE_5(make, merchant, client):
    ana = make.admin(merchant)
    ana.full_name, ana.language = "Ana", "es"
    ana.save(update_fields=["full_name", "language"])
    pedro = make.member(merchant, "agent")
    pedro.full_name = "Pedro"
    pedro.save(update_fields=["full_name"])
    rating = make.rating(merchant, 3, "Frío")
    client.force_login(ana)
    act(client, merchant, rating, owner=str(pedro.pk))
    html = act(client, merchant, rating, priority="critical").content.decode()
    assert log_lines(html) == ["Ana asignó a Pedro", "Ana cambió la prioridad a Crítica"]
    assert "Prioridad: Crítica" in html
    page = client.get(url(merchant, rating)).content.decode()
    assert ">Nuevo<" in bar(page) and "A tiempo" in bar(page) and "Asignarme" in bar(page)
    assert "Nota interna" in page and "Responder al cliente" in page and "Solo la ve tu equipo" in page


def test_the_sla_chip_follows_the_target_SLA_2(make, merchant, admin, admin_client):
    late = make.rating(merchant, 2, "Hace rato", created_at=timezone.now() - dt.timedelta(hours=30))
    assert "sla-breached" in bar(admin_client.get(url(merchant, late)).content.decode())
    risky = make.rating(merchant, 2, "Hace poco", created_at=timezone.now() - dt.timedelta(hours=20))
    assert "sla-at_risk" in bar(admin_client.get(url(merchant, risky)).content.decode())
    rating_reply(merchant=merchant, rating=Rating.objects.get(pk=late.pk), author=admin, body="Perdón")
    assert "Answered late" in bar(admin_client.get(url(merchant, late)).content.decode())
    html = admin_client.post(url(merchant, risky, "reply/"), {"body": "Hola"}, HTTP_HX_TARGET="conversation",
                             **HX).content.decode()
    refreshed = re.search(r'<section id="case-bar"[^>]*hx-swap-oob="true".*?</section>', html, re.S).group(0)
    assert "Answered in time" in refreshed and "case-status-open" in refreshed  # the reply opened it


def test_other_merchants_rating_is_404(make, merchant, other_merchant, admin_client):
    foreign = make.rating(other_merchant, 2, "ajeno")
    assert act(admin_client, merchant, foreign, owner="me").status_code == 404
    assert admin_client.post(url(merchant, foreign, "note/"), {"body": "x"}, **HX).status_code == 404
    assert not CaseEvent.objects.filter(rating=foreign).exists()


def test_the_opened_rating_does_not_grow_with_its_log_and_notes(make, merchant, admin, admin_client):
    pedro = named(make, merchant, "Pedro Agente")
    quiet = make.rating(merchant, 3, "Frío")
    busy = make.rating(merchant, 3, "Frío")
    admin_client.get(url(merchant, quiet))
    admin_client.get(url(merchant, busy))  # both read, as the count below reads them again
    for owner in (str(pedro.pk), "me", ""):
        act(admin_client, merchant, busy, owner=owner)
    for status in ("escalated", "resolved", "open"):
        act(admin_client, merchant, busy, status=status)
    for body in ("uno", "dos"):
        admin_client.post(url(merchant, busy, "note/"), {"body": body}, HTTP_HX_TARGET="conversation", **HX)

    def count(rating):
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get(url(merchant, rating)).status_code == 200
        return len(context.captured_queries)

    assert count(busy) == count(quiet)


def test_the_poll_redraws_bar_and_log_when_the_customer_reopens_CASE_1_CASE_5(make, merchant, admin_client):
    rating = make.rating(merchant, 3, "Frío")
    act(admin_client, merchant, rating, status="resolved")
    customer_message_add(merchant=merchant, rating=Rating.objects.get(pk=rating.pk), body="Sigue igual")
    html = admin_client.get(f"/m/{merchant.slug}/inbox/poll/", {"open": rating.pk, "sig": "old"},
                            HTTP_HX_TARGET="poller", **HX).content.decode()
    refreshed = re.search(r'<section id="case-bar"[^>]*hx-swap-oob="true".*?</section>', html, re.S).group(0)
    assert "case-status-open" in refreshed and "Reopen" not in refreshed
    assert log_lines(html) == ["Ana Admin resolved the case", "System reopened the case"]


def test_a_case_change_answers_its_row_counters_and_poller_so_the_next_poll_has_nothing_new_CASE_3(
        make, merchant, admin_client):
    """The answer carries the rating's row, the counters and the poller's new signature out of band: the
    next poll finds nothing to redraw (204), so it cannot wipe a refusal the bar is showing."""
    rating = make.rating(merchant, 4, "Demora")
    html = act(admin_client, merchant, rating, owner="me").content.decode()
    assert f'<li id="row-{rating.pk}"' in html and 'id="counters"' in html
    signature = re.search(r'<div id="poller"[^>]*hx-swap-oob="true"[^>]*hx-vals=\'\{"sig": "([^"]+)"\}\'', html).group(1)
    poll = admin_client.get(f"/m/{merchant.slug}/inbox/poll/", {"open": rating.pk, "sig": signature},
                            HTTP_HX_TARGET="poller", **HX)
    assert poll.status_code == 204
    refused = act(admin_client, merchant, rating, owner="999999").content.decode()
    assert 'id="case-error"' in refused
    signature = re.search(r'<div id="poller"[^>]*hx-vals=\'\{"sig": "([^"]+)"\}\'', refused).group(1)
    assert admin_client.get(f"/m/{merchant.slug}/inbox/poll/", {"open": rating.pk, "sig": signature},
                            HTTP_HX_TARGET="poller", **HX).status_code == 204
