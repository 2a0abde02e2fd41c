"""The database engine of every alias: Django's PostgreSQL backend with the tenant set per transaction."""
