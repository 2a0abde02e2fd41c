"""The staff e-mail composer (SLA-6): the member's language, text and HTML alike, the link to what it
is about and the one-click stop of its kind, in the footer and as List-Unsubscribe."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext_lazy

from merchants.models import Membership
from notifications.links import read_stop_token
from notifications.models import OutgoingEmail
from notifications.staff import (
    StaffEmailFigure,
    StaffEmailItem,
    StaffEmailSection,
    staff_email_compose,
    staff_email_record,
)

pytestmark = pytest.mark.django_db
Kind = OutgoingEmail.Kind


def _membership(merchant, user):
    return Membership.objects.select_related("user").get(merchant=merchant, user=user)


def _compose(merchant, membership, kind=Kind.ASSIGNED, **extra):
    return staff_email_compose(
        merchant=merchant, membership=membership, kind=kind, subject="Case #7 is yours",
        heading="Ana assigned you a case", lines=["Answer the customer <soon>."],
        items=[StaffEmailItem(text="#7 · José Pérez · Centro", url="https://x.test/m/r/7/", score=3,
                              detail="Frío & tarde")],
        link_url="https://x.test/m/la-arepa/inbox/7/", link_label=gettext_lazy("Open the rating"), **extra)


def test_composes_text_and_html_in_the_members_language_with_the_stop_link_SLA_6(merchant, make):
    user = make.member(merchant, "agent")
    user.language = "en"
    user.save(update_fields=["language"])
    membership = _membership(merchant, user)
    email = _compose(merchant, membership)
    link = read_stop_token(email.list_unsubscribe.rstrip("/").rsplit("/", 1)[-1])
    assert (link.membership_id, link.kind) == (membership.pk, Kind.ASSIGNED)
    assert email.subject == "Case #7 is yours"
    assert email.body_text.startswith("Ana assigned you a case\n\nAnswer the customer <soon>.\n")
    assert "- #7 · José Pérez · Centro\n  Frío & tarde\n  https://x.test/m/r/7/" in email.body_text
    assert "Open the rating: https://x.test/m/la-arepa/inbox/7/" in email.body_text
    assert f"Stop e-mails when a case is assigned to you or escalated: {email.list_unsubscribe}" in email.body_text
    assert "You receive this e-mail as a member of La Arepa Dorada." in email.body_text
    html = email.body_html
    assert '<html lang="en">' in html and f'href="{email.list_unsubscribe}"' in html
    assert "Answer the customer &lt;soon&gt;." in html and "Frío &amp; tarde" in html  # escaped
    assert 'href="https://x.test/m/la-arepa/inbox/7/"' in html and ">Open the rating</a>" in html
    assert "background:#fee2e2" in html  # the detractor's band colour on its score
    assert "/settings/notifications/" in html and "<style" not in html and "class=" not in html


def test_sections_of_figures_and_items_follow_the_items_in_text_and_html_SLA_5(merchant, make):
    membership = _membership(merchant, make.member(merchant, "agent"))
    section = StaffEmailSection(
        title="Waiting now", figures=[StaffEmailFigure("open cases", "4"),
                                      StaffEmailFigure("overdue cases", "2", url="https://x.test/o/", alert=True)],
        items=[StaffEmailItem(text="#8 · Ana · Norte", url="https://x.test/m/r/8/", score=2)],
        note="…and 3 more", note_url="https://x.test/d/")
    email = _compose(merchant, membership, Kind.DIGEST, sections=[section])
    assert ("  https://x.test/m/r/7/\n\nWaiting now:\n- open cases: 4\n- overdue cases: 2 (https://x.test/o/)\n"
            "- #8 · Ana · Norte\n  https://x.test/m/r/8/\n…and 3 more: https://x.test/d/\n\n") in email.body_text
    html = email.body_html
    assert html.index("#7 · José Pérez") < html.index("Waiting now") < html.index("#8 · Ana") < html.index("/la-arepa/inbox/7/")
    assert 'href="https://x.test/o/"' in html and 'href="https://x.test/d/"' in html and "#7f1d1d" in html


def test_the_same_email_for_a_spanish_member_is_in_spanish_SLA_6(merchant, make):
    user = make.member(merchant, "staff")
    assert user.language == "es"
    email = _compose(merchant, _membership(merchant, user), kind=Kind.NEW_DETRACTOR)
    assert '<html lang="es">' in email.body_html and "Abrir la calificación" in email.body_html
    assert "Recibes este correo como miembro de La Arepa Dorada." in email.body_text
    assert "Dejar de recibir correos sobre nuevos detractores y el resumen diario" in email.body_text
    assert "Open the rating" not in email.body_html + email.body_text


def test_recording_writes_one_row_per_kind_and_key_for_the_member_SLA_6(merchant, make):
    user = make.member(merchant, "agent")
    membership = _membership(merchant, user)
    values = dict(merchant=merchant, membership=membership, kind=Kind.ASSIGNED, dedupe_key="rating:7:assigned:1",
                  subject="s", heading="h", link_url="https://x.test/", link_label="Open")
    first = staff_email_record(**values)
    assert staff_email_record(**values) is None
    assert (first.user_id, first.to_address, first.customer_id) == (user.pk, user.email, None)
    assert first.list_unsubscribe and first.body_html
    with pytest.raises(ValueError):
        staff_email_record(**{**values, "kind": Kind.STAFF_REPLY})
