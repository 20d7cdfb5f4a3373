"""The load test: 40 people for 5 minutes against gunicorn on the million-finding database: ``python -m bench.load``.

1. ``python -m bench.generate`` makes sure the benchmark database holds its 1,000,000 findings, and
   the 100,000 incidents of ``bench.dashboard`` are loaded (both once; reused afterwards).
2. The accounts the simulated people sign in with (``load_<role>_NN``: village offices spread over the
   villages, officers over the zones, town administrators, superusers) get a fresh random password,
   and a TOTP device each where the portal has a second step (django-otp installed) for their role.
3. The run works on a copy of that database (``<name>_load``, made from it as a template in seconds and
   dropped afterwards), so that the uploads leave nothing behind; the photos go to a temporary folder.
4. gunicorn serves the portal as in production (``DJANGO_DEBUG=0``, static files collected once into
   ``var/load/static``) on a free port of 127.0.0.1, over plain HTTP: ``SECURE_SSL_REDIRECT=0``,
   ``SECURE_COOKIES=0``, ``SECURE_HSTS_SECONDS=0``.
5. Every person's every task runs once (``bench.locustfile --once``), which stops the run early when
   a flow is broken and warms the workers; then locust runs headless with ``bench/locustfile.py``.
6. The table: per endpoint, requests, errors, requests per second and the 50th, 95th and 99th
   percentiles of the response time; then the ledger against Django's admin changelist case by case.
   Exit status 1 when any request failed. Locust's CSV files and the logs stay in ``var/load/last/``.

``--users 10 --run-time 20s`` makes a short smoke run.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from bench.common import PROJECT, bench_database_url, maintenance_connection
from bench.generate import RARE_WORD

USERS = 40
SPAWN_RATE = 2.0  # people a second: each sign-in costs a password hash, which the ramp must not pile up
RUN_TIME = "5m"
#: the word the village offices search their own ledger for (fire safety: common in every village)
COMMON_WORD = "消防"
ACCOUNT_PREFIX = "load_"
DEVICE_NAME = "load test"
ROLES = ("village_office", "safety_officer", "town_admin", "superuser")
#: the roles that sign in with a second step where the portal has one
SECOND_STEP_ROLES = ("town_admin", "superuser")
LOCUSTFILE = PROJECT / "bench" / "locustfile.py"
#: the locustfile's: which accounts of each role the people start from
ACCOUNT_OFFSET_VARIABLE = "CHASHAN_LOAD_ACCOUNT_OFFSET"
#: the rows of the table, grouped in this order (by the start of their name)
GROUPS = (
    "sign in",
    "home",
    "ledger (village office)",
    "ledger (safety officer)",
    "ledger (town admin)",
    "admin changelist",
    "finding detail",
    "dashboard",
    "sites",
    "inspection",
    "upload",
)


def var_dir() -> Path:
    return Path(os.environ.get("CHASHAN_VAR_DIR", PROJECT / "var")) / "load"


# --- the data and the accounts ----------------------------------------------------------------------


def ensure_data(python: str, environment: dict) -> None:
    """The million findings (``bench.generate``), then the incidents of ``bench.dashboard``; both reused."""
    subprocess.run([python, "-m", "bench.generate"], cwd=PROJECT, env=environment, check=True)  # noqa: S603
    from django.core.management import call_command

    from bench.dashboard import INCIDENTS, load_incidents

    call_command("migrate", "incidents", interactive=False, verbosity=0)
    load_incidents(INCIDENTS, force=False)


def prepare_accounts(*, per_role: int, password: str) -> dict:
    """Accounts of each role for the simulated people, with ``password``; returns the plan for the locustfile.

    Safe to run again: the accounts are updated, not duplicated. Village offices are spread over the
    villages and officers over the zones, so that the people of one role do not all read the same rows.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from chashan_safety.models import Role, User
    from inspections.models import Zone
    from responsibility.models import Village

    villages = list(Village.objects.order_by("order", "pk"))
    zones = list(Zone.objects.order_by("order", "pk"))
    if not villages or not zones:
        raise SystemExit("the database has no villages or zones for the load test's people to belong to")
    hashed = make_password(password)  # hashed once: every account has the same password
    accounts: dict[str, list[str]] = {}
    second_step: list[User] = []
    with transaction.atomic():
        for role in ROLES:
            accounts[role] = []
            for n in range(per_role):
                username = f"{ACCOUNT_PREFIX}{role}_{n + 1:02d}"
                fields = {
                    "password": hashed,
                    "is_active": True,
                    "full_name": f"负载测试{n + 1:02d}",
                    "role": Role.TOWN_ADMIN if role == "superuser" else role,
                    "is_staff": role == "superuser",
                    "is_superuser": role == "superuser",
                    "village": villages[n % len(villages)] if role == "village_office" else None,
                }
                user, _created = User.objects.update_or_create(username=username, defaults=fields)
                user.zones.set([zones[n % len(zones)]] if role == "safety_officer" else [])
                accounts[role].append(username)
                if role in SECOND_STEP_ROLES:
                    second_step.append(user)
        totp = _totp_keys(second_step)
    return {
        "password": password,
        "accounts": accounts,
        "totp": totp,
        "villages": [village.pk for village in villages],
        "search_word": RARE_WORD,
        "common_word": COMMON_WORD,
    }


