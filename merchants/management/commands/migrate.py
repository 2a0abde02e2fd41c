"""`manage.py migrate` as the owner role (SEC-3): the "owner" alias unless --database says otherwise.

The application role owns no table and cannot create or alter one, so Django's default alias
could not migrate; the owner's connection is the "owner" alias of the settings.
"""

from django.core.management.commands import migrate


class Command(migrate.Command):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database="owner")
