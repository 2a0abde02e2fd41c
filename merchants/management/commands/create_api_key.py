"""`manage.py create_api_key <slug> --name …`: prints the new integration key alone on stdout."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from merchants import tenancy
from merchants.services import api_key_create

from ._helpers import command_error, merchant_by_slug


class Command(BaseCommand):
    help = "Create an integration key for a merchant and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)

    def handle(self, *args, **opts):
        merchant = merchant_by_slug(opts["slug"])
        try:
            with tenancy.tenant(merchant.pk):
                _, raw_key = api_key_create(merchant=merchant, name=opts["name"])
        except ValidationError as exc:
            raise command_error(exc) from exc
        self.stdout.write(raw_key)
