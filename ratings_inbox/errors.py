"""Errors every app may raise, whatever its layer: the API answers them alike (API.md "Status codes")."""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The write contradicts existing data (API 409), e.g. a second rating for a visit."""


def violates(exc: Exception, constraint: str) -> bool:
    """Whether a database error is the violation of this constraint (on Citus, of its shard's copy,
    named with the shard's number: `rating_one_per_visit_102008`)."""
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) or ""
    return name == constraint or name.startswith(constraint + "_")


def messages_by_field(exc: ValidationError) -> dict[str, str]:
    """A ValidationError as one message per field, for a page's form; an error of no field
    is the form's ("form")."""
    if hasattr(exc, "error_dict"):
        return {field: " ".join(str(m) for m in messages) for field, messages in exc.message_dict.items()}
    return {"form": " ".join(exc.messages)}
