"""Headless Chromium against pytest-django's live server: one browser per session.

Pages open logged in through open_page (tests/conftest.py): no test spends time on the
login form except the one that tests it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from tests.notifications.fixtures import delivery, redis_server, smtp_sink  # noqa: F401 - e-mails delivered for real

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session")
def browser(chromium):
    return chromium


def screenshot(page, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if full_page:  # a toast is fixed to the viewport: in a capture of the whole page it would float mid-page
        page.evaluate("() => document.getElementById('toast')?.replaceChildren()")
    page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page, animations="disabled", caret="initial")



def htmx_settled(page, selector: str) -> None:
    """Waits until htmx has taken in the element it swapped in (its triggers are attached after the
    swap settles, about 20 ms after the new HTML shows) and no request is in flight: a change made
    before that would reach no listener (a person is never that quick; a test is)."""
    page.wait_for_function(
        """sel => { const e = document.querySelector(sel); const own = e && e.closest('[hx-post],[hx-get]');
                    return own && own['htmx-internal-data'] && own['htmx-internal-data'].initHash
                           && !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping'); }""",
        arg=selector)

def choice_shows_whole(select) -> bool:
    """Whether a <select> shows its chosen option's text whole (its padding and arrow beside it), as
    measured with the select's own font: "Todas las sucursales" must not read "Todas las sucurs"."""
    return select.evaluate("""s => {
        const probe = document.createElement('span');
        probe.style.font = getComputedStyle(s).font;
        probe.textContent = s.options[s.selectedIndex].text;
        document.body.append(probe);
        const text = probe.getBoundingClientRect().width;
        probe.remove();
        return text + parseFloat(getComputedStyle(s).paddingLeft) + 24 <= s.clientWidth;
    }""")

PEOPLE = [
    ("María Fernanda López", 10, "¡La mejor bandeja paisa de la ciudad! El servicio fue rápido y muy amable."),
    ("José Pérez", 3, "Esperamos 40 minutos y la comida llegó fría. Nadie nos explicó la demora."),
    ("Pedro Perea", 8, None),
    ("Ana Ruiz", 9, "Muy rico todo, volveremos pronto con la familia."),
    ("Carlos Gómez", 6, "El mesero olvidó la limonada dos veces."),
    ("Lucía Martínez", 7, None),
    ("Andrés Castillo", 2, "Me cobraron un plato que no pedí."),
    ("Valentina Rojas", 10, None),
    ("Sofía Herrera", 9, "Excelente atención de Camila en caja."),
    ("Diego Ramírez", 5, None),
    ("Camila Torres", 8, "Buen sabor, pero el local estaba lleno y ruidoso."),
    ("Juan Esteban Díaz", 4, "Las arepas estaban crudas por dentro."),
]


@pytest.fixture
def seeded(make, acting_for):
    """A merchant with two branches and a dozen ratings, as a real inbox looks."""
    from customers.services import InvoiceLineInput
    from ratings.services import quick_reply_create, rating_mark_read, rating_reply

    merchant = make.merchant("la-arepa", name="La Arepa Dorada")
    acting_for(merchant)
    norte = make.branch(merchant, "Norte")
    from merchants.models import Branch

    principal = Branch.objects.get(merchant=merchant, name="Principal")
    admin = make.admin(merchant)
    admin.full_name = "Laura Gerente"
    admin.language = "en"  # the tests find controls by their English names; Spanish is tested apart
    admin.save(update_fields=["full_name", "language"])
    from django.utils import timezone

    now = timezone.now()
    ratings = []
    for index, (name, score, comment) in enumerate(PEOPLE):
        customer = make.customer(merchant, name, email=f"cliente{index}@example.com", phone=f"+57 300 555 01{index:02d}",
                                 document_id=f"CC 1020{index:04d}")
        created = now - dt.timedelta(hours=3 * index + 1, minutes=7 * index)
        lines = [InvoiceLineInput("Bandeja paisa", Decimal("2"), Decimal("32900"), Decimal("65800")),
                 InvoiceLineInput("Limonada de coco", Decimal("2"), Decimal("9500"), Decimal("19000"))]
        visit = make.visit(merchant, customer=customer, branch=norte if index % 3 == 1 else principal,
                           visited_at=created - dt.timedelta(hours=1), total="84800", lines=lines)
        from intake.services import rating_received

        ratings.append(rating_received(merchant=merchant, visit=visit, score=score, comment=comment, created_at=created))
    jose = ratings[1].customer
    earlier = make.visit(merchant, customer=jose, branch=principal, visited_at=now - dt.timedelta(days=20), total="45900")
    from intake.services import rating_received as create

    create(merchant=merchant, visit=earlier, score=6, comment="La sopa estaba salada.",
           created_at=now - dt.timedelta(days=20) + dt.timedelta(hours=1))
    for rating in ratings[5:9]:
        rating_mark_read(merchant=merchant, rating=rating)
    rating_reply(merchant=merchant, rating=ratings[3], author=admin,
                 body="¡Gracias, Ana!\nLos esperamos pronto.")
    quick_reply_create(merchant=merchant, title="Disculpa por la demora",
                       body="Hola, lamentamos mucho la espera. Queremos compensarte en tu próxima visita.")
    quick_reply_create(merchant=merchant, title="Gracias", body="¡Gracias por tu calificación!")
    return {"merchant": merchant, "admin": admin, "ratings": ratings, "norte": norte, "principal": principal}
