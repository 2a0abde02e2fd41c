"""SEC-5: the plain keys of DRF's authtoken table become hashed tokens that expire.

Clients keep working with the key they hold: each key is stored as its SHA-256, valid
API_TOKEN_TTL_DAYS from this migration (not from its creation, so no client is cut off
without warning). The plain keys then go with their table, and authtoken's migration
records with them (the app is no longer installed). A database created after this change
never had the table: nothing to do.
"""

from django.conf import settings
from django.db import migrations

OLD_TABLE = "authtoken_token"


def hash_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    table = apps.get_model("accounts", "ApiToken")._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, key_hash, created_at, expires_at)"
            " SELECT user_id, encode(sha256(convert_to(key, 'UTF8')), 'hex'), created,"
            " now() + make_interval(days => %s)"
            f" FROM {OLD_TABLE}",
            [settings.API_TOKEN_TTL_DAYS],
        )
        cursor.execute(f"DROP TABLE {OLD_TABLE}")
        cursor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_api_token"),
    ]

    # Backwards there is nothing to restore: the plain keys are gone by design.
    operations = [migrations.RunPython(hash_plain_tokens, migrations.RunPython.noop)]
