"""`manage.py bootstrap_db`: create the database roles and the database (SEC-3)."""

from django.core.management.base import BaseCommand

from merchants.bootstrap import ensure_roles_and_database


class Command(BaseCommand):
    help = ("Create the owner, application and sweeper database roles (no superuser) and the database, "
            "owned by the owner and granted to the others.")

    def handle(self, *args, **options):
        for line in ensure_roles_and_database() or ["database roles and database already present"]:
            self.stdout.write(line)
