"""Model instances from plain SQL, for the few lookups every request makes.

Compiling an ORM query costs more than running it when the query is a primary-key or
unique-key lookup: the token, the membership, the merchant of the URL, which every request
makes (bench/ has the figures). These helpers keep such SQL in step
with the models: the column list comes from the model, and the instance is built by
Model.from_db, as the ORM itself would build it.
"""

from __future__ import annotations

from functools import cache

from django.db import connection


@cache
def _fields(model) -> tuple[tuple[str, ...], tuple[str, ...]]:
    fields = model._meta.concrete_fields
    return (tuple(connection.ops.quote_name(f.column) for f in fields), tuple(f.attname for f in fields))


@cache
def _converted(model) -> tuple[tuple[int, object], ...]:
    """The fields whose database value the ORM converts (JSON arrives as text): (position, field)."""
    return tuple((i, f) for i, f in enumerate(model._meta.concrete_fields) if hasattr(f, "from_db_value"))


def select_list(model, alias: str) -> str:
    """`alias."col1", alias."col2", …` over the model's concrete fields, in field order."""
    return ", ".join(f"{alias}.{column}" for column in _fields(model)[0])


def width(model) -> int:
    return len(_fields(model)[1])


def instance(model, values):
    """The model instance of one row's values for select_list(model, …), converted as the ORM would."""
    converted = _converted(model)
    if converted:
        values = list(values)
        for position, field in converted:
            values[position] = field.from_db_value(values[position], None, connection)
    return model.from_db(connection.alias, list(_fields(model)[1]), values)


def instances(values, *models) -> list:
    """One instance per model from one row of select_list(model, …) columns, in that order."""
    result, start = [], 0
    for model in models:
        end = start + width(model)
        result.append(instance(model, values[start:end]))
        start = end
    return result
