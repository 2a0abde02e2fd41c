"""Reads that span merchants, made as the sweeper role (SEC-3).

The application role sees one merchant at a time, and no setting widens that. The periodic
sweeps list what is due across merchants here — ids only — and then act on each merchant as
the application, under tenancy.tenant(); the operators' Django admin reads here too. The
sweeper role may only SELECT, so nothing written goes through this connection.
"""

from __future__ import annotations

from collections import defaultdict

SWEEPER = "sweeper"  # the DATABASES alias of DATABASE_SWEEPER_ROLE


def by_merchant(pairs) -> dict[int, list[int]]:
    """(merchant_id, id) pairs, as the sweeper listed them, grouped by merchant in their order."""
    grouped: dict[int, list[int]] = defaultdict(list)
    for merchant_id, row_id in pairs:
        grouped[merchant_id].append(row_id)
    return grouped
