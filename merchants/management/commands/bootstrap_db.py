"""`manage.py bootstrap_db`: create the database roles and the database (SEC-3)."""

import os

from django.core.management.base import BaseCommand

from merchants.bootstrap import ensure_roles_and_database


class Command(BaseCommand):
    help = ("Create the owner, application and sweeper database roles (no superuser) and the database, "
            "owned by the owner and granted to the others.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--maintenance-db", default=os.environ.get("DATABASE_MAINTENANCE_DB") or "postgres",
            help="the database connected to for the roles (DATABASE_MAINTENANCE_DB); on a Citus coordinator "
                 "one with the extension, so that Citus creates the roles on the workers too")

    def handle(self, *args, maintenance_db: str, **options):
        done = ensure_roles_and_database(maintenance=maintenance_db)
        for line in done or ["database roles and database already present"]:
            self.stdout.write(line)
