"""`manage.py seed_demo`: a realistic demo — two merchants, branches, members, a few
thousand ratings over 90 days with Spanish names, comments, threads and gifts — and
prints the logins. Everything goes through the same services as the product.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from merchants import tenancy
from merchants.models import Branch, Merchant

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
STAFF_REPLIES = [
    "Hola {name}, lamentamos mucho lo ocurrido. ¿Nos cuentas un poco más para mejorar?",
    "¡Gracias, {name}! Nos alegra que hayas disfrutado tu visita.",
    "Hola {name}, gracias por tus comentarios. Ya lo hablamos con el equipo de la sucursal.",
]
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


class Command(BaseCommand):
    help = "Create two demo merchants with members, ratings, threads and gifts, and print the logins."

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
        from customers.services import InvoiceLineInput, customer_upsert, visit_record
        from merchants.services import branch_create, member_add, merchant_create
        from ratings.services import (
            autoreply_message_add,
            customer_message_add,
            quick_reply_create,
            rating_create,
            rating_mark_read,
            rating_reply,
        )

        domain = spec["domain"]
        merchant = merchant_create(
            slug=spec["slug"], name=spec["name"], admin_email=f"admin@{domain}",
            admin_password=PASSWORD, timezone_name=spec["timezone"], currency=spec["currency"],
            language=spec["language"],
        )
        self.stdout.write(f"Seeding {merchant.name}…")
        with tenancy.tenant(merchant.pk), transaction.atomic():
            branches = [Branch.objects.get(merchant=merchant, name="Principal")]
            branches += [branch_create(merchant=merchant, name=name) for name in spec["branches"]]
            admin = member_add(merchant=merchant, email=f"admin@{domain}", password=PASSWORD, role="admin",
                               full_name="Administradora Demo").user
            admin.full_name = admin.full_name or "Administradora Demo"
            admin.save(update_fields=["full_name"])
            agent = member_add(merchant=merchant, email=f"agent@{domain}", password=PASSWORD, role="agent",
                               full_name="Agente de Servicio").user
            member_add(merchant=merchant, email=f"staff@{domain}", password=PASSWORD, role="staff",
                       full_name="Personal de Sucursal",
                       branch_ids=[branches[1].id] if spec is MERCHANTS[0] else None)
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

            now = timezone.now()
            total = int(spec["ratings"] * scale)
            for n in range(total):
                customer = rng.choice(customers)
                branch = rng.choice(branches)
                visited_at = now - dt.timedelta(days=90 * (1 - n / total), minutes=rng.randint(30, 300))
                lines = []
                for description, price in rng.sample(PRODUCTS, rng.randint(1, 4)):
                    quantity = Decimal(rng.randint(1, 3))
                    lines.append(InvoiceLineInput(description, quantity, price, price * quantity))
                visit = visit_record(
                    merchant=merchant, branch=branch, customer=customer, visited_at=visited_at,
                    invoice_number=f"{branch.id}-{n:06d}", invoice_total=sum(li.line_total for li in lines),
                    currency=merchant.currency, lines=lines,
                )
                score = rng.choices(range(1, 11), weights=[3, 2, 3, 3, 4, 5, 8, 12, 20, 22])[0]
                pool = PRAISE if score >= 9 else NEUTRAL if score >= 7 else COMPLAINTS
                comment = rng.choice(pool) if rng.random() < 0.4 else None
                created_at = min(visited_at + dt.timedelta(minutes=rng.randint(10, 600)), now)
                rating = rating_create(merchant=merchant, visit=visit, score=score, comment=comment,
                                       created_at=created_at)
                age = (now - created_at).days
                if age > 2 and rng.random() < 0.75:
                    rating_mark_read(merchant=merchant, rating=rating)
                if score <= 6 and comment is None and customer.email and rng.random() < 0.5:
                    autoreply_message_add(
                        merchant=merchant, rating=rating,
                        body=f"Hola {customer.full_name.split()[0]}, sentimos que tu visita no fuera "
                             "la mejor. ¿Nos cuentas qué pasó?",
                    )
                if comment and age > 1 and rng.random() < 0.5:
                    rating_reply(merchant=merchant, rating=rating, author=rng.choice([admin, agent]),
                                 body=rng.choice(STAFF_REPLIES).format(name=customer.full_name.split()[0]))
                    if rng.random() < 0.4:
                        customer_message_add(merchant=merchant, rating=rating,
                                             body=rng.choice(CUSTOMER_FOLLOW_UPS))
                        if age > 3:
                            rating_mark_read(merchant=merchant, rating=rating)
            self._seed_gifts(merchant, admin, agent, rng)
            # The demo's outgoing e-mails are history, not news: do not send them at start-up.
            from notifications.models import OutgoingEmail

            OutgoingEmail.objects.filter(merchant=merchant).update(status="sent", sent_at=now)
        self.stdout.write(f"  {total} ratings for {merchant.name}.")

    def _seed_gifts(self, merchant, admin, agent, rng):
        try:
            from gifts.services import gift_create, gift_grant
        except ImportError:
            return
        from ratings.models import Rating

        catalogue = [
            gift_create(merchant=merchant, actor=admin, name="Postre de la casa", kind="product",
                        product_name="Postre de natas", validity_days=30),
            gift_create(merchant=merchant, actor=admin, name="500 puntos", kind="points", points=500,
                        validity_days=60),
            gift_create(merchant=merchant, actor=admin, name="15 % en tu próxima visita", kind="discount",
                        discount_percent=15, validity_days=30),
        ]
        detractors = list(Rating.objects.filter(merchant=merchant, score__lte=6).order_by("-created_at")[:60])
        for rating in rng.sample(detractors, min(25, len(detractors))):
            gift_grant(merchant=merchant, actor=agent, rating=rating, gift=rng.choice(catalogue))
