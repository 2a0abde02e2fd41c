"""The case views' needs-reply, open and unassigned counts as kept counters (CASE-6).

The summary counted them over the ratings in progress on every inbox page and poll, a cost
that grew with the merchant's history; the services now keep them beside the other counters.
The columns come with a constant default (no rewrite of the small counter tables); the fill
recomputes each merchant's counters from its ratings, one merchant per transaction (SCALE-4).
"""

from django.db import migrations, models, transaction

# The counters as of this migration (ratings.counters may gain columns later).
COLUMNS = ("total_ratings, comments_received, replies_sent, unread_comments, promoters, passives, detractors,"
           " needs_reply, open_cases, unassigned_cases")
REBUILD_SQL = f"""
    DELETE FROM ratings_ratingdaycounter WHERE merchant_id = %(m)s;
    INSERT INTO ratings_ratingdaycounter (merchant_id, branch_id, day, {COLUMNS})
    SELECT r.merchant_id, r.branch_id, (r.created_at AT TIME ZONE m.timezone)::date,
           count(*), count(r.comment), COALESCE(sum(r.replies_count), 0),
           count(*) FILTER (WHERE r.comment IS NOT NULL AND NOT r.is_read),
           count(*) FILTER (WHERE r.score >= 9), count(*) FILTER (WHERE r.score BETWEEN 7 AND 8),
           count(*) FILTER (WHERE r.score <= 6), count(*) FILTER (WHERE r.needs_reply),
           count(*) FILTER (WHERE r.status IN ('new', 'open', 'escalated')),
           count(*) FILTER (WHERE r.status IN ('new', 'open', 'escalated') AND r.owner_id IS NULL)
    FROM ratings_rating r JOIN merchants_merchant m ON m.id = r.merchant_id
    WHERE r.merchant_id = %(m)s
    GROUP BY 1, 2, 3;
    DELETE FROM ratings_ratingbranchcounter WHERE merchant_id = %(m)s;
    INSERT INTO ratings_ratingbranchcounter (merchant_id, branch_id, {COLUMNS})
    SELECT merchant_id, branch_id, sum(total_ratings), sum(comments_received), sum(replies_sent),
           sum(unread_comments), sum(promoters), sum(passives), sum(detractors), sum(needs_reply),
           sum(open_cases), sum(unassigned_cases)
    FROM ratings_ratingdaycounter WHERE merchant_id = %(m)s
    GROUP BY 1, 2;
"""


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM merchants_merchant ORDER BY id")
        merchants = [row[0] for row in cursor.fetchall()]
    for merchant in merchants:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.merchant_id', %s, true)", [str(merchant)])
            cursor.execute(REBUILD_SQL, {"m": merchant})


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('merchants', '0007_merchant_erase_after_months'),
        ('ratings', '0012_case_view_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='ratingdaycounter',
            name='rating_day_counter_day',
        ),
        migrations.AddField(
            model_name='ratingbranchcounter',
            name='needs_reply',
            field=models.IntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name='ratingbranchcounter',
            name='open_cases',
            field=models.IntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name='ratingbranchcounter',
            name='unassigned_cases',
            field=models.IntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name='ratingdaycounter',
            name='needs_reply',
            field=models.IntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name='ratingdaycounter',
            name='open_cases',
            field=models.IntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name='ratingdaycounter',
            name='unassigned_cases',
            field=models.IntegerField(db_default=0, default=0),
        ),
        migrations.AddIndex(
            model_name='ratingdaycounter',
            index=models.Index(fields=['merchant', 'day'], include=('branch', 'total_ratings', 'comments_received', 'replies_sent', 'unread_comments', 'promoters', 'passives', 'detractors', 'needs_reply', 'open_cases', 'unassigned_cases'), name='rating_day_counter_day'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
