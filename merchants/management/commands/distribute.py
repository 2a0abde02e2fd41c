"""`manage.py distribute`: the schema spread over a Citus cluster by merchant (SCALE-2).

Run on the coordinator after `migrate`, as the owner, any number of times: a table already in
Citus's metadata is left as it is, and a run that fails changes nothing (one transaction).
- tenant tables become distributed tables sharded by merchant_id, all co-located (a merchant's
  rows of every table on the same node, so joins and composite foreign keys stay on one shard);
- the other tables (merchants, users, tokens, sessions, Django's own; memberships and API keys,
  read before a merchant is chosen) become reference tables, copied whole to every node;
- the database forwards SET LOCAL to the workers (citus.propagate_set_commands), where the
  shards' row-level security reads the merchant the transaction set (ratings_inbox.postgres);
- policies lose their sub-selects, which Citus refuses (merchants.rls.citus_policy_sql).
merchants.distributable.citus_tables() derives both lists from the models. The foreign keys
among the tables being added are dropped first and added again at the end: Citus would otherwise
turn every local table connected to a new reference table into a "Citus local" table.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from psycopg2 import sql

from merchants.distributable import citus_tables
from merchants.rls import citus_policy_sql

DISTRIBUTION_COLUMN = "merchant_id"


class Command(BaseCommand):
    help = "On a Citus coordinator: tenant tables distributed by merchant_id, the others reference tables."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="owner", help="the alias to run as (the tables' owner)")
        parser.add_argument("--if-citus", action="store_true",
                            help="do nothing, successfully, on a database without Citus (the compose migrate job)")
        parser.add_argument("--shard-count", type=int, default=None,
                            help="shards of the co-located tables when they are first distributed (Citus: 32)")

    def handle(self, *args, database: str, shard_count: int | None, if_citus: bool, **options):
        connection = connections[database]
        reference, distributed = citus_tables(apps)
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
            if cursor.fetchone() is None:
                if if_citus:
                    self._say(options, "no Citus here: the tables stay as they are")
                    return
                raise CommandError("This database has no citus extension: distribute runs on a Citus coordinator.")
            cursor.execute("SET LOCAL citus.multi_shard_modify_mode = 'sequential'")
            cursor.execute(sql.SQL("ALTER DATABASE {} SET citus.propagate_set_commands = 'local'").format(
                sql.Identifier(connection.settings_dict["NAME"])))
            cursor.execute("SELECT logicalrelid::regclass::text FROM pg_dist_partition")
            known = {name for (name,) in cursor.fetchall()}
            new = [t for t in reference + distributed if t not in known]
            keys = self._drop_foreign_keys(cursor, new)
            cursor.execute("SELECT tablename, policyname FROM pg_policies WHERE tablename = ANY(%s)"
                           " AND (qual ~ '\\mSELECT\\M' OR with_check ~ '\\mSELECT\\M') ORDER BY 1, 2", [new])
            for table, policy in cursor.fetchall():
                cursor.execute(citus_policy_sql(table, policy))
            for table in reference:
                if table not in known:
                    cursor.execute("SELECT create_reference_table(%s)", [table])
                    self._say(options, f"reference table {table}")
            anchor = next((t for t in distributed if t in known), None)
            for table in distributed:
                if table in known:
                    continue
                if anchor is None:
                    cursor.execute("SELECT create_distributed_table(%s, %s, colocate_with => 'none',"
                                   " shard_count => %s)", [table, DISTRIBUTION_COLUMN, shard_count or 32])
                    anchor = table
                else:
                    cursor.execute("SELECT create_distributed_table(%s, %s, colocate_with => %s)",
                                   [table, DISTRIBUTION_COLUMN, anchor])
                self._say(options, f"distributed table {table} by {DISTRIBUTION_COLUMN}")
            for table, name, definition in keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
            # The rows copied into the shards stay in the coordinator's own tables until removed.
            for table in reversed(new):
                cursor.execute("SELECT truncate_local_data_after_distributing_table(%s)", [table])
        self._say(options, self.style.SUCCESS(
            f"{len(distributed)} distributed, {len(reference)} reference tables ({len(new)} new)"))

    def _say(self, options, text: str) -> None:
        if options["verbosity"]:
            self.stdout.write(text)

    @staticmethod
    def _drop_foreign_keys(cursor, tables: list[str]) -> list[tuple[str, str, str]]:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND (conrelid::regclass::text = ANY(%s) OR confrelid::regclass::text = ANY(%s))"
            " ORDER BY 1, 2", [tables, tables])
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        return keys
