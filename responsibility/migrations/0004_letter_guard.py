"""The database refuses to change a letter's frozen text, or anything about a signed letter.

One trigger on PostgreSQL (plpgsql) and the same rules as SQLite triggers, so that a signed letter
stays as signed whatever writes to the table: the portal, the admin, or a script past the service.
PostgreSQL also refuses to delete a signed letter row by row (TRUNCATE, which empties the whole
table, stays possible). SQLite has no TRUNCATE: ``flush`` and the test runner empty a table with
DELETE, so there the model refuses the deletion (a ``pre_delete`` receiver) instead.
"""

from django.db import migrations

TABLE = "responsibility_responsibilityletter"

# never change once the letter is issued
FROZEN = ["template_id", "year", "village_id", "unit_id", "party_key", "party_name", "title", "text"]
# never change once signed_at is set
SIGNED = [
    "signed_at",
    "signed_by_id",
    "signer_name",
    "signed_from",
    "signed_agent",
    "method",
    "signature",
    "signature_type",
    "text_sha256",
    "signature_sha256",
    "deadline",
    "issued_at",
    "issued_by_id",
]


def _pg_row(prefix: str, columns: list[str]) -> str:
    return "ROW(" + ", ".join(f"{prefix}.{column}" for column in columns) + ")"


PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION responsibility_letter_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.signed_at IS NOT NULL THEN
            RAISE EXCEPTION 'responsibility letter % is signed and cannot be deleted', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF {_pg_row("NEW", FROZEN)} IS DISTINCT FROM {_pg_row("OLD", FROZEN)} THEN
        RAISE EXCEPTION 'the text of responsibility letter % is frozen', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.signed_at IS NOT NULL AND {_pg_row("NEW", SIGNED)} IS DISTINCT FROM {_pg_row("OLD", SIGNED)} THEN
        RAISE EXCEPTION 'responsibility letter % is signed and cannot change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER responsibility_letter_guard
BEFORE UPDATE OR DELETE ON {TABLE}
FOR EACH ROW EXECUTE FUNCTION responsibility_letter_guard();
"""

PG_BACKWARD = f"""
DROP TRIGGER IF EXISTS responsibility_letter_guard ON {TABLE};
DROP FUNCTION IF EXISTS responsibility_letter_guard();
"""


def _sqlite_changed(columns: list[str]) -> str:
    return " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in columns)


SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER responsibility_letter_frozen BEFORE UPDATE ON {TABLE}
    FOR EACH ROW WHEN {_sqlite_changed(FROZEN)}
    BEGIN SELECT RAISE(ABORT, 'the text of a responsibility letter is frozen'); END
    """,
    f"""
    CREATE TRIGGER responsibility_letter_signed BEFORE UPDATE ON {TABLE}
    FOR EACH ROW WHEN OLD.signed_at IS NOT NULL AND ({_sqlite_changed(SIGNED)})
    BEGIN SELECT RAISE(ABORT, 'a signed responsibility letter cannot change'); END
    """,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS responsibility_letter_frozen",
    "DROP TRIGGER IF EXISTS responsibility_letter_signed",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"no guard for database {schema_editor.connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("responsibility", "0003_letters")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [PG_FORWARD], "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": [PG_BACKWARD], "sqlite": SQLITE_BACKWARD}),
        )
    ]
