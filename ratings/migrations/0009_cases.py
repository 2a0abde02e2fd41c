"""Follow-up cases on every rating (CASE-1..7): the fields and the log table.

Safe on a large ratings table (SCALE-4): the new columns are nullable or carry a constant
default (no table rewrite), and the check constraints are added NOT VALID here; 0010 fills
the cases in batches, validates the constraints and builds the indexes CONCURRENTLY.
"""

import datetime
import django.db.models.deletion
import django.db.models.functions.datetime
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from merchants.rls import EnableRowLevelSecurity, same_merchant_fk_sql

class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0001_initial'),
        ('gifts', '0004_grant_recent_index'),
        ('merchants', '0003_rls_settings_once_per_statement'),
        ('ratings', '0008_message_event_from_text'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('status', 'Status'), ('priority', 'Priority'), ('owner', 'Owner'), ('note', 'Note')], max_length=10)),
                ('from_value', models.CharField(blank=True, max_length=40, null=True)),
                ('to_value', models.CharField(blank=True, max_length=40, null=True)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.AddField(
            model_name='rating',
            name='at_risk_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='rating',
            name='case_opened_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='rating',
            name='due_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='due'),
        ),
        migrations.AddField(
            model_name='rating',
            name='due_order',
            field=models.DateTimeField(db_default=datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc), default=datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc), editable=False),
        ),
        migrations.AddField(
            model_name='rating',
            name='first_response_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='first response'),
        ),
        migrations.AddField(
            model_name='rating',
            name='followup_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='rating',
            name='followup_score',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='follow-up score'),
        ),
        migrations.AddField(
            model_name='rating',
            name='last_activity_at',
            field=models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, verbose_name='last activity'),
        ),
        migrations.AddField(
            model_name='rating',
            name='needs_reply',
            field=models.BooleanField(db_default=False, default=False, verbose_name='needs reply'),
        ),
        migrations.AddField(
            model_name='rating',
            name='owner',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='owner'),
        ),
        migrations.AddField(
            model_name='rating',
            name='priority',
            field=models.CharField(blank=True, choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High'), ('critical', 'Critical')], max_length=10, null=True, verbose_name='priority'),
        ),
        migrations.AddField(
            model_name='rating',
            name='resolved_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='resolved'),
        ),
        migrations.AddField(
            model_name='rating',
            name='status',
            field=models.CharField(choices=[('none', 'No case'), ('new', 'New'), ('open', 'Open'), ('escalated', 'Escalated'), ('resolved', 'Resolved')], db_default='none', default='none', max_length=10, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='message',
            name='author_kind',
            field=models.CharField(choices=[('customer', 'Customer'), ('staff', 'Staff'), ('auto_reply', 'Auto-reply'), ('system', 'System'), ('note', 'Internal note')], max_length=12),
        ),
        migrations.AddField(
            model_name='caseevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='caseevent',
            name='merchant',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='merchants.merchant'),
        ),
        migrations.AddField(
            model_name='caseevent',
            name='rating',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='case_events', to='ratings.rating'),
        ),
        migrations.AddIndex(
            model_name='caseevent',
            index=models.Index(fields=['merchant', 'rating', 'at', 'id'], name='case_event_log'),
        ),
        migrations.AddConstraint(
            model_name='caseevent',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['status', 'priority', 'owner', 'note'])), name='case_event_kind_known'),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(
                [
                    'ALTER TABLE ratings_message DROP CONSTRAINT message_author_kind_known;',
                    "ALTER TABLE ratings_message ADD CONSTRAINT message_author_kind_known CHECK (author_kind IN ('customer', 'staff', 'auto_reply', 'system', 'note')) NOT VALID;",
                    'ALTER TABLE ratings_message DROP CONSTRAINT message_staff_has_author;',
                    "ALTER TABLE ratings_message ADD CONSTRAINT message_staff_has_author CHECK (NOT (author_kind IN ('staff', 'note')) OR author_id IS NOT NULL) NOT VALID;",
                    "ALTER TABLE ratings_rating ADD CONSTRAINT rating_status_known CHECK (status IN ('none', 'new', 'open', 'escalated', 'resolved')) NOT VALID;",
                    "ALTER TABLE ratings_rating ADD CONSTRAINT rating_priority_iff_case CHECK ((status = 'none' AND priority IS NULL) OR (status <> 'none' AND priority IN ('low', 'medium', 'high', 'critical'))) NOT VALID;",
                    'ALTER TABLE ratings_rating ADD CONSTRAINT rating_followup_score_1_to_10 CHECK (followup_score IS NULL OR (followup_score >= 1 AND followup_score <= 10)) NOT VALID;',
                ],
                [
                    'ALTER TABLE ratings_rating DROP CONSTRAINT IF EXISTS rating_followup_score_1_to_10;',
                    'ALTER TABLE ratings_rating DROP CONSTRAINT IF EXISTS rating_priority_iff_case;',
                    'ALTER TABLE ratings_rating DROP CONSTRAINT IF EXISTS rating_status_known;',
                    'ALTER TABLE ratings_message DROP CONSTRAINT IF EXISTS message_staff_has_author;',
                    'ALTER TABLE ratings_message DROP CONSTRAINT IF EXISTS message_author_kind_known;',
                ],
            )],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name='message',
                    name='message_staff_has_author',
                ),
                migrations.RemoveConstraint(
                    model_name='message',
                    name='message_author_kind_known',
                ),
                migrations.AddConstraint(
                    model_name='message',
                    constraint=models.CheckConstraint(condition=models.Q(('author_kind__in', ['customer', 'staff', 'auto_reply', 'system', 'note'])), name='message_author_kind_known'),
                ),
                migrations.AddConstraint(
                    model_name='message',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('author_kind__in', ['staff', 'note']), _negated=True), ('author__isnull', False), _connector='OR'), name='message_staff_has_author'),
                ),
                migrations.AddConstraint(
                    model_name='rating',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['none', 'new', 'open', 'escalated', 'resolved'])), name='rating_status_known'),
                ),
                migrations.AddConstraint(
                    model_name='rating',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('priority__isnull', True), ('status', 'none')), models.Q(models.Q(('status', 'none'), _negated=True), ('priority__in', ['low', 'medium', 'high', 'critical'])), _connector='OR'), name='rating_priority_iff_case'),
                ),
                migrations.AddConstraint(
                    model_name='rating',
                    constraint=models.CheckConstraint(condition=models.Q(('followup_score__isnull', True), models.Q(('followup_score__gte', 1), ('followup_score__lte', 10)), _connector='OR'), name='rating_followup_score_1_to_10'),
                ),
            ],
        ),
        EnableRowLevelSecurity("ratings_caseevent"),
        migrations.RunSQL(*same_merchant_fk_sql("ratings_caseevent", "rating_id", "ratings_rating")),
    ]
