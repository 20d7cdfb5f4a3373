"""Shared by the benchmark scripts: point Django at the benchmark's own PostgreSQL database."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/chashan_bench"
PROJECT = Path(__file__).resolve().parents[1]


def bench_database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit(f"BENCH_DATABASE_URL must name a PostgreSQL database, not {url!r}")
    return url


def maintenance_connection(url: str):
    """An autocommit connection to the ``postgres`` database of ``url``'s server, to create or copy databases."""
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=unquote(parts.username or "") or None,
        password=unquote(parts.password or "") or None,
        host=parts.hostname,
        port=parts.port,
    )
    connection.autocommit = True
    return connection


def ensure_database(url: str) -> bool:
    """Create the benchmark database if it is missing; True when it was created."""
    from psycopg2 import sql

    name = unquote(urlsplit(url).path.lstrip("/"))
    if not name:
        sys.exit("BENCH_DATABASE_URL names no database")
    connection = maintenance_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            # template0 and UTF-8: pg_trgm must see Chinese characters as characters
            cursor.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name))
            )
            return True
    finally:
        connection.close()


def setup_django() -> str:
    """Configure Django for the benchmark database (created if missing); returns its URL."""
    url = bench_database_url()
    created = ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chashan_safety.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no sign-in log lines between the figures
    # the benchmark's clients sign in with force_login, without a second factor
    os.environ.setdefault("CHASHAN_REQUIRE_2FA", "0")
    # the benchmark serves no static files: WhiteNoise need not warn that none were collected
    warnings.filterwarnings("ignore", message="No directory at")
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))
    import django

    django.setup()
    if created:
        print(f"created the database {urlsplit(url).path.lstrip('/')}", flush=True)
    return url


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
