"""Fixtures of the inbox page tests: a logged-in member and a few ratings."""

import pytest


@pytest.fixture
def admin_client(client, make, merchant):
    admin = make.admin(merchant)
    admin.language = "en"  # assertions read English strings; the Spanish catalogue may change them
    admin.save(update_fields=["language"])
    client.force_login(admin)
    return client


@pytest.fixture
def inbox_url(merchant):
    return f"/m/{merchant.slug}/inbox/"
