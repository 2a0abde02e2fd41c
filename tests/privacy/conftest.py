"""Fixtures of the privacy tests: the API suite's clients, and an admin's."""

from __future__ import annotations

import pytest


@pytest.fixture
def api(make, merchant, client_for):
    return client_for(make.admin(merchant))
