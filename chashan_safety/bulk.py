"""``INSERT … SELECT … ON CONFLICT DO NOTHING`` from a queryset: set-based writes in one query.

The sweep and the cards write thousands of rows as one statement, whatever their number; a row
that a unique constraint already holds is skipped, which is what makes them safe to repeat.
Works on PostgreSQL and SQLite (3.24+).
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models.expressions import Combinable


def insert_select(model: type[models.Model], queryset: models.QuerySet, columns: dict[str, Combinable]) -> int:
    """Insert into ``model`` one row per row of ``queryset``; ``columns`` maps column names to expressions.

    Returns the number of rows inserted.
    """
    aliases = {f"c_{column}": expression for column, expression in columns.items()}
    sql, params = queryset.values(**aliases).query.sql_with_params()
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(column) for column in columns)
    select_list = ", ".join(f"src.{quote(alias)}" for alias in aliases)
    # table and column names come from the model, the SELECT from the ORM with its own parameters
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} ({column_list}) "  # nosec B608
        f"SELECT {select_list} FROM ({sql}) src WHERE 1 = 1 ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)
