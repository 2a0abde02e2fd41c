"""`manage.py seed_demo`: a realistic demo — two merchants, branches, members, a few
thousand ratings over 90 days with Spanish names, comments, threads and gifts — and
prints the logins. Everything goes through the same services as the product.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from unittest import mock

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from customers.services import InvoiceLineInput, customer_upsert
from gifts.models import GiftGrant
from gifts.services import gift_create, gift_grant, grant_redeem
from intake.services import rating_received, visit_arrived
from merchants import tenancy
from merchants.access import Access
from merchants.models import Branch, Merchant
from merchants.services import branch_create, member_add, merchant_create
from notifications.models import OutgoingEmail
from ratings.cases import case_update, first_response_target
from ratings.followup import followup_request
from ratings.models import Rating
from ratings.services import (
    autoreply_message_add,
    customer_message_add,
    followup_answer,
    note_add,
    quick_reply_create,
    rating_mark_read,
    rating_reply,
)

PASSWORD = "demo1234"

FIRST_NAMES = [
    "José", "María", "Ángela", "Andrés", "Sofía", "Valentina", "Camilo", "Martín", "Lucía", "Iñaki",
    "Begoña", "Óscar", "Julián", "Mónica", "Raúl", "Nicolás", "Paula", "Sebastián", "Daniela", "Tomás",
    "Ximena", "Álvaro", "Inés", "Joaquín", "Verónica", "Héctor", "Zoe", "Matías", "Renata", "Ramón",
    "Pedro", "Juan", "Ana", "Luis", "Carmen", "Jesús", "Alejandra", "Felipe", "Gabriela", "Íñigo",
]
LAST_NAMES = [
    "Pérez", "Peña", "Núñez", "Muñoz", "Gómez", "Rodríguez", "Martínez", "Hernández", "López", "García",
    "Sánchez", "Ramírez", "Ordóñez", "Castaño", "Ibáñez", "Perea", "Pereira", "Quiñones", "Álvarez", "Díaz",
    "Jiménez", "Ruiz", "Vargas", "Ocampo", "Londoño", "Zúñiga", "Echeverría", "Salazar", "Montaña", "Cañas",
]
PRAISE = [
    "¡Excelente atención! Volveremos pronto.",
    "La comida estaba deliciosa y el servicio muy rápido.",
    "Muy buena experiencia, el mesero fue muy amable.",
    "Todo perfecto, como siempre.",
]
NEUTRAL = [
    "Bien en general, pero tardaron un poco en traer la cuenta.",
    "La comida buena, el lugar algo ruidoso.",
    "Correcto, aunque esperaba un poco más por el precio.",
]
COMPLAINTS = [
    "Esperamos más de 40 minutos por la comida y llegó fría.",
    "El pedido llegó incompleto y nadie nos dio una solución.",
    "La mesa estaba sucia y el baño no tenía papel.",
    "Me cobraron dos veces el mismo producto en la factura.",
    "El mesero fue grosero cuando pedimos cambiar un plato.",
]
CUSTOMER_FOLLOW_UPS = [
    "Gracias por responder. Espero que mejoren.",
    "Sí, fue el sábado en la noche, éramos seis personas.",
    "Les agradezco el detalle, volveré a darles otra oportunidad.",
]
# The first staff answer, by band.
STAFF_REPLIES = {
    "detractor": [
        "Hola {name}, lamentamos mucho lo ocurrido. ¿Nos cuentas un poco más para mejorar?",
        "Hola {name}, gracias por avisarnos. Ya lo hablamos con el equipo de la sucursal y no se repetirá.",
        "Hola {name}, qué pena contigo. Te escribimos para ofrecerte una solución: ¿nos dejas tu número?",
    ],
    "passive": [
        "Hola {name}, gracias por tus comentarios. Ya lo hablamos con el equipo de la sucursal.",
        "Gracias, {name}. Tomamos nota para que la próxima visita sea de diez.",
    ],
    "promoter": [
        "¡Gracias, {name}! Nos alegra que hayas disfrutado tu visita.",
        "¡Qué bueno leerte, {name}! Te esperamos pronto.",
    ],
}
THANKS = [
    "¡Gracias a ti, {name}! Te esperamos pronto.",
    "Con gusto, {name}. Cualquier cosa nos escribes por aquí.",
]
# The customer writes again on a resolved case (CASE-1: it reopens).
CUSTOMER_AGAIN = [
    "Volví ayer y pasó exactamente lo mismo.",
    "Todavía no veo el reembolso en mi tarjeta.",
    "Les escribo de nuevo porque nadie me llamó como quedaron.",
]
# Internal notes (CASE-4): what the team tells itself about a case.
NOTES = [
    "Llamé al cliente; no contestó. Vuelvo a intentar en la tarde.",
    "Revisé las cámaras del sábado con el gerente de la sucursal.",
    "Cliente frecuente: darle seguimiento personal.",
    "Hablé con cocina: el plato salió tarde por falta de personal en el turno.",
    "Se verificó en caja el cobro duplicado; procede el reembolso.",
]
ESCALATION_NOTES = [
    "Escalo a administración: pide reembolso completo.",
    "Escalo: el cliente amenaza con poner una queja formal.",
]
UNREACHABLE_NOTE = "Sin correo ni comentario: lo llamamos por teléfono y quedó atendido."
PRODUCTS = [
    ("Bandeja paisa", Decimal("38900")), ("Ajiaco santafereño", Decimal("32500")),
    ("Arepa de choclo", Decimal("12900")), ("Limonada de coco", Decimal("9800")),
    ("Jugo de lulo", Decimal("7500")), ("Empanadas (6)", Decimal("14500")),
    ("Café tinto", Decimal("4200")), ("Postre de natas", Decimal("11800")),
]

MERCHANTS = [
    {
        "slug": "la-arepa-dorada", "name": "La Arepa Dorada", "timezone": "America/Bogota",
        "currency": "COP", "language": "es", "branches": ["Chapinero", "Usaquén", "Centro Histórico"],
        "ratings": 1600, "customers": 450, "domain": "arepa.demo",
    },
    {
        "slug": "cafe-nunez", "name": "Café Núñez", "timezone": "America/Mexico_City",
        "currency": "MXN", "language": "es", "branches": ["Coyoacán", "Roma Norte", "Polanco"],
        "ratings": 900, "customers": 300, "domain": "cafe.demo",
    },
]


# One step of a rating's story: (time since it arrived, what happens, who does it, with what).
Step = tuple[dt.timedelta, str, object, object]


def _hours(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(hours=rng.uniform(low, high))


@contextlib.contextmanager
def _clock(moment: dt.datetime):
    """The services stamp every write with timezone.now() (messages, case log, first response,
    audit): during a story step it is the step's moment, so three months of follow-up read
    as they would have happened, SLA met or missed included."""
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


@contextlib.contextmanager
def _without_savepoints():
    """A merchant is seeded in one transaction, all or nothing, where no service has an error
    to recover from (a clash of random gift codes, the one error retried, is a 1-in-10^14
    chance): the SAVEPOINT and RELEASE around every service call, a third of the demo's
    statements, buy nothing here."""
    with mock.patch.object(connection.features, "uses_savepoints", False):
        yield


@dataclass
class _Team:
    """A demo merchant, its members and what its ratings' stories need."""

    merchant: Merchant
    admin: object
    agent: object
    staff: object
    staff_branch_ids: set[int] | None  # None: the staff member sees every branch
    rng: random.Random
    now: dt.datetime

    @cached_property
    def access(self) -> Access:
        return Access.system(self.merchant)

    def owners_for(self, branch_id: int) -> list:
        """CASE-3: the members who may own a case of this branch, agents the likeliest."""
        owners = [self.admin, self.agent, self.agent]
        if self.staff_branch_ids is None or branch_id in self.staff_branch_ids:
            owners += [self.staff, self.staff]
        return owners


