"""The demo town, loaded once per test session and put back as loaded for every test that asks for it.

``manage.py load_demo`` takes 15–20 s. The browser journeys run under ``transactional_db``, which empties
every table after each test, so loading the demo for each of them would cost minutes. On PostgreSQL the
first test that asks loads it for real and copies every table (``COPY … TO STDOUT``, kept in memory), the
sequences and the media files the demo's rows name; each later test gets exactly that back: every table
emptied, the rows copied in, the sequences set as after the load (so the ids are the same), any demo file
that a test deleted or changed copied back, and the caches cleared. On any other database (SQLite, when
``DATABASE_URL`` is not set) each test loads the demo for real, as before.

Restoring runs with ``session_replication_role = replica`` when the database user may set it (a superuser,
as in CI), so that no trigger (the responsibility letters' guard, the foreign keys' checks) sees the old rows
go or the new ones come; then the tables that hold rows are emptied with DELETE. Without it every table is
emptied with TRUNCATE, which the letters' guard does not watch, and the foreign keys are checked at commit
(Django makes them deferrable).

The demo's dates are relative to today: when the day changes during a run, the next test loads it anew.
"""

from __future__ import annotations

import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone


@dataclass(frozen=True)
class DemoFile:
    """A file that a row of the demo names (a photo, its thumbnail), with a pristine copy to put back."""

    storage: object
    name: str
    copy: Path
    size: int


def load_demo() -> None:
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def empty_tables() -> None:
    """Empty every table as ``transactional_db`` does after each test (content types and permissions come back)."""
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)


def clear_caches() -> None:
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()  # the ids of the content types are the snapshot's, not the flush's
    for cache in caches.all():
        cache.clear()


class DemoSnapshot:
    """``apply()`` in a test with a transactional database: the demo as freshly loaded, in about a second."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.day = None  # the day the demo was loaded; None: not yet loaded
        self.tables: list[str] = []  # every table Django knows (the ones the flush empties)
        self.rows: dict[str, bytes] = {}  # table → its rows as COPY text, for the tables that have any
        self.sequences: list[tuple[str, int | None, int]] = []  # (name, last value or None if unused, start)
        self.files: list[DemoFile] = []
        self.loads = 0
        self.restores = 0

    @staticmethod
    def supported() -> bool:
        return connection.vendor == "postgresql"

    def apply(self) -> None:
        if not self.supported():
            load_demo()
        elif self.day != timezone.localdate():
            self.take()
        else:
            self.restore()
        clear_caches()

    # --- taking the snapshot -------------------------------------------------------------------------

    def take(self) -> None:
        """Load the demo for real into emptied tables, then copy what it wrote."""
        empty_tables()  # the very first test of a run still has what the data migrations inserted
        clear_caches()
        day = timezone.localdate()
        load_demo()
        self.loads += 1
        self.tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
        self.rows = {table: data for table in self.tables if (data := self.copy_out(table))}
        self.sequences = self.read_sequences()
        self.files = self.copy_files()
        self.day = day

    def copy_out(self, table: str) -> bytes:
        buffer = io.BytesIO()
        sql = f"COPY {connection.ops.quote_name(table)} TO STDOUT"
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(sql, buffer)  # psycopg2's, the driver the project pins
        return buffer.getvalue()

    @staticmethod
    def read_sequences() -> list[tuple[str, int | None, int]]:
        with connection.cursor() as cursor:
            cursor.execute(
                # no parameters: the %I are format()'s, not placeholders
                "SELECT format('%I.%I', schemaname, sequencename), last_value, start_value FROM pg_sequences "
                "WHERE schemaname = current_schema() ORDER BY 1"
            )
            return [tuple(row) for row in cursor.fetchall()]

    def copy_files(self) -> list[DemoFile]:
        """Keep a copy of every file on the file system that a row names: a test may delete or replace one."""
        files = []
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.FileField):
                    continue
                names = model._base_manager.exclude(**{field.attname: ""}).values_list(field.attname, flat=True)
                for name in names.iterator():
                    if not name:
                        continue
                    try:
                        source = Path(field.storage.path(name))
                    except NotImplementedError:  # not on the file system: nothing to keep
                        continue
                    if not source.is_file():
                        continue
                    copy = self.directory / "media" / name
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, copy)
                    files.append(DemoFile(field.storage, name, copy, copy.stat().st_size))
        return files

    # --- restoring it --------------------------------------------------------------------------------

    def restore(self) -> None:
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            replica = cursor.fetchone()[0]
            if replica:
                cursor.execute("SET LOCAL session_replication_role = replica")
                # after the flush only a few tables hold rows (content types, permissions): deleting those is
                # quicker than a TRUNCATE, which costs the same for an empty table and must name all of them
                exists = ", ".join(f"EXISTS (SELECT FROM {quote(table)})" for table in self.tables)
                cursor.execute(f"SELECT {exists}")
                for table, filled in zip(self.tables, cursor.fetchone(), strict=True):
                    if filled:
                        cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
            else:  # the letters' guard refuses to delete a signed letter row by row
                cursor.execute(f"TRUNCATE {', '.join(quote(table) for table in self.tables)}")
            for table, data in self.rows.items():
                self.copy_in(cursor, table, data)
            if self.sequences:
                # an unused sequence (no last value) goes back to its start, its next value being the start
                setvals = ", ".join("setval(%s, %s, %s)" for _ in self.sequences)
                params = []
                for name, last, start in self.sequences:
                    params += [name, start, False] if last is None else [name, last, True]
                cursor.execute(f"SELECT {setvals}", params)
        self.restore_files()
        self.restores += 1

    @staticmethod
    def copy_in(cursor, table: str, data: bytes) -> None:
        sql = f"COPY {connection.ops.quote_name(table)} FROM STDIN"
        cursor.cursor.copy_expert(sql, io.BytesIO(data))

    def restore_files(self) -> None:
        for file in self.files:
            # the storage follows MEDIA_ROOT, which a test may have pointed elsewhere before asking for the demo
            target = Path(file.storage.path(file.name))
            if not target.is_file() or target.stat().st_size != file.size:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file.copy, target)

    # --- for the tests of this module --------------------------------------------------------------------

    def differences(self) -> list[str]:
        """What the database holds now that the snapshot does not (or the other way round); [] when the same."""
        differences = []
        for table in self.tables:
            now = sorted(self.copy_out(table).splitlines())
            then = sorted(self.rows.get(table, b"").splitlines())
            if now != then:
                differences.append(f"{table}: {len(then)} rows loaded, {len(now)} now")
        now = {name: last for name, last, _start in self.read_sequences()}
        for name, last, _start in self.sequences:
            if now.get(name, "missing") != last:
                differences.append(f"sequence {name}: {last} after the load, {now.get(name, 'missing')} now")
        for file in self.files:
            target = Path(file.storage.path(file.name))
            if not target.is_file() or target.read_bytes() != file.copy.read_bytes():
                differences.append(f"file {file.name} is missing or changed")
        return differences
