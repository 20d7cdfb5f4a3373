"""Trigram indexes for the ledger's text search (PostgreSQL only; SQLite scans, which suits a laptop).

Django's ``icontains`` compares ``UPPER(column) LIKE UPPER(%s)``, so the indexes are on
``UPPER(column)`` with ``gin_trgm_ops``; pg_trgm handles Chinese text under a UTF-8 ctype.
"""

from django.db import migrations

INDEXES = [
    ("finding_description_trgm", "inspections_finding", "description"),
    ("site_name_trgm", "inspections_site", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_sites_inspections_findings")]

    operations = [migrations.RunPython(create, drop)]