def _totp_keys(users) -> dict[str, str]:
    """A confirmed TOTP device for each user, where the portal has django-otp; {username: hex key}."""
    from django.apps import apps

    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return {}
    from django_otp.plugins.otp_totp.models import TOTPDevice

    keys = {}
    for user in users:
        device, _created = TOTPDevice.objects.get_or_create(user=user, name=DEVICE_NAME, defaults={"confirmed": True})
        keys[user.username] = device.key
    return keys


# --- the copy of the database -----------------------------------------------------------------------


def _name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def copy_database(url: str) -> str:
    """A copy of ``url``'s database, made from it as a template; returns the copy's URL."""
    from psycopg2 import errors, sql

    parts = urlsplit(url)
    copy = f"{_name(url)}_load"
    connection = maintenance_connection(url)
    try:
        with connection.cursor() as cursor:
            # a copy left by a run that was killed
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy)))
            try:
                cursor.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(copy), sql.Identifier(_name(url)))
                )
            except errors.ObjectInUse:
                raise SystemExit(
                    f"{_name(url)} is in use by another session (a benchmark running?): PostgreSQL copies a "
                    "database only when no one is connected to it. Try again when it is free."
                ) from None
    finally:
        connection.close()
    return urlunsplit(parts._replace(path=f"/{copy}"))


def drop_database(url: str) -> None:
    from psycopg2 import sql

    connection = maintenance_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(_name(url))))
    finally:
        connection.close()


# --- gunicorn ---------------------------------------------------------------------------------------


def _static_fingerprint() -> str:
    """What collectstatic would collect: every file the finders see, by path, size and time."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static(python: str, environment: dict, root: Path) -> None:
    """The hashed, compressed static files of production, collected again only when a file changed."""
    stamp = root / ".fingerprint"
    fingerprint = _static_fingerprint()
    if stamp.exists() and stamp.read_text() == fingerprint and (root / "staticfiles.json").exists():
        return
    print(f"  collecting static files into {root} (again only when one changes)", flush=True)
    subprocess.run(  # noqa: S603 (this interpreter, manage.py)
        [python, "manage.py", "collectstatic", "--noinput", "--clear", "--verbosity", "0"],
        cwd=PROJECT,
        env={**environment, "STATIC_ROOT": str(root)},
        check=True,
    )
    stamp.write_text(fingerprint)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own server on 127.0.0.1)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def gunicorn(python: str, environment: dict, *, port: int, workers: int, log: Path) -> Iterator[str]:
    """gunicorn serving the portal on 127.0.0.1:``port`` until the block ends; yields its base URL."""
    base = f"http://127.0.0.1:{port}"
    command = [
        python, "-m", "gunicorn", "chashan_safety.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60",
        "--graceful-timeout", "10", "--error-logfile", str(log), "--log-level", "warning",
    ]  # fmt: skip
    # the portal's own log lines (sign-ins, warnings) go to gunicorn's log, not between the figures
    with log.open("a") as output:
        server = subprocess.Popen(  # noqa: S603
            command, cwd=PROJECT, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 90
        while not _answers(f"{base}/accounts/login/"):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; its log:\n{_tail(log)}")
            time.sleep(0.5)
        yield base
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def _tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- locust and its figures -------------------------------------------------------------------------


def run_once(python: str, environment: dict, base: str, log: Path) -> None:
    """Every person's every task once: a broken flow stops the run here, not after five minutes."""
    with log.open("w") as output:
        result = subprocess.run(  # noqa: S603
            [python, "-m", "bench.locustfile", "--once", "--host", base],
            cwd=PROJECT, env=environment, stdout=output, stderr=subprocess.STDOUT, check=False,
        )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"a flow of the load test fails; nothing was measured. Its log:\n{_tail(log, 40)}")


