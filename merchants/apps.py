from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _set_idle_tenancy(sender, connection, **kwargs):
    from .tenancy import idle_all_merchants

    value = idle_all_merchants()
    if value and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.all_merchants', %s, false)", [value])


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = "Merchants and tenancy"

    def ready(self):
        connection_created.connect(_set_idle_tenancy, dispatch_uid="merchants.idle_tenancy")