class Command(BaseCommand):
    help = "Create two demo merchants with members, ratings, threads, cases and gifts, and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the demo exists.")
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply the number of ratings.")

    def handle(self, *args, **opts):
        exists = Merchant.objects.filter(slug__in=[m["slug"] for m in MERCHANTS]).exists()
        if exists and opts["if_empty"]:
            self.stdout.write("Demo data already present.")
        elif exists:
            self.stderr.write("Demo merchants already exist; nothing created.")
        else:
            rng = random.Random(2026)
            for spec in MERCHANTS:
                self._seed_merchant(spec, rng, opts["scale"])
        self._print_logins()

    def _print_logins(self):
        self.stdout.write(f"\nDemo logins (password for all: {PASSWORD}):")
        for spec in MERCHANTS:
            d = spec["domain"]
            self.stdout.write(f"  {spec['name']:18} admin@{d}  agent@{d}  staff@{d}")
        self.stdout.write(f"  (staff@{MERCHANTS[0]['domain']} sees only the branch {MERCHANTS[0]['branches'][0]})")
        self.stdout.write("  Both merchants: owner@multi.demo")
        self.stdout.write("  Open http://127.0.0.1:8000/ and log in.\n")

    def _seed_merchant(self, spec, rng, scale):

        domain = spec["domain"]
        merchant = merchant_create(
            slug=spec["slug"], name=spec["name"], admin_email=f"admin@{domain}",
            admin_password=PASSWORD, timezone_name=spec["timezone"], currency=spec["currency"],
            language=spec["language"],
        )
        self.stdout.write(f"Seeding {merchant.name}…")
        with tenancy.tenant(merchant.pk), transaction.atomic(), _without_savepoints():
            branches = [Branch.objects.get(merchant=merchant, name="Principal")]
            branches += [branch_create(merchant=merchant, name=name) for name in spec["branches"]]
            admin = member_add(merchant=merchant, email=f"admin@{domain}", password=PASSWORD, role="admin",
                               full_name="Administradora Demo").user
            admin.full_name = admin.full_name or "Administradora Demo"
            admin.save(update_fields=["full_name"])
            agent = member_add(merchant=merchant, email=f"agent@{domain}", password=PASSWORD, role="agent",
                               full_name="Agente de Servicio").user
            staff_branch_ids = {branches[1].id} if spec is MERCHANTS[0] else None
            staff = member_add(merchant=merchant, email=f"staff@{domain}", password=PASSWORD, role="staff",
                               full_name="Personal de Sucursal",
                               branch_ids=sorted(staff_branch_ids) if staff_branch_ids else None).user
            member_add(merchant=merchant, email="owner@multi.demo", password=PASSWORD, role="admin",
                       full_name="Dueña de Varios Comercios")
            quick_reply_create(merchant=merchant, title="Disculpa", actor=admin,
                               body="Hola, lamentamos mucho tu experiencia. ¿Nos cuentas qué pasó?")
            quick_reply_create(merchant=merchant, title="Gracias", actor=admin,
                               body="¡Muchas gracias por tu calificación! Te esperamos pronto.")

            customers = []
            for n in range(spec["customers"]):
                first = rng.choice(FIRST_NAMES)
                full_name = f"{first} {rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"
                customers.append(customer_upsert(
                    merchant=merchant, external_id=f"CLI-{n:05d}", full_name=full_name,
                    email=None if n % 9 == 0 else f"cliente{n}@{domain}",
                    phone=f"+57 3{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                    document_id=str(rng.randint(10_000_000, 1_099_999_999)),
                    birth_date=dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                ))

            team = _Team(merchant=merchant, admin=admin, agent=agent, staff=staff,
                         staff_branch_ids=staff_branch_ids, rng=rng, now=timezone.now())
            total = int(spec["ratings"] * scale)
            for n in range(total):
                customer = rng.choice(customers)
                branch = rng.choice(branches)
                visited_at = team.now - dt.timedelta(days=90 * (1 - n / total), minutes=rng.randint(30, 300))
                score = rng.choices(range(1, 11), weights=[3, 2, 3, 3, 4, 5, 8, 12, 20, 22])[0]
                pool = PRAISE if score >= 9 else NEUTRAL if score >= 7 else COMPLAINTS
                comment = rng.choice(pool) if rng.random() < 0.4 else None
                created_at = min(visited_at + dt.timedelta(minutes=rng.randint(10, 600)), team.now)
                rating = self._rating(team, f"{branch.id}-{n:06d}", branch, customer, visited_at, score, comment,
                                      created_at)
                plan = self._case_plan(team, rating) if score <= 6 else self._reply_plan(team, rating)
                self._play(team, rating, plan)
            showcase = self._showcase(team, branches[1], customers)
            self._seed_gifts(team)
            showcase += self._recovery_stories(team, branches)
            showcase += self._lapsed_regulars(team, branches)
            self._followup_answers(team)
            # The demo's outgoing e-mails are history, not news: do not send them at start-up.
            OutgoingEmail.objects.filter(merchant=merchant).update(status="sent", sent_at=team.now)
        self.stdout.write(f"  {total + showcase} ratings for {merchant.name}.")

    def _rating(self, team, invoice, branch, customer, visited_at, score, comment, created_at):
        rng, merchant = team.rng, team.merchant
        lines = []
        for description, price in rng.sample(PRODUCTS, rng.randint(1, 4)):
            quantity = Decimal(rng.randint(1, 3))
            lines.append(InvoiceLineInput(description, quantity, price, price * quantity))
        visit = visit_arrived(
            merchant=merchant, branch=branch, customer=customer, visited_at=visited_at,
            invoice_number=invoice, invoice_total=sum(li.line_total for li in lines),
            currency=merchant.currency, lines=lines,
        )
        return rating_received(merchant=merchant, visit=visit, score=score, comment=comment, created_at=created_at)

    def _case_plan(self, team, rating) -> list[Step]:
        """A detractor's case (CASE-1..5, SLA-2): assigned, sometimes re-prioritised or noted,
        answered mostly within the target, some escalated, most resolved, a few reopened by the
        customer writing again. Steps still in the future are what is left to do today."""
        rng = team.rng
        name = rating.customer.full_name.split()[0]
        reachable = rating.comment is not None or rating.customer.email is not None
        target = rating.due_at - rating.case_opened_at
        steps: list[Step] = []
        t = dt.timedelta(0)
        if rating.comment is None and rating.customer.email and rng.random() < 0.5:
            t += dt.timedelta(minutes=rng.randint(5, 30))
            steps.append((t, "auto", None, f"Hola {name}, sentimos que tu visita no fuera la mejor. "
                                           "¿Nos cuentas qué pasó?"))
        handler = rng.choice([team.admin, team.agent])
        if rng.random() < 0.8:
            owner = rng.choice(team.owners_for(rating.branch_id))
            by = owner if owner is not team.admin and rng.random() < 0.5 else team.admin  # "assign to me"
            t += _hours(rng, 0.1, 4)
            steps.append((t, "assign", by, owner.pk))
            handler = owner
        if (rating.score <= 2 and rng.random() < 0.3) or (rating.score >= 5 and rng.random() < 0.15):
            t += _hours(rng, 0.2, 3)
            steps.append((t, "priority", handler, "critical" if rating.score <= 2 else "low"))
        if rng.random() < 0.3:
            t += _hours(rng, 0.3, 8)
            steps.append((t, "note", handler, rng.choice(NOTES)))
        roll = rng.random()
        if roll < 0.72:
            answer = target * rng.uniform(0.05, 0.9)
        elif roll < 0.92:
            answer = target + _hours(rng, 1, 36)
        else:
            answer = dt.timedelta(days=rng.uniform(2, 6))
        t = max(t + dt.timedelta(minutes=5), answer)
        if reachable:
            steps.append((t, "reply", handler, rng.choice(STAFF_REPLIES["detractor"]).format(name=name)))
        else:
            steps.append((t, "note", handler, UNREACHABLE_NOTE))
        if rng.random() < 0.1:
            t += _hours(rng, 1, 24)
            steps += [(t, "status", handler, "escalated"),
                      (t + dt.timedelta(minutes=2), "note", handler, rng.choice(ESCALATION_NOTES))]
            handler = team.admin
            t += dt.timedelta(minutes=2)
        if reachable and rng.random() < 0.3:
            t += _hours(rng, 1, 48)
            steps.append((t, "customer", None, rng.choice(CUSTOMER_FOLLOW_UPS)))
            if rng.random() < 0.85:
                t += _hours(rng, 1, 20)
                steps.append((t, "reply", handler, rng.choice(THANKS).format(name=name)))
        if not reachable or rng.random() < 0.88:  # the phone call settled what no e-mail could
            t += _hours(rng, 2, 96)
            steps.append((t, "status", handler, "resolved"))
            if reachable and rng.random() < 0.13:
                t += dt.timedelta(days=rng.uniform(1, 12))
                steps.append((t, "customer", None, rng.choice(CUSTOMER_AGAIN)))
                if rng.random() < 0.7:
                    t += _hours(rng, 2, 30)
                    steps.append((t, "reply", handler, rng.choice(STAFF_REPLIES["detractor"]).format(name=name)))
                    t += _hours(rng, 24, 72)
                    steps.append((t, "status", handler, "resolved"))
        return steps

    def _reply_plan(self, team, rating) -> list[Step]:
        """A passive's or promoter's comment: half of them answered within three days; a thank-you
        back from the customer is answered half of the time."""
        rng = team.rng
        if rating.comment is None or rng.random() >= 0.55:
            return []
        name = rating.customer.full_name.split()[0]
        author = rng.choice([team.admin, team.agent])
        t = _hours(rng, 1, 72)
        steps: list[Step] = [(t, "reply", author, rng.choice(STAFF_REPLIES[rating.band]).format(name=name))]
        if rng.random() < 0.3:
            t += _hours(rng, 2, 48)
            steps.append((t, "customer", None, rng.choice(CUSTOMER_FOLLOW_UPS)))
            if rng.random() < 0.5:
                t += _hours(rng, 1, 24)
                steps.append((t, "reply", author, rng.choice(THANKS).format(name=name)))
        return steps

    def _play(self, team, rating, steps: list[Step]) -> None:
        """Runs a story's steps through the services at their moments, up to now; then the rating
        is read, most of the time, once nothing has happened on it for two days."""
        merchant = team.merchant
        for offset, kind, who, value in steps:
            moment = rating.created_at + offset
            if moment >= team.now:
                break
            with _clock(moment):
                if kind in ("assign", "priority", "status"):
                    change = {"assign": "owner", "priority": "priority", "status": "status"}[kind]
                    case_update(access=team.access, rating=rating, actor=who, **{change: value})
                elif kind == "note":
                    note_add(merchant=merchant, rating=rating, author=who, body=value)
                elif kind == "reply":
                    rating_reply(merchant=merchant, rating=rating, author=who, body=value)
                elif kind == "customer":
                    customer_message_add(merchant=merchant, rating=rating, body=value)
                else:
                    autoreply_message_add(merchant=merchant, rating=rating, body=value)
        if team.now - rating.last_activity_at > dt.timedelta(days=2) and team.rng.random() < 0.75:
            rating_mark_read(merchant=merchant, rating=rating)

    def _showcase(self, team, branch, customers) -> int:
        """Whatever the scale and the dice, every inbox view (Needs reply, Mine, Unassigned,
        Overdue, Resolved) has rows for every demo login: recent complaints in the branch the
        staff member sees, owned by each member in each state, and a few nobody owns yet.
        Returns how many ratings it added."""
        rng, now = team.rng, team.now
        target = first_response_target(team.merchant)
        hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
        stories = []  # (age, owner, steps after the assignment)
        for owner in (team.admin, team.agent, team.staff):
            stories += [
                (target + _hours(rng, 2, 20), owner, [(hour, "note", owner, rng.choice(NOTES))]),  # overdue
                (target * 0.85, owner, []),  # at risk
                (4 * day, owner, [(3 * hour, "reply", owner, None), (day, "status", owner, "resolved")]),
                (6 * day, owner, [(4 * hour, "reply", owner, None), (day, "status", owner, "resolved"),
                                  (6 * day - 3 * hour, "customer", None, rng.choice(CUSTOMER_AGAIN))]),  # reopened
            ]
        stories += [
            (2 * hour, None, []),  # new, on time
            (target + 30 * hour, None, []),  # overdue, nobody on it
            (2 * day, team.admin, [(5 * hour, "reply", team.admin, None), (8 * hour, "status", team.admin, "escalated"),
                                   (8 * hour, "note", team.admin, rng.choice(ESCALATION_NOTES))]),
        ]
        for n, (age, owner, later) in enumerate(stories):
            customer = rng.choice([c for c in customers if c.email])
            created_at = now - age
            rating = self._rating(team, f"{branch.id}-S{n:03d}", branch, customer,
                                  created_at - dt.timedelta(minutes=rng.randint(30, 240)), rng.randint(1, 4),
                                  rng.choice(COMPLAINTS), created_at)
            name = customer.full_name.split()[0]
            steps: list[Step] = [(dt.timedelta(minutes=20), "assign", owner, owner.pk)] if owner else []
            steps += [(offset, kind, who, rng.choice(STAFF_REPLIES["detractor"]).format(name=name)
                       if kind == "reply" else value) for offset, kind, who, value in later]
            self._play(team, rating, steps)
        return len(stories)

    def _follow_up(self, team, rating) -> None:
        """A rating added after the main stream gets the same follow-up as the others."""
        self._play(team, rating, self._case_plan(team, rating) if rating.score <= 6 else self._reply_plan(team, rating))

    def _seed_gifts(self, team):
        """Gifts with their cost (ANA-3) on recent detractors; most codes redeemed a few days later."""
        merchant, admin, rng = team.merchant, team.admin, team.rng
        catalogue = [
            gift_create(merchant=merchant, actor=admin, name="Postre de la casa", kind="product",
                        product_name="Postre de natas", validity_days=30, cost="6500"),
            gift_create(merchant=merchant, actor=admin, name="500 puntos", kind="points", points=500,
                        validity_days=60, cost="5000"),
            gift_create(merchant=merchant, actor=admin, name="15 % en tu próxima visita", kind="discount",
                        discount_percent=15, validity_days=30, cost="9000"),
        ]
        detractors = list(Rating.objects.filter(merchant=merchant, score__lte=6).select_related("customer")
                          .order_by("-created_at")[:120])
        for rating in rng.sample(detractors, min(45, len(detractors))):
            granted_at = min(rating.created_at + _hours(rng, 2, 30), team.now - dt.timedelta(minutes=5))
            with _clock(granted_at):
                grant = gift_grant(merchant=merchant, actor=team.agent, rating=rating, gift=rng.choice(catalogue))
            redeemed_at = granted_at + _hours(rng, 20, 150)
            if redeemed_at < team.now and rng.random() < 0.65:
                with _clock(redeemed_at):
                    grant_redeem(merchant=merchant, actor=team.agent, code=grant.code)

    def _recovery_stories(self, team, branches) -> int:
        """The loop the funnel measures (ANA-3): detractors who were answered, and more so those who
        redeemed a gift, come back more often and rate higher; the unanswered rarely return.
        Returns how many ratings it added."""

        rng, now = team.rng, team.now
        redeemed = set(GiftGrant.objects.filter(merchant=team.merchant, status="redeemed")
                       .values_list("rating_id", flat=True))
        detractors = list(Rating.objects.filter(merchant=team.merchant, score__lte=6,
                                                created_at__lt=now - dt.timedelta(days=8))
                          .select_related("customer").order_by("created_at"))
        added = 0
        for rating in detractors:
            if rating.pk in redeemed:
                back, scores = 0.75, [7, 8, 9, 9, 10, 10]
            elif rating.first_response_at is not None:
                back, scores = 0.35, [5, 7, 8, 9, 10]
            else:
                back, scores = 0.08, [3, 5, 7]
            if rng.random() >= back:
                continue
            visited_at = rating.created_at + dt.timedelta(days=rng.uniform(3, 20))
            if visited_at >= now - dt.timedelta(hours=2):
                continue
            with _clock(visited_at + dt.timedelta(hours=3)):
                again = self._rating(team, f"{rating.branch_id}-R{rating.pk}", rating.branch, rating.customer,
                                     visited_at, rng.choice(scores), rng.choice(PRAISE) if rng.random() < 0.4 else None,
                                     visited_at + dt.timedelta(hours=rng.uniform(0.5, 3)))
            self._follow_up(team, again)
            added += 1
        return added

    def _followup_answers(self, team) -> None:
        """"Did we fix it?" (ANA-4): about half of the resolved detractors with an e-mail were asked to
        rate again a few hours after the case closed, and most answered within two days — those who
        redeemed a gift mostly 9-10 (recovered), the answered ones higher than before, the unanswered
        hardly better; some have not answered yet."""
        rng, now = team.rng, team.now
        redeemed = set(GiftGrant.objects.filter(merchant=team.merchant, status="redeemed")
                       .values_list("rating_id", flat=True))
        resolved = (Rating.objects.filter(merchant=team.merchant, score__lte=6, status="resolved",
                                          resolved_at__lt=now - dt.timedelta(hours=6))
                    .select_related("customer").order_by("resolved_at"))
        for rating in resolved:
            if not rating.customer.email or rng.random() >= 0.5:
                continue
            asked_at = rating.resolved_at + _hours(rng, 0.5, 20)
            if asked_at >= now:
                continue
            with _clock(asked_at):
                followup_request(access=team.access, rating=rating, actor=rng.choice([team.admin, team.agent]))
            answered_at = asked_at + _hours(rng, 1, 48)
            if answered_at >= now or rng.random() >= 0.75:
                continue  # asked, no answer (yet)
            if rating.pk in redeemed:
                scores = [7, 8, 9, 9, 10, 10]
            elif rating.first_response_at is not None:
                scores = [4, 6, 7, 8, 8, 9, 10]
            else:
                scores = [2, 3, 5, 6]
            with _clock(answered_at):
                followup_answer(merchant=team.merchant, rating=rating, score=rng.choice(scores))

    def _lapsed_regulars(self, team, branches) -> int:
        """Regulars who came every week or two and then stopped six weeks ago (ANA-5's watchlist),
        a few after a bad last visit. Returns how many ratings it added."""

        rng, now = team.rng, team.now
        added = 0
        for n in range(10):
            customer = customer_upsert(
                merchant=team.merchant, external_id=f"REG-{n:03d}", email=f"habitual{n}@{team.merchant.slug}.demo",
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}")
            branch = rng.choice(branches)
            gap = dt.timedelta(days=rng.uniform(6, 12))
            visited_at = now - dt.timedelta(days=rng.uniform(40, 55)) - 4 * gap
            for k in range(5):
                score = rng.choice([2, 3, 5]) if k == 4 and n % 3 == 0 else rng.choice([8, 9, 10])
                with _clock(visited_at + dt.timedelta(hours=3)):
                    rating = self._rating(team, f"{branch.id}-L{n:02d}{k}", branch, customer, visited_at, score,
                                          None, visited_at + dt.timedelta(hours=1))
                self._follow_up(team, rating)
                added += 1
                visited_at += gap
        return added
