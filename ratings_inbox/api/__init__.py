"""Shared machinery of REST API v1 (API.md): authentication, permissions, pagination, errors."""
