"""What the deployment tests share: the real programs they drive and the test database as a URL.

nginx, gunicorn, pg_dump and pg_restore run as separate processes against the pytest test database,
so the tests that use them commit their data (``django_db(transaction=True)``) and need PostgreSQL
(an SQLite test database lives in the test process's memory). Without what they need they are
skipped with the reason, unless ``CHASHAN_DEPLOY_TESTS=1`` says they must run (CI sets it): then
they fail and say what is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
DEPLOY_DIR = BASE_DIR / "deploy"
VENV_BIN = Path(sys.executable).parent


def require(*, postgresql: bool = False, programs: tuple[str, ...] = ()) -> None:
    """Skip (or, with CHASHAN_DEPLOY_TESTS=1, fail) unless PostgreSQL and the named programs are here."""
    missing = []
    if postgresql and connection.vendor != "postgresql":
        missing.append("DATABASE_URL naming PostgreSQL (another process cannot see an SQLite test database)")
    missing += [f"the program {name}" for name in programs if not find_program(name)]
    if missing:
        message = "needs " + " and ".join(missing)
        if os.environ.get("CHASHAN_DEPLOY_TESTS") == "1":
            pytest.fail(message + " (CHASHAN_DEPLOY_TESTS=1 says the deployment tests must run)")
        pytest.skip(message)


def find_program(name: str) -> str | None:
    """A program on the PATH, in the virtual environment, or in /usr/sbin (nginx, for a user without it on the PATH)."""
    return shutil.which(name) or shutil.which(name, path=f"{VENV_BIN}{os.pathsep}/usr/sbin{os.pathsep}/sbin")


def database_url(name: str | None = None) -> str:
    """The pytest test database (test_…), or another database ``name`` on the same server, as a DATABASE_URL."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgresql://{auth}@{host}{port}/{quote(name or db['NAME'])}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
