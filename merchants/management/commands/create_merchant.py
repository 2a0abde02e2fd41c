"""`manage.py create_merchant <slug> --name … --admin-email … --admin-password …` (API.md Operations)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from merchants.services import merchant_create

from ._helpers import command_error


class Command(BaseCommand):
    help = 'Create a merchant with its branch "Principal" and its first admin.'

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", required=True)
        parser.add_argument("--timezone", default="America/Bogota")
        parser.add_argument("--currency", default="COP")
        parser.add_argument("--language", default="es", choices=["es", "en"])

    def handle(self, *args, **opts):
        try:
            merchant = merchant_create(
                slug=opts["slug"], name=opts["name"], admin_email=opts["admin_email"],
                admin_password=opts["admin_password"], timezone_name=opts["timezone"],
                currency=opts["currency"].upper(), language=opts["language"],
            )
        except ValidationError as exc:
            raise command_error(exc) from exc
        self.stdout.write(f"Created merchant {merchant.slug} ({merchant.name}); admin {opts['admin_email']}.")
