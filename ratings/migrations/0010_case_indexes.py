"""The cases of existing ratings, the case views' indexes and 0009's constraints (SCALE-4).

Nothing here blocks writes for long: the backfill runs per merchant in batches of 5,000
ratings, each its own transaction; CREATE INDEX CONCURRENTLY and VALIDATE CONSTRAINT take
locks that let ratings and messages keep arriving, and need to run outside a transaction
block. Existing detractors become cases with the default 24-hour target from their arrival:
answered ones `open`, the others `new`.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models, transaction

BATCH = 5000
TARGET = "interval '24 hours'"
AT_RISK = "interval '18 hours'"  # a quarter of the target left (SLA-2)

# One batch of one merchant's ratings: last activity and needs-reply from the thread, and a
# case for each detractor, answered ones open.
BACKFILL_SQL = f"""
WITH thread AS (
    SELECT r.id,
           max(m.created_at) FILTER (WHERE m.author_kind = 'customer') AS customer_at,
           max(m.created_at) FILTER (WHERE m.author_kind = 'staff') AS staff_at,
           min(m.created_at) FILTER (WHERE m.author_kind = 'staff') AS first_staff_at
    FROM ratings_rating r LEFT JOIN ratings_message m ON m.merchant_id = r.merchant_id AND m.rating_id = r.id
    WHERE r.merchant_id = %(merchant)s AND r.id > %(after)s AND r.id <= %(upto)s
    GROUP BY r.id
)
UPDATE ratings_rating r SET
    last_activity_at = GREATEST(r.created_at, t.customer_at, t.staff_at),
    needs_reply = t.customer_at IS NOT NULL AND (t.staff_at IS NULL OR t.customer_at > t.staff_at),
    status = CASE WHEN r.score > 6 THEN 'none' WHEN t.staff_at IS NULL THEN 'new' ELSE 'open' END,
    priority = CASE WHEN r.score > 6 THEN NULL WHEN r.score <= 3 THEN 'high' ELSE 'medium' END,
    case_opened_at = CASE WHEN r.score <= 6 THEN r.created_at END,
    due_at = CASE WHEN r.score <= 6 THEN r.created_at + {TARGET} END,
    at_risk_at = CASE WHEN r.score <= 6 THEN r.created_at + {AT_RISK} END,
    due_order = CASE WHEN r.score <= 6 THEN r.created_at + {TARGET} ELSE r.due_order END,
    first_response_at = CASE WHEN r.score <= 6 THEN t.first_staff_at END
FROM thread t
WHERE r.merchant_id = %(merchant)s AND r.id = t.id
"""


def backfill_cases(apps, schema_editor):
    """Each batch its own short transaction (this migration is not atomic), as its merchant
    for row-level security, whatever role migrates."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM merchants_merchant ORDER BY id")
        merchants = [row[0] for row in cursor.fetchall()]
    for merchant in merchants:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.merchant_id', %s, true)", [str(merchant)])
            cursor.execute("SELECT max(id) FROM ratings_rating WHERE merchant_id = %s", [merchant])
            last = cursor.fetchone()[0] or 0
        for after in range(0, last, BATCH):
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute("SELECT set_config('app.merchant_id', %s, true)", [str(merchant)])
                cursor.execute(BACKFILL_SQL, {"merchant": merchant, "after": after, "upto": after + BATCH})



class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("ratings", "0009_cases"),
    ]

    operations = [
        migrations.RunPython(backfill_cases, migrations.RunPython.noop),
        AddIndexConcurrently(
            model_name='rating',
            index=models.Index(models.F('merchant'), models.OrderBy(models.F('last_activity_at'), descending=True), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='rating_inbox_activity_desc'),
        ),
        AddIndexConcurrently(
            model_name='rating',
            index=models.Index(models.F('merchant'), models.OrderBy(models.F('last_activity_at')), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='rating_inbox_activity_asc'),
        ),
        AddIndexConcurrently(
            model_name='rating',
            index=models.Index(models.F('merchant'), models.OrderBy(models.F('due_order')), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='rating_inbox_due'),
        ),
        AddIndexConcurrently(
            model_name='rating',
            index=models.Index(models.F('merchant'), models.F('status'), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='rating_inbox_status'),
        ),
        AddIndexConcurrently(
            model_name='rating',
            index=models.Index(models.F('merchant'), models.F('owner'), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('owner__isnull', False)), name='rating_inbox_owner'),
        ),
        AddIndexConcurrently(
            model_name='rating',
            index=models.Index(models.F('merchant'), models.OrderBy(models.F('last_activity_at'), descending=True), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('needs_reply', True)), name='rating_needs_reply'),
        ),
        migrations.RunSQL('ALTER TABLE ratings_message VALIDATE CONSTRAINT message_author_kind_known;', migrations.RunSQL.noop),
        migrations.RunSQL('ALTER TABLE ratings_message VALIDATE CONSTRAINT message_staff_has_author;', migrations.RunSQL.noop),
        migrations.RunSQL('ALTER TABLE ratings_rating VALIDATE CONSTRAINT rating_status_known;', migrations.RunSQL.noop),
        migrations.RunSQL('ALTER TABLE ratings_rating VALIDATE CONSTRAINT rating_priority_iff_case;', migrations.RunSQL.noop),
        migrations.RunSQL('ALTER TABLE ratings_rating VALIDATE CONSTRAINT rating_followup_score_1_to_10;', migrations.RunSQL.noop),
    ]
