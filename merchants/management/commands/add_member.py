"""`manage.py add_member <slug> --email … --password … --role … [--branches ID,ID]`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from merchants import tenancy
from merchants.services import member_add

from ._helpers import command_error, merchant_by_slug


class Command(BaseCommand):
    help = "Add a member (creating the user if new) to a merchant with a role."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--email", required=True)
        parser.add_argument("--password")
        parser.add_argument("--role", required=True, choices=["staff", "agent", "admin"])
        parser.add_argument("--branches", default="", help="Comma-separated branch ids (default: all).")

    def handle(self, *args, **opts):
        try:
            branch_ids = [int(part) for part in opts["branches"].split(",") if part.strip()]
        except ValueError as exc:
            raise CommandError("--branches takes comma-separated numeric ids, e.g. 3,7.") from exc
        merchant = merchant_by_slug(opts["slug"])
        try:
            with tenancy.tenant(merchant.pk):
                membership = member_add(
                    merchant=merchant, email=opts["email"], password=opts["password"],
                    role=opts["role"], branch_ids=branch_ids or None,
                )
        except ValidationError as exc:
            raise command_error(exc) from exc
        scope = f"branches {branch_ids}" if branch_ids else "all branches"
        self.stdout.write(f"{membership.user.email} is {membership.role} of {merchant.slug} ({scope}).")
