"""Fixtures of the privacy tests: the API suite's clients, and an admin's."""

from __future__ import annotations

import pytest

from tests.api.conftest import client_for  # noqa: F401 - the API suite's fixture, shared


@pytest.fixture
def api(make, merchant, client_for):  # noqa: F811
    return client_for(make.admin(merchant))