def run_locust(python: str, environment: dict, base: str, args, prefix: Path, log: Path) -> int:
    command = [
        python, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", base,
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", args.run_time,
        "--csv", str(prefix), "--only-summary", "--stop-timeout", "15", "--loglevel", "WARNING",
    ]  # fmt: skip
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 (this interpreter, locust)
            command, cwd=PROJECT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            return process.wait()
        except KeyboardInterrupt:
            # Ctrl-C in a terminal reaches locust too: it stops its people and writes the figures so far
            try:
                return process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.terminate()  # locust's SIGTERM does the same
                return process.wait()


def _group(name: str) -> int:
    for index, start in enumerate(GROUPS):
        if name.startswith(start):
            return index
    return len(GROUPS)


def read_stats(prefix: Path) -> tuple[list[dict], dict | None]:
    """Locust's per-endpoint rows, in the table's order, and its aggregated row."""
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    total = next((row for row in rows if row["Name"] == "Aggregated"), None)
    rows = [row for row in rows if row["Name"] != "Aggregated"]
    rows.sort(key=lambda row: (_group(row["Name"]), row["Name"], row["Type"]))
    return rows, total


def read_errors(prefix: Path) -> tuple[list[dict], list[dict]]:
    failures, exceptions = [], []
    for suffix, into in (("failures", failures), ("exceptions", exceptions)):
        path = Path(f"{prefix}_{suffix}.csv")
        if path.exists():
            with path.open(newline="", encoding="utf-8") as file:
                into.extend(csv.DictReader(file))
    return failures, exceptions


def _ms(value: str) -> str:
    return "—" if value in ("", "N/A") else f"{float(value):,.0f}"


def table(rows: list[dict], total: dict | None) -> str:
    header = f"{'endpoint':<42} {'requests':>8} {'errors':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    lines = [header, "-" * len(header)]
    for row in [*rows, *([total] if total else [])]:
        name = "all requests" if row is total else f"{row['Type']} {row['Name']}"
        lines.append(
            f"{name:<42} {int(row['Request Count']):>8,} {int(row['Failure Count']):>6} "
            f"{float(row['Requests/s']):>6.2f} {_ms(row['50%']):>7} {_ms(row['95%']):>7} {_ms(row['99%']):>7}"
        )
        if row is not total and rows and row is rows[-1]:
            lines.append("-" * len(header))
    return "\n".join(lines)


def comparison(rows: list[dict]) -> str:
    """The ledger against the admin changelist, case by case, at the same moment under the same load."""
    by_name = {row["Name"]: row for row in rows}
    lines = []
    for row in rows:
        if not row["Name"].startswith("admin changelist: "):
            continue
        case = row["Name"].removeprefix("admin changelist: ")
        ours = by_name.get(f"ledger (town admin): {case}")
        if ours is None or int(ours["Request Count"]) == 0 or int(row["Request Count"]) == 0:
            continue
        ratios = []
        for column in ("50%", "95%"):
            admin_ms, our_ms = float(row[column]), float(ours[column])
            ratios.append(f"{admin_ms / our_ms:.1f}×" if our_ms else "—")
        lines.append(
            f"{case:<18} {_ms(ours['50%']):>9} {_ms(row['50%']):>9} {ratios[0]:>10}   "
            f"{_ms(ours['95%']):>9} {_ms(row['95%']):>9} {ratios[1]:>10}"
        )
    if not lines:
        return ""
    header = (
        f"{'ledger case':<18} {'ours p50':>9} {'admin p50':>9} {'admin/ours':>10}   {'ours p95':>9} {'admin p95':>9} "
        f"{'admin/ours':>10}"
    )
    return "\n".join(
        [
            "the ledger as a town administrator (25 a page) against the admin changelist as registered "
            "(100 a page), ms:",
            header,
            "-" * len(header),
            *lines,
        ]
    )


# --- the run ----------------------------------------------------------------------------------------


def _facts() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inspections_finding")
        findings = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM incidents_incident")
        incidents = cursor.fetchone()[0]
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]
    return f"{findings:,} findings, {incidents:,} incidents · {version}"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=USERS, help=f"people at once (default {USERS})")
    parser.add_argument(
        "--spawn-rate", type=float, default=SPAWN_RATE, help=f"people started a second (default {SPAWN_RATE:g})"
    )
    parser.add_argument("--run-time", default=RUN_TIME, help=f"how long, e.g. 20s, 5m (default {RUN_TIME})")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn's worker processes (default 2 × CPUs + 1)",
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port on 127.0.0.1 (default: a free one)")
    args = parser.parse_args(argv)
    if args.users < 1 or args.workers < 1 or args.spawn_rate <= 0:
        parser.error("--users, --workers and --spawn-rate must be positive")
    return args


