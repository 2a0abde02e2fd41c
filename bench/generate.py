"""Fill the bench database with BENCH_RATINGS ratings (default 1,000,000) in bulk.

    .venv/bin/python bench/generate.py          # reuses the data when already there

1,000 merchants; one large merchant ("bench-grande", 20 branches) holds 30 % of the
ratings; 100,000 customers with Spanish names (accents, ñ, shared prefixes); one visit
with invoice lines per rating; a comment on about a third, threads of staff replies,
auto-replies and customer follow-ups, gifts granted from threads (with their system
message); read and unread; spread over two years. A quarter of the ratings are detractors, each with its
follow-up case as ratings.cases would have kept it (status, priority, owner among a few bench
members, due and at-risk times, first response, resolution, last activity, needs-reply):
about 20,000 open cases at the large merchant, the recent ones open, most older ones
resolved (issues 14 and 15). Rows go in with COPY as the owner role (BYPASSRLS, like a data
migration: the load spans merchants), with every constraint checked row by row (SET
CONSTRAINTS ALL IMMEDIATE). The counters on the
rating (messages_count, replies_count, last_message_at) and the denormalised columns
(customer_name_key, branch) agree with the rows written. A marker table records a
completed load of this DATA_VERSION; an incomplete or older one is dropped and the database
recreated.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BENCH_DB,
    BENCH_EMAIL,
    BENCH_PASSWORD,
    BIG_SLUG,
    OWNER_EMAILS,
    bench_database_url,
    manage,
)

SEED = 20261123
# Bumped whenever the generated rows change: an existing bench database of another version is rebuilt.
# 2: follow-up cases (issue 14).
DATA_VERSION = 2
# Open cases: nearly all of the last 30 days', and this share of older ones (a backlog): about
# 20,000 of the large merchant's 75,000 cases at 1,000,000 ratings.
RECENT_DAYS, OPEN_RECENT, OPEN_OLD = 30, 0.9, 0.233
FIRST_NAMES = [
    "María", "Mario", "Marta", "Mariana", "Marisol", "Martín", "José", "Josefina", "Joselyn", "Juan",
    "Juana", "Juliana", "Julián", "Álvaro", "Alba", "Alberto", "Alejandra", "Alejandro", "Ángela",
    "Andrés", "Andrea", "Ana", "Anabel", "Camila", "Carlos", "Carolina", "Catalina", "Cristina",
    "Daniel", "Daniela", "Diego", "Elena", "Emilio", "Esteban", "Fernanda", "Fernando", "Gabriel",
    "Gabriela", "Héctor", "Inés", "Iñaki", "Iván", "Jesús", "Jimena", "Laura", "Lucía", "Luis",
    "Luisa", "Manuel", "Manuela", "Mateo", "Miguel", "Mónica", "Natalia", "Nicolás", "Óscar",
    "Pablo", "Patricia", "Pedro", "Pilar", "Ramón", "Raúl", "Rocío", "Rubén", "Santiago", "Sebastián",
    "Sofía", "Susana", "Tomás", "Valentina", "Valeria", "Verónica", "Víctor", "Ximena", "Zoé",
]
LAST_NAMES = [
    "Núñez", "Nuñez", "Muñoz", "Ibáñez", "Peña", "Peñalosa", "Castaño", "Pérez", "Perea", "Peralta",
    "Martínez", "Marín", "Márquez", "Marqués", "Gómez", "Gómez-Pardo", "González", "Gonzalo",
    "García", "Garcés", "Rodríguez", "Rodas", "Hernández", "Herrera", "López", "Lozano", "Díaz",
    "Dávila", "Sánchez", "Sandoval", "Ramírez", "Ramos", "Torres", "Tórrez", "Flores", "Florián",
    "Rivera", "Rivas", "Vargas", "Vázquez", "Castro", "Castillo", "Jiménez", "Jaramillo", "Ruiz",
    "Ruíz", "Álvarez", "Alvarado", "Moreno", "Morales", "Ortiz", "Ortega", "Gutiérrez", "Guzmán",
    "Cañas", "Cañón", "Echeverría", "Echeverri", "Londoño", "Londoña", "Quiñones", "Salazar",
    "Saldaña", "Zúñiga", "Zuluaga", "de la Cruz", "del Río", "Ospina", "Osorio", "Uribe", "Úbeda",
]
COMMENTS = [
    "Excelente atención, volveré pronto.",
    "La comida llegó fría y tardaron mucho en atendernos.",
    "Muy buen servicio, el mesero fue muy amable.",
    "El café estaba delicioso pero el lugar muy ruidoso.",
    "No había parqueadero y la fila era eterna.",
    "Todo perfecto, gracias por el detalle de cumpleaños.",
    "El baño estaba sucio, por favor revisen la limpieza.",
    "Precios razonables y porciones generosas. ¡Recomendado!",
    "Me cobraron dos veces el mismo producto en la factura.",
    "La niña de la caja fue muy atenta, gracias Ñata.",
    "Pedí sin cebolla y llegó con cebolla. Qué pena pero no.",
    "Ambiente agradable, música a buen volumen, volveremos en familia.",
]
STAFF_REPLIES = [
    "Hola {name}, gracias por escribirnos. Ya lo hablamos con el equipo de la sucursal.",
    "¡Gracias, {name}! Nos alegra que hayas disfrutado tu visita.",
    "Hola {name}, lamentamos mucho lo ocurrido. ¿Nos cuentas un poco más para mejorar?",
]
FOLLOW_UPS = ["Gracias por responder.", "Ojalá lo mejoren, de verdad.", "¡Perfecto, allá nos vemos!"]
AUTO_REPLY = "Hola {name}, recibimos tu calificación. ¡Gracias por ayudarnos a mejorar!"
ITEMS = [("Bandeja paisa", "32000.00"), ("Ajiaco", "28000.00"), ("Limonada de coco", "9000.00"),
         ("Café tinto", "3500.00"), ("Postre de natas", "12000.00"), ("Empanadas x3", "10500.00")]
BRANCH_NAMES = ["Chapinero", "Usaquén", "Suba", "Kennedy", "Teusaquillo", "Cedritos", "Salitre", "Modelia",
                "Fontibón", "Engativá", "Bosa", "Soacha", "Chía", "Cajicá", "Zipaquirá", "Poblado",
                "Laureles", "Envigado", "Sabaneta", "Bello", "Itagüí", "Rionegro"]
TIMEZONES = ["America/Bogota"] * 6 + ["America/Mexico_City", "America/Lima", "Europe/Madrid", "America/Santiago"]
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def fmt_ts(value: dt.datetime) -> str:
    return value.isoformat()


def copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class Table:
    """A COPY buffer for one table."""

    def __init__(self, name: str, columns: list[str]):
        self.name, self.columns = name, columns
        self.buffer = io.StringIO()
        self.rows = 0
        self.staged = False

    def add(self, *values) -> None:
        self.buffer.write("\t".join(copy_text(v) for v in values))
        self.buffer.write("\n")
        self.rows += 1

    def flush(self, cursor) -> None:
        if not self.rows:
            return
        self.buffer.seek(0)
        # COPY FROM is refused on tables under row-level security: COPY into a session temp
        # table (no RLS) and move the rows with one INSERT ... SELECT, which RLS checks.
        stage = f"stage_{self.name}"
        columns = ", ".join(self.columns)
        if not self.staged:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {self.name} INCLUDING DEFAULTS)")
            self.staged = True
        cursor.copy_expert(f"COPY {stage} ({columns}) FROM STDIN", self.buffer)
        cursor.execute(f"INSERT INTO {self.name} ({columns}) SELECT {columns} FROM {stage}")
        cursor.execute(f"TRUNCATE {stage}")
        self.buffer = io.StringIO()
        self.rows = 0


CASE_COLUMNS = ["status", "priority", "owner_id", "case_opened_at", "at_risk_at", "due_at", "due_order",
                "first_response_at", "resolved_at"]
FIRST_RESPONSE = dt.timedelta(hours=24)  # Merchant.first_response_hours by default, always open
DUE_NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)  # ratings.models.DUE_NEVER
NO_CASE = ["none", None, None, None, None, None, DUE_NEVER, None, None]


class CaseStory:
    """A detractor's follow-up case as ratings.cases would have left it (CASE-1..3, SLA-2), and the
    staff replies and customer messages that put it there."""

    def __init__(self, status, priority, owner, author, reply_at, follow_up_at, resolved_at):
        self.status, self.priority, self.owner, self.author = status, priority, owner, author
        self.reply_at, self.follow_up_at, self.resolved_at = reply_at, follow_up_at, resolved_at

    def thread(self, rng, first_name) -> list:
        entries = []
        if self.reply_at is not None:
            entries.append(("staff", self.author, rng.choice(STAFF_REPLIES).format(name=first_name),
                            self.reply_at, None))
        if self.follow_up_at is not None:
            entries.append(("customer", None, rng.choice(FOLLOW_UPS), self.follow_up_at, None))
            if self.status == "resolved":  # answered before it was resolved
                entries.append(("staff", self.author, "¡Gracias a ti!",
                                self.follow_up_at + (self.resolved_at - self.follow_up_at) / 2, None))
        return entries

    def columns(self, created) -> list:
        due = created + FIRST_RESPONSE
        return [self.status, self.priority, self.owner, created, due - FIRST_RESPONSE / 4, due, due,
                self.reply_at, self.resolved_at]


def case_story(rng, now, created, score, owner_ids) -> CaseStory:
    """Nearly every recent case open, most older ones resolved; `new` ones unanswered (breached
    after 24 hours), the others answered mostly within the target; owners among `owner_ids`
    (who also answer the unowned ones); priority by score (CASE-2), one in ten changed."""
    age = now - created
    if rng.random() < (OPEN_RECENT if age < dt.timedelta(days=RECENT_DAYS) else OPEN_OLD):
        status = rng.choices(["new", "open", "escalated"], [40, 45, 15])[0]
    else:
        status = "resolved"
    priority = "high" if score <= 3 else "medium"
    if rng.random() < 0.1:
        priority = "critical" if score <= 3 else "low"
    owner = rng.choice(owner_ids) if rng.random() < (0.5 if status == "new" else 0.85) else None
    reply_at = follow_up_at = resolved_at = None
    if status != "new" and (status != "resolved" or rng.random() < 0.92):
        roll = rng.random()
        if roll < 0.72:
            delay = FIRST_RESPONSE * rng.uniform(0.05, 0.9)
        elif roll < 0.92:
            delay = FIRST_RESPONSE + dt.timedelta(hours=rng.uniform(1, 36))
        else:
            delay = dt.timedelta(days=rng.uniform(2, 6))
        reply_at = created + min(delay, age * rng.uniform(0.2, 0.6))
        if rng.random() < 0.2:
            follow_up_at = reply_at + min(dt.timedelta(hours=rng.uniform(1, 48)), (now - reply_at) * 0.5)
    if status == "resolved":
        after = follow_up_at or reply_at or created
        resolved_at = after + min(dt.timedelta(hours=rng.uniform(2, 96)), (now - after) * 0.9)
    return CaseStory(status, priority, owner, owner or owner_ids[0], reply_at, follow_up_at, resolved_at)


def grant_code(n: int) -> str:
    digits = []
    for _ in range(10):
        n, r = divmod(n, len(CODE_ALPHABET))
        digits.append(CODE_ALPHABET[r])
    return "B" + "".join(reversed(digits))


def say(text: str) -> None:
    print(f"[generate {time.strftime('%H:%M:%S')}] {text}", flush=True)


def admin_connection(dbname: str):
    import psycopg2
    from django.conf import settings

    admin = settings.DATABASE_ADMIN
    conn = psycopg2.connect(dbname=dbname, user=admin["USER"] or None, password=admin["PASSWORD"] or None,
                            host=admin["HOST"] or None, port=admin["PORT"] or None)
    conn.autocommit = True
    return conn


def marker(target: int) -> str | None:
    """'complete' when the bench database holds a finished load of `target` ratings."""
    conn = admin_connection("postgres")
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB])
        exists = cur.fetchone() is not None
    conn.close()
    if not exists:
        return None
    conn = admin_connection(BENCH_DB)
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'bench_marker'"
                    " AND column_name = 'version'")
        if cur.fetchone() is None:  # no load, or one from before DATA_VERSION
            state = "partial"
        else:
            cur.execute("SELECT ratings, version FROM bench_marker WHERE complete")
            row = cur.fetchone()
            state = "complete" if row == (target, DATA_VERSION) else "partial"
    conn.close()
    return state


def drop_bench_database() -> None:
    conn = admin_connection("postgres")
    with conn.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                    "pg_backend_pid()", [BENCH_DB])
        cur.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
    conn.close()


def create_merchants(n_merchants: int):
    """Merchants through the service (branch "Principal", admin, auto-reply settings)."""
    from django.test.utils import override_settings

    from merchants import tenancy
    from merchants.models import Merchant
    from merchants.services import member_add, merchant_create

    big = merchant_create(slug=BIG_SLUG, name="Restaurantes Núñez & Peña", admin_email="admin@bench.local",
                          admin_password=BENCH_PASSWORD)
    with tenancy.tenant(big.pk):
        member_add(merchant=big, email=BENCH_EMAIL, password=BENCH_PASSWORD, role="admin",
                   full_name="Bench Admin")
    rng = random.Random(SEED)
    # The other members never log in (bench/run.py gives them API tokens), nor do the other
    # merchants' admins: a cheap hasher keeps provisioning fast.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with tenancy.tenant(big.pk):
            for i, email in enumerate(OWNER_EMAILS[1:], start=1):
                member_add(merchant=big, email=email, password=BENCH_PASSWORD, role="admin",
                           full_name=f"Bench {i}")
        for i in range(1, n_merchants):
            merchant_create(slug=f"bench-{i:04d}", name=f"Comercio {rng.choice(LAST_NAMES)} {i}",
                            admin_email=f"admin{i}@bench.local", admin_password="unused-password",
                            timezone_name=rng.choice(TIMEZONES))
    return list(Merchant.objects.order_by("id")), big


def next_id(cur, table: str) -> int:
    cur.execute(f"SELECT COALESCE(max(id), 0) + 1 FROM {table}")
    return cur.fetchone()[0]


def load(target: int) -> None:
    from django.conf import settings

    from customers.names import name_key, name_tokens

    n_merchants = 1000 if target >= 100_000 else max(20, target // 1000)
    n_customers = max(1000, target // 10)
    big_share = 0.30
    rng = random.Random(SEED)
    started = time.monotonic()

    say(f"merchants: {n_merchants}")
    merchants, big = create_merchants(n_merchants)
    admin_ids = {}
    from merchants.models import Branch, Membership

    for membership in Membership.objects.using("owner").filter(role="admin").order_by("id"):
        admin_ids.setdefault(membership.merchant_id, membership.user_id)
    principal = {b.merchant_id: b.id for b in Branch.objects.using("owner").filter(name="Principal")}

    import psycopg2

    db = settings.DATABASES["owner"]
    conn = psycopg2.connect(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None,
                            host=db["HOST"] or None, port=db["PORT"] or None)
    cur = conn.cursor()
    cur.execute("SET synchronous_commit = off")

    def begin():
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = now - dt.timedelta(days=730)

    # --- branches and gifts -------------------------------------------------------------
    branches: dict[int, list[int]] = {}
    t_branch = Table("merchants_branch", ["id", "merchant_id", "name", "address", "is_active"])
    t_gift = Table("gifts_gift", ["id", "merchant_id", "name", "kind", "product_name", "points",
                                  "discount_percent", "discount_amount", "validity_days", "is_active",
                                  "is_archived", "is_one_off", "created_at"])
    begin()
    branch_id = next_id(cur, "merchants_branch")
    gift_id = next_id(cur, "gifts_gift")
    gifts: dict[int, list[int]] = {}
    for m in merchants:
        ids = [principal[m.id]]
        extra = 19 if m.id == big.id else rng.choice([0, 1, 1, 2, 3])
        for name in rng.sample(BRANCH_NAMES, extra):
            t_branch.add(branch_id, m.id, name, f"Calle {rng.randint(1, 150)} # {rng.randint(1, 99)}-{rng.randint(1, 99)}",
                         True)
            ids.append(branch_id)
            branch_id += 1
        branches[m.id] = ids
        t_gift.add(gift_id, m.id, "Postre de la casa", "product", "Postre de natas", None, None, None, 30, True,
                   False, False, start)
        t_gift.add(gift_id + 1, m.id, "15 % en tu próxima visita", "discount", None, None, 15, None, 60, True,
                   False, False, start)
        gifts[m.id] = [gift_id, gift_id + 1]
        gift_id += 2
    t_branch.flush(cur)
    t_gift.flush(cur)
    conn.commit()
    say(f"branches and gifts ({time.monotonic() - started:.0f}s)")

    # --- customers and their name tokens ---------------------------------------------------
    per_merchant = {}
    big_ratings = int(target * big_share)
    others = n_merchants - 1
    rest = target - big_ratings
    for i, m in enumerate(merchants):
        if m.id == big.id:
            per_merchant[m.id] = big_ratings
        else:
            per_merchant[m.id] = rest // others + (1 if (i - 1) < rest % others else 0)
    customers: dict[int, list[tuple[int, str, str]]] = {}
    t_customer = Table("customers_customer", ["id", "merchant_id", "external_id", "full_name", "name_key", "email",
                                              "phone", "document_id", "birth_date", "email_opt_out",
                                              "points_balance", "created_at"])
    t_token = Table("customers_customernametoken", ["id", "merchant_id", "customer_id", "token"])
    begin()
    customer_id = next_id(cur, "customers_customer")
    token_id = next_id(cur, "customers_customernametoken")
    for m in merchants:
        count = max(3, round(n_customers * per_merchant[m.id] / target))
        rows = []
        for n in range(count):
            first = rng.choice(FIRST_NAMES)
            if rng.random() < 0.2:
                first = f"{first} {rng.choice(FIRST_NAMES)}"
            full_name = f"{first} {rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"
            if rng.random() < 0.05:
                full_name = full_name.upper()
            key = name_key(full_name)
            email = f"c{customer_id}@correo.example" if rng.random() < 0.8 else None
            t_customer.add(customer_id, m.id, f"CLI-{n:06d}", full_name, key, email,
                           f"+57 3{rng.randint(100000000, 199999999)}" if rng.random() < 0.5 else None,
                           None, None, rng.random() < 0.03, 0, start)
            for token in name_tokens(full_name):
                t_token.add(token_id, m.id, customer_id, token)
                token_id += 1
            rows.append((customer_id, full_name, key))
            customer_id += 1
        customers[m.id] = rows
        if t_customer.rows > 20000:
            t_customer.flush(cur)
            t_token.flush(cur)
    t_customer.flush(cur)
    t_token.flush(cur)
    conn.commit()
    say(f"customers: {customer_id - 1} ({time.monotonic() - started:.0f}s)")

    # --- visits, invoice lines, ratings, grants, messages ---------------------------------------
    t_visit = Table("customers_visit", ["id", "merchant_id", "branch_id", "customer_id", "visited_at",
                                        "invoice_number", "invoice_total", "currency", "created_at"])
    t_line = Table("customers_invoiceline", ["id", "merchant_id", "visit_id", "position", "description",
                                             "quantity", "unit_price", "line_total"])
    t_rating = Table("ratings_rating", ["id", "merchant_id", "visit_id", "customer_id", "branch_id",
                                        "customer_name_key", "score", "comment", "is_read", "created_at",
                                        "messages_count", "replies_count", "last_message_at", "autoreply_due_at",
                                        "last_activity_at", "needs_reply", *CASE_COLUMNS])
    t_grant = Table("gifts_giftgrant", ["id", "merchant_id", "gift_id", "customer_id", "rating_id", "code",
                                        "status", "granted_at", "expires_at", "redeemed_at", "granted_by_id",
                                        "redeemed_by_id"])
    t_message = Table("ratings_message", ["id", "merchant_id", "rating_id", "author_kind", "author_id", "body",
                                          "created_at", "gift_grant_id"])
    tables = [t_visit, t_line, t_rating, t_grant, t_message]
    begin()
    visit_id = next_id(cur, "customers_visit")
    line_id = next_id(cur, "customers_invoiceline")
    rating_id = next_id(cur, "ratings_rating")
    grant_id = next_id(cur, "gifts_giftgrant")
    message_id = next_id(cur, "ratings_message")
    span = (now - dt.timedelta(hours=2) - start).total_seconds()
    scores = list(range(1, 11))
    weights = [4, 2, 3, 3, 5, 8, 9, 15, 21, 30]  # a quarter detractors, each with a case
    owners = {m.id: [admin_ids[m.id]] for m in merchants}
    owners[big.id] = list(Membership.objects.using("owner").filter(merchant=big, user__email__in=OWNER_EMAILS)
                          .order_by("user_id").values_list("user_id", flat=True))
    done = 0
    for m in merchants:
        cust = customers[m.id]
        branch_ids = branches[m.id]
        author = admin_ids[m.id]
        gift_ids = gifts[m.id]
        for _ in range(per_merchant[m.id]):
            customer = cust[int(len(cust) * rng.random() ** 1.3)]
            # More recent ratings are more frequent (a growing business).
            visited = start + dt.timedelta(seconds=int(span * (rng.random() ** 0.8)))
            created = visited + dt.timedelta(seconds=rng.randint(300, 36 * 3600))
            if created > now - dt.timedelta(minutes=5):
                created = now - dt.timedelta(minutes=5)
            branch = branch_ids[min(len(branch_ids) - 1, int(len(branch_ids) * rng.random() ** 1.5))]
            lines = [rng.choice(ITEMS) for _ in range(rng.choice([1, 1, 2, 3]))]
            total = 0
            for position, (description, price) in enumerate(lines):
                quantity = rng.choice([1, 1, 2])
                line_total = int(float(price)) * quantity
                total += line_total
                t_line.add(line_id, m.id, visit_id, position, description, f"{quantity}.000", price,
                           f"{line_total}.00")
                line_id += 1
            t_visit.add(visit_id, m.id, branch, customer[0], visited, f"F-{visit_id}", f"{total}.00", "COP",
                        visited)
            score = rng.choices(scores, weights)[0]
            first_name = customer[1].split()[0].capitalize()
            age_days = (now - created).days
            comment = rng.choice(COMMENTS) if rng.random() < 0.33 else None
            is_read = rng.random() < (0.97 if age_days > 30 else 0.5)
            thread = []  # (kind, author, body, at, grant)
            if comment is not None:
                thread.append(("customer", None, comment, created, None))
                if rng.random() < 0.15:
                    thread.append(("auto_reply", None, AUTO_REPLY.format(name=first_name),
                                   created + dt.timedelta(minutes=rng.randint(5, 60)), None))
            if score <= 6:
                case = case_story(rng, now, created, score, owners[m.id])
                thread += case.thread(rng, first_name)
            else:
                case = None
                if comment is not None and rng.random() < 0.6:
                    at = created + dt.timedelta(minutes=rng.randint(10, 3000))
                    thread.append(("staff", author, rng.choice(STAFF_REPLIES).format(name=first_name), at, None))
                    if rng.random() < 0.2:
                        at = at + dt.timedelta(minutes=rng.randint(10, 3000))
                        thread.append(("customer", None, rng.choice(FOLLOW_UPS), at, None))
            if score <= 6 and rng.random() < 0.08:
                at = created + dt.timedelta(minutes=rng.randint(10, 600))
                gift = rng.choice(gift_ids)
                expires = at + dt.timedelta(days=30)
                redeemed = at + dt.timedelta(days=rng.randint(1, 20)) if rng.random() < 0.4 else None
                if redeemed is not None and redeemed > now:
                    redeemed = None
                status = "redeemed" if redeemed else ("expired" if expires < now else "offered")
                if at < now:
                    t_grant.add(grant_id, m.id, gift, customer[0], rating_id, grant_code(grant_id), status, at,
                                expires, redeemed, author, author if redeemed else None)
                    thread.append(("system", None, "Se ofreció un regalo.", at, grant_id))
                    grant_id += 1
            # What has not happened yet is not in the thread.
            thread = sorted((entry for entry in thread if entry[3] < now), key=lambda entry: entry[3])
            conversation = [entry for entry in thread if entry[0] in ("customer", "staff")]
            if thread and thread[-1][0] == "customer" and len(thread) > 1:
                is_read = False
            replies = sum(1 for kind, *_ in thread if kind in ("staff", "auto_reply"))
            if any(kind == "staff" for kind, *_ in thread) and thread[-1][0] != "customer":
                is_read = True
            last_at = thread[-1][3] if thread else None
            # CASE-6, CASE-7: the customer wrote last; last activity is arrival or the latest message.
            needs_reply = bool(conversation) and conversation[-1][0] == "customer"
            last_activity = conversation[-1][3] if conversation else created
            t_rating.add(rating_id, m.id, visit_id, customer[0], branch, customer[2], score, comment, is_read,
                         created, len(thread), replies, last_at, None, last_activity, needs_reply,
                         *(case.columns(created) if case else NO_CASE))
            for kind, author_id, body, when, grant in thread:
                t_message.add(message_id, m.id, rating_id, kind, author_id, body, when, grant)
                message_id += 1
            visit_id += 1
            rating_id += 1
            done += 1
            if t_rating.rows >= 25000:
                for table in tables:
                    table.flush(cur)
                conn.commit()
                begin()
                say(f"ratings: {done:,} ({time.monotonic() - started:.0f}s)")
    for table in tables:
        table.flush(cur)
    conn.commit()
    say(f"ratings: {done:,} ({time.monotonic() - started:.0f}s)")
    for table in ["merchants_branch", "gifts_gift", "customers_customer", "customers_customernametoken",
                  "customers_visit", "customers_invoiceline", "ratings_rating", "gifts_giftgrant",
                  "ratings_message"]:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    from ratings.counters import rebuild_sql

    cur.execute(rebuild_sql())  # the summary counters, as ratings.services would have kept them
    cur.execute("CREATE TABLE bench_marker (ratings integer NOT NULL, version integer NOT NULL, "
                "complete boolean NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now(), seconds real)")
    cur.execute("INSERT INTO bench_marker (ratings, version, complete, seconds) VALUES (%s, %s, true, %s)",
                [target, DATA_VERSION, time.monotonic() - started])
    conn.commit()
    conn.close()
    say(f"loaded in {time.monotonic() - started:.0f}s")


def vacuum_analyze() -> None:
    conn = admin_connection(BENCH_DB)
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    conn.close()


def main() -> None:
    target = int(os.environ.get("BENCH_RATINGS", "1000000"))
    os.environ["DATABASE_URL"] = bench_database_url()
    from bench.common import django_setup

    django_setup()
    state = marker(target)
    if state == "complete":
        say(f"{BENCH_DB} already holds {target:,} ratings (data version {DATA_VERSION}): reusing it")
        manage("bootstrap_db")  # roles and ownership as the current bootstrap makes them
        manage("migrate", "--no-input", "-v", "0")  # new migrations (indexes) apply to the bench data too
        return
    if state == "partial":
        say(f"{BENCH_DB} holds another or an incomplete load: recreating it")
        drop_bench_database()
    started = time.monotonic()
    manage("bootstrap_db")
    manage("migrate", "--no-input", "-v", "0")
    load(target)
    say("VACUUM ANALYZE")
    vacuum_analyze()
    say(f"done in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
