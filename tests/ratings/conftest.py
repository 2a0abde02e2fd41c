"""The API suite's clients, shared: the staff e-mails are caused through the API too (CASE-3, SLA-4)."""

from tests.api.conftest import admin_client, api_key, client_for  # noqa: F401