class _Steps:
    """Prints each step of the preparation with the time it took."""

    def __init__(self):
        self.started = time.monotonic()

    def done(self, message: str) -> None:
        now = time.monotonic()
        print(f"  {message} ({now - self.started:.0f} s)", flush=True)
        self.started = now


def serving_environment(base: dict, *, database_url: str, scratch: Path, plan_path: Path) -> dict:
    """The environment of production for gunicorn, over plain HTTP on 127.0.0.1."""
    return {
        **base,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": "filesystem://",  # no page queues a task: the shared Redis is left alone
        "CHASHAN_VAR_DIR": str(scratch / "var"),
        "MEDIA_ROOT": str(scratch / "media"),
        "STATIC_ROOT": str(var_dir() / "static"),
        "LOG_LEVEL": "WARNING",
        "CHASHAN_LOAD_PLAN": str(plan_path),
    }


def report(out: Path, *, heading: str) -> int:
    """Print the figures of the run in ``out``; the number of errors."""
    rows, total = read_stats(out / "locust")
    failures, exceptions = read_errors(out / "locust")
    errors = sum(int(row["Failure Count"]) for row in rows) + sum(int(row["Count"]) for row in exceptions)
    print(f"\n{heading}\n\n{table(rows, total)}\n")
    compared = comparison(rows)
    if compared:
        print(f"{compared}\n")
    print(f"errors: {errors} (target 0)")
    for failure in failures[:10]:
        print(f"  {failure['Occurrences']}× {failure['Method']} {failure['Name']}: {failure['Error']}")
    for exception in exceptions[:5]:
        print(f"  {exception['Count']}× {exception['Message']}")
    return errors


def main(argv=None) -> int:
    args = parse_args(argv)
    python = sys.executable
    url = bench_database_url()
    # the children's environment: the caller's, with the benchmark database named and the portal's own unset
    base = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    base["BENCH_DATABASE_URL"] = url
    base.setdefault("LOG_LEVEL", "WARNING")
    from bench.common import setup_django

    print(f"preparing the load test on {url}", flush=True)
    steps = _Steps()
    setup_django()
    ensure_data(python, base)
    facts = _facts()
    steps.done("the benchmark data")
    # one account more of each role than people: the single pass before the run signs in with it
    plan_data = prepare_accounts(per_role=args.users + 1, password=secrets.token_urlsafe(18))
    steps.done(f"{args.users + 1} accounts of each role: {', '.join(ROLES)}")
    from django.db import connections

    connections.close_all()  # PostgreSQL copies a database only while no one is connected to it
    out = var_dir() / "last"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    plan_path = out / "plan.json"
    plan_path.touch(mode=0o600)  # it holds the accounts' password
    plan_path.write_text(json.dumps(plan_data, ensure_ascii=False))

    copy = copy_database(url)
    steps.done(f"copied {_name(url)} to {_name(copy)}")
    try:
        with tempfile.TemporaryDirectory(prefix="chashan-load-") as scratch:
            environment = serving_environment(base, database_url=copy, scratch=Path(scratch), plan_path=plan_path)
            collect_static(python, environment, var_dir() / "static")
            steps.done("static files")
            port = args.port or free_port()
            with gunicorn(python, environment, port=port, workers=args.workers, log=out / "gunicorn.log") as server:
                steps.done(f"gunicorn: {args.workers} workers on {server}, DEBUG off")
                once = {**environment, ACCOUNT_OFFSET_VARIABLE: str(args.users)}
                run_once(python, once, server, out / "once.log")
                steps.done("every task of every person once")
                print(
                    f"locust: {args.users} people (starting {args.spawn_rate:g} a second) for {args.run_time}, "
                    f"1–4 s between a person's requests; its log: {out / 'locust.log'}",
                    flush=True,
                )
                status = run_locust(python, environment, server, args, out / "locust", out / "locust.log")
    finally:
        drop_database(copy)
    if not Path(f"{out / 'locust'}_stats.csv").exists():
        print(f"locust wrote no figures (exit status {status}); its log:\n{_tail(out / 'locust.log')}")
        return 1
    heading = f"{facts} · gunicorn {args.workers} workers · {args.users} people for {args.run_time}"
    errors = report(out, heading=heading)
    return 1 if errors or status else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted: gunicorn was stopped and the copy of the database dropped")
