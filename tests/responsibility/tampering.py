"""Changing a letter behind the portal's back, as the database's owner could, past the guard."""

from __future__ import annotations

from django.db import connection

from responsibility.models import ResponsibilityLetter


def tamper(letter: ResponsibilityLetter, **columns) -> None:
    """Change a letter's row as the database's owner could: past the guard, straight in SQL."""
    table = ResponsibilityLetter._meta.db_table
    assignments = ", ".join(f"{column} = %s" for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # a superuser switches the triggers off for the session, the guard among them
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*columns.values(), letter.pk])  # noqa: S608 - names from the model
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            triggers = dict(cursor.fetchall())
            for name in triggers:
                cursor.execute(f"DROP TRIGGER {name}")
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*columns.values(), letter.pk])  # noqa: S608 - names from the model
            for sql in triggers.values():
                cursor.execute(sql)
