"""The per-customer rollup of the watchlist and the funnel (ANA-3, ANA-5): a new tenant table
with its composite keys and row-level security; ratings 0015 fills it."""

import django.db.models.deletion
from django.db import migrations, models

from merchants.distributable import TenantPrimaryKeys
from merchants.rls import EnableRowLevelSecurity, same_merchant_fk_sql


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('customers', '0004_customer_email_phone_indexes'),
        ('merchants', '0007_merchant_erase_after_months'),
    ]

    operations = [
        migrations.CreateModel(
            name='CustomerStats',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('visits', models.IntegerField(db_default=0, default=0)),
                ('spent_cents', models.BigIntegerField(db_default=0, default=0)),
                ('last_visit_at', models.DateTimeField(blank=True, null=True)),
                ('median_gap', models.DurationField(blank=True, null=True)),
                ('lapse_at', models.DateTimeField(blank=True, null=True)),
                ('last_rating_id', models.BigIntegerField(blank=True, null=True)),
                ('last_rating_at', models.DateTimeField(blank=True, null=True)),
                ('last_score', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('last_promoter_at', models.DateTimeField(blank=True, null=True)),
                ('customer', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer')),
                ('last_branch', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='merchants.branch')),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='merchants.merchant')),
            ],
            options={
                'indexes': [models.Index(fields=['merchant', '-spent_cents', '-id'], condition=models.Q(('lapse_at__isnull', False)), include=('lapse_at', 'last_branch', 'last_visit_at'), name='customer_stats_watch')],
                'constraints': [models.UniqueConstraint(fields=('merchant', 'customer'), name='customer_stats_unique'), models.CheckConstraint(condition=models.Q(('visits__gte', 0)), name='customer_stats_visits_not_negative'), models.CheckConstraint(condition=models.Q(('lapse_at__isnull', True), ('visits__gte', 3), _connector='OR'), name='customer_stats_lapse_needs_three_visits')],
            },
        ),
        TenantPrimaryKeys(),
        EnableRowLevelSecurity("customers_customerstats"),
        migrations.RunSQL(*same_merchant_fk_sql("customers_customerstats", "customer_id", "customers_customer")),
        migrations.RunSQL(*same_merchant_fk_sql("customers_customerstats", "last_branch_id", "merchants_branch")),
    ]
