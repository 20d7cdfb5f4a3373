"""Time the reminder sweep on 100,000 overdue findings: ``python -m bench.reminders``.

Into its own PostgreSQL database (``BENCH_REMINDERS_DATABASE_URL``, default
postgresql://postgres@127.0.0.1:5432/chashan_bench_reminders; created and migrated when missing), it
loads the demo town (villages, zones, sections and their heads, officers, the demo logins) with
``load_demo``, gives every village and a few units an office account, and then, for each scenario
(a number of findings, and how many days overdue they are at most):

1. empties the findings, reminders, notifications, cards and letters, and inserts the open findings
   with one ``INSERT … SELECT generate_series``: 1 to N days overdue, a quarter of them to be fixed
   by a unit, the rest by their village;
2. times the first sweep of today, which records every reminder the ladder owes with its
   notifications, cards and draft supervision letters, and counts its queries;
3. times a second sweep of the same day, which must create nothing.

The scenarios: 10,000 and 100,000 findings 1–30 days overdue, a backlog on the first day of the
portal (each is reminded at the rung it has reached, half of them at day 15 with a red card and a
draft letter, and everybody of the rungs below is told), and 100,000 findings one day overdue (one
rung each, the daily case).

Targets (issue 4): the first sweep at most 5 s on 100,000 findings, the second at most 1 s, and the
same number of queries for 10,000 findings as for 100,000.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from dataclasses import dataclass
from urllib.parse import urlsplit

from bench.common import PROJECT, ensure_database, migrate

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/chashan_bench_reminders"
#: (findings, at most this many days overdue)
SCENARIOS = ((10_000, 30), (100_000, 30), (100_000, 1))
FIRST_TARGET = 5.0
SECOND_TARGET = 1.0
#: the inspections were this many days before the sweep
FOUND_DAYS_AGO = 40
SITES_PER_VILLAGE = 10
UNIT_SHARE = 0.25


def setup_django() -> str:
    url = os.environ.get("BENCH_REMINDERS_DATABASE_URL", DEFAULT_URL)
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit(f"BENCH_REMINDERS_DATABASE_URL must name a PostgreSQL database, not {url!r}")
    created = ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chashan_safety.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", message="No directory at")
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))
    import django

    django.setup()
    if created:
        print(f"created the database {urlsplit(url).path.lstrip('/')}", flush=True)
    return url


# --- the town ---------------------------------------------------------------------------------------


def load_town() -> dict:
    """The demo town, an office account for every village and for the units that fix findings."""
    import io

    from django.core.management import call_command
    from django.utils import timezone

    from chashan_safety.models import Role, User
    from inspections.models import Inspection, Site
    from responsibility.models import Unit, Village

    call_command("load_demo", stdout=io.StringIO())
    villages = list(Village.objects.order_by("order", "pk"))
    units = list(Unit.objects.order_by("pk")[:10])
    offices = [
        User(username=f"bench_village_{v.pk}", full_name=f"{v.name}安全办", role=Role.VILLAGE_OFFICE, village=v)
        for v in villages
        if not User.objects.filter(role=Role.VILLAGE_OFFICE, village=v).exists()
    ] + [
        User(username=f"bench_unit_{u.pk}", full_name=f"{u.name}安全科", role=Role.UNIT_OFFICE, unit=u)
        for u in units
        if not User.objects.filter(role=Role.UNIT_OFFICE, unit=u).exists()
    ]
    for user in offices:
        user.set_unusable_password()
    User.objects.bulk_create(offices)

    officer = User.objects.filter(role=Role.SAFETY_OFFICER, zones__isnull=False).order_by("pk").first()
    started_at = timezone.now() - timezone.timedelta(days=FOUND_DAYS_AGO)
    inspections = []
    for village in villages:
        for n in range(SITES_PER_VILLAGE):
            site, _ = Site.objects.get_or_create(
                name=f"{village.name}基准测试企业{n + 1:02d}号",
                village=village,
                defaults={"contact_name": "负责人", "contact_phone": "13800000000"},
            )
            inspection = Inspection.objects.filter(site=site).first() or Inspection.objects.create(
                site=site, led_by=officer, started_at=started_at
            )
            inspections.append((inspection.pk, site.pk, village.pk))
    return {"inspections": inspections, "units": [u.pk for u in units], "officer": officer.pk}


def load_findings(town: dict, count: int, overdue_days: int) -> None:
    """Empty what the sweeps write and the findings; insert ``count`` open findings 1 … ``overdue_days`` overdue."""
    from django.db import connection
    from django.utils import timezone

    from chashan_safety.models import DigestDelivery, Notification, Reminder
    from inspections.models import Finding, FindingEvent, Photo
    from responsibility.models import Card, SupervisionLetter

    quote = connection.ops.quote_name
    emptied = [
        Notification,
        DigestDelivery,
        Reminder,
        SupervisionLetter,
        SupervisionLetter.history.model,
        Card,
        Photo,
        FindingEvent,
        Finding.history.model,
        Finding,
    ]
    today = timezone.localdate()
    found_on = today - timezone.timedelta(days=FOUND_DAYS_AGO)
    inspection_ids = [row[0] for row in town["inspections"]]
    site_ids = [row[1] for row in town["inspections"]]
    village_ids = [row[2] for row in town["inspections"]]
    # every column of the finding: these computed, the rest (texts, category …) the same for all
    computed = {
        "id": "g",
        "number": "'BR' || lpad(g::text, 8, '0')",
        "inspection_id": f"(%(inspections)s::bigint[])[1 + mod(g, {len(inspection_ids)})]",
        "site_id": f"(%(sites)s::bigint[])[1 + mod(g, {len(site_ids)})]",
        "village_id": f"(%(villages)s::bigint[])[1 + mod(g, {len(village_ids)})]",
        "responsible_unit_id": (
            f"CASE WHEN mod(g, 100) < {int(UNIT_SHARE * 100)} "
            f"THEN (%(units)s::bigint[])[1 + mod(g / 100, {len(town['units'])})] END"
        ),
        "responsible_village_id": (
            f"CASE WHEN mod(g, 100) >= {int(UNIT_SHARE * 100)} "
            f"THEN (%(villages)s::bigint[])[1 + mod(g, {len(village_ids)})] END"
        ),
        "found_on": "%(found_on)s::date",
        "deadline": f"%(today)s::date - (1 + mod(g * 7, {overdue_days}))",
        "status": "'open'",
        "closed_at": "NULL",
        "created_by_id": "%(officer)s",
        "created_at": "now()",
        "updated_at": "now()",
    }
    fixed = {
        "category": "'fire'",
        "grade": "'general'",
        "location": "'一楼仓库'",
        "description": "'消防通道堵塞，需限期整改'",
        "measures": "'立即清理，保持畅通'",
        "responsible_contact": "'整改责任人'",
        "responsible_phone": "'13900000000'",
        "reopen_count": "0",
    }
    columns = [field.column for field in Finding._meta.concrete_fields]
    unknown = [column for column in columns if column not in computed and column not in fixed]
    if unknown:
        sys.exit(f"bench/reminders.py does not know how to fill the finding columns {unknown}")
    select = ", ".join(computed.get(column) or fixed[column] for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE " + ", ".join(quote(model._meta.db_table) for model in emptied) + " RESTART IDENTITY CASCADE"
        )
        cursor.execute(
            f"INSERT INTO {quote(Finding._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            f"SELECT {select} FROM generate_series(1, %(count)s) g",
            {
                "inspections": inspection_ids,
                "sites": site_ids,
                "villages": village_ids,
                "units": town["units"],
                "found_on": found_on,
                "today": today,
                "officer": town["officer"],
                "count": count,
            },
        )
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{Finding._meta.db_table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {quote(Finding._meta.db_table)}))"
        )
    with connection.cursor() as cursor:
        for model in emptied:
            cursor.execute(f"VACUUM (ANALYZE) {quote(model._meta.db_table)}")


# --- the sweeps -------------------------------------------------------------------------------------


@dataclass
class Timed:
    seconds: float
    queries: int
    reminders: int
    notifications: int
    told: int


def timed_sweep() -> Timed:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chashan_safety.reminders import sweep

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = sweep()
        seconds = time.perf_counter() - started
    return Timed(seconds, len(queries.captured_queries), result.reminders, result.notifications, result.told)


def _scenario(text: str) -> tuple[int, int]:
    findings, _sep, days = text.partition(":")
    return int(findings), int(days or 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scenarios",
        type=_scenario,
        nargs="+",
        default=list(SCENARIOS),
        metavar="FINDINGS:DAYS",
        help="findings, at most DAYS overdue (default: 10000:30 100000:30 100000:1)",
    )
    args = parser.parse_args()

    url = setup_django()
    from django.db import connection
    from django.utils import timezone

    from chashan_safety.models import User
    from inspections.models import Finding
    from responsibility.models import Card, SupervisionLetter

    migrate()
    town = load_town()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(
        f"Reminder sweep on PostgreSQL {version} ({urlsplit(url).path.lstrip('/')}), sweeping "
        f"{timezone.localdate()}; {User.objects.filter(is_active=True).count()} people, "
        f"{len(town['inspections'])} sites, {os.cpu_count()} CPUs",
        flush=True,
    )
    print(
        f"{'findings':>9}  {'overdue':>10}  {'sweep':<6}  {'time':>7}  {'queries':>7}  "
        f"{'reminders':>9}  {'inbox items':>11}  {'told':>9}"
    )
    results: dict[tuple[int, int], tuple[Timed, Timed]] = {}
    for size, days in args.scenarios:
        load_findings(town, size, days)
        if Finding.objects.count() != size:
            sys.exit("the findings were not loaded")
        first, second = timed_sweep(), timed_sweep()
        results[size, days] = (first, second)
        overdue = "1 day" if days == 1 else f"1–{days} days"
        for name, run in (("first", first), ("second", second)):
            print(
                f"{size:>9,}  {overdue:>10}  {name:<6}  {run.seconds:>5.2f} s  {run.queries:>7}  "
                f"{run.reminders:>9,}  {run.notifications:>11,}  {run.told:>9,}",
                flush=True,
            )
        print(
            f"{'':>23}  {Card.objects.filter(color='yellow').count():,} yellow and "
            f"{Card.objects.filter(color='red').count():,} red cards, "
            f"{SupervisionLetter.objects.count():,} draft supervision letters",
            flush=True,
        )

    print()
    for (size, days), (first, second) in results.items():
        if size < 100_000:
            continue
        label = f"{size:,} findings " + ("1 day overdue" if days == 1 else f"1–{days} days overdue")
        met = first.seconds <= FIRST_TARGET
        print(f"target: first sweep of {label} ≤ {FIRST_TARGET:.0f} s: {'met' if met else 'NOT met'}")
        met = second.seconds <= SECOND_TARGET and second.reminders == second.notifications == 0
        print(f"target: second sweep of {label} ≤ {SECOND_TARGET:.0f} s, nothing new: {'met' if met else 'NOT met'}")
    for days in sorted({days for _size, days in results}):
        counts = {size: runs[0].queries for (size, d), runs in results.items() if d == days}
        if len(counts) > 1:
            same = len(set(counts.values())) == 1
            sizes = " and ".join(f"{size:,}" for size in counts)
            print(f"target: the same number of queries for {sizes} findings: {'met' if same else 'NOT met'}")


if __name__ == "__main__":
    main()
