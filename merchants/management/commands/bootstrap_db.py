"""`manage.py bootstrap_db`: create the non-superuser application role and its database."""

from django.core.management.base import BaseCommand

from merchants.bootstrap import ensure_app_role_and_database


class Command(BaseCommand):
    help = "Create the application's database role (no superuser, no BYPASSRLS) and database."

    def handle(self, *args, **options):
        for line in ensure_app_role_and_database() or ["database role and database already present"]:
            self.stdout.write(line)
