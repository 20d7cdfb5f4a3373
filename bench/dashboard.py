"""The leadership dashboard on a city's decade: ``python -m bench.dashboard``.

Adds 100,000 incidents over 10 years to the benchmark database that ``python -m bench.generate``
filled with 1,000,000 findings (once; ``--force`` loads them again), then prints the median server
time of the dashboard (signed in as a town administrator, in process with Django's test client)
and the median time of the same figures computed straight from the raw tables in plain SQL, with
their ratio. The dashboard keeps no cache, so every request is a cold one: each figure is read from
the tables as the page is drawn.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time

from bench.common import setup_django

INCIDENTS = 100_000
YEARS = 10
REPEAT = 15
WARM_UP = 2
TARGET_RATIO = 1.5


def load_incidents(count: int, *, force: bool) -> None:
    from django.db import connection

    from incidents.models import Incident

    have = Incident.objects.count()
    if have >= count and not force:
        print(f"reusing {have:,} incidents (--force loads them again)")
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # CASCADE: the duty log may point at incidents (the benchmark database has no duty log)
        cursor.execute("TRUNCATE incidents_incident RESTART IDENTITY CASCADE")
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM responsibility_village")
        villages = cursor.fetchone()[0]
        if not villages:
            sys.exit("the benchmark database has no villages: run `python -m bench.generate` first")
        cursor.execute("SELECT setseed(0.2021)")
        # ids rise with time, as they do in real use; about 2 % fatal, a third with injuries
        cursor.execute(
            f"""
            INSERT INTO incidents_incident (occurred_at, village_id, site_id, unit_id, location, category, industry,
                                            deaths, serious_injuries, minor_injuries, direct_loss, cause, summary,
                                            recorded_by_id, created_at, updated_at)
            SELECT x.occurred_at, (%s::bigint[])[1 + floor(x.r1 * %s)::int], NULL, NULL, '',
                   (ARRAY['production', 'fire', 'road_traffic', 'road_traffic', 'other'])[1 + floor(x.r2 * 5)::int],
                   '', CASE WHEN x.r3 < 0.02 THEN 1 ELSE 0 END,
                   CASE WHEN x.r4 < 0.15 THEN 1 ELSE 0 END, floor(x.r5 * x.r5 * 3)::int,
                   round((x.r6 * x.r6 * 200000)::numeric, 2), '', '基准测试事故' || x.g, NULL,
                   x.occurred_at, x.occurred_at
            FROM (SELECT g, date_trunc('minute', now() - random() * interval '{YEARS * 365} days') AS occurred_at,
                         random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
                         random() AS r6
                    FROM generate_series(1, {count}) g ORDER BY 2) x
            """,
            [villages, len(villages)],
        )
        cursor.execute("VACUUM (ANALYZE) incidents_incident")
    print(f"loaded {count:,} incidents over {YEARS} years ({time.perf_counter() - started:.1f} s)")


def _letters_table() -> str | None:
    from django.db import connection

    try:
        from responsibility.models import ResponsibilityLetter
    except ImportError:
        return None
    table = ResponsibilityLetter._meta.db_table
    return table if table in connection.introspection.table_names() else None


def plain_sql_statements(today, start, end, *, letters: str | None) -> list[tuple[str, list]]:
    """The dashboard's figures straight from the raw tables: what a hand-written report would run."""
    import datetime as dt

    from django.utils import timezone

    from dashboard.figures import same_day_last_year
    from incidents.models import day_start, year_start
    from inspections.filters.findings import OPEN_STATUSES

    tz = timezone.get_current_timezone_name()
    last_end = same_day_last_year(today)
    after = dt.timedelta(days=1)
    begin, finish = day_start(start), day_start(end + after)
    totals = (
        "count(i.id), sum(i.deaths), sum(i.serious_injuries), sum(i.minor_injuries), "
        "sum(i.deaths + i.serious_injuries + i.minor_injuries), sum(i.direct_loss)"
    )
    open_statuses = list(OPEN_STATUSES)
    statements = [
        (
            f"SELECT extract(year FROM i.occurred_at AT TIME ZONE %s) AS y, {totals} "
            "FROM incidents_incident i GROUP BY 1 ORDER BY 1",
            [tz],
        ),
        (
            "SELECT extract(year FROM i.occurred_at AT TIME ZONE %s) y, "
            f"extract(month FROM i.occurred_at AT TIME ZONE %s) m, {totals} FROM incidents_incident i "
            "WHERE (i.occurred_at >= %s AND i.occurred_at < %s) OR (i.occurred_at >= %s AND i.occurred_at < %s) "
            "GROUP BY 1, 2",
            [
                tz,
                tz,
                year_start(today.year),
                day_start(today + after),
                year_start(today.year - 1),
                day_start(last_end + after),
            ],
        ),
        (
            "SELECT v.id, v.name, count(i.id), sum(i.deaths), sum(i.serious_injuries + i.minor_injuries), "
            "sum(i.direct_loss) FROM responsibility_village v "
            "LEFT JOIN incidents_incident i ON i.village_id = v.id AND i.occurred_at >= %s AND i.occurred_at < %s "
            'GROUP BY v.id ORDER BY v."order", v.name',
            [begin, finish],
        ),
        (
            "SELECT z.id, z.name, count(i.id), sum(i.deaths), sum(i.serious_injuries + i.minor_injuries), "
            "sum(i.direct_loss) FROM inspections_zone z "
            "LEFT JOIN inspections_zonevillage zv ON zv.zone_id = z.id "
            "LEFT JOIN incidents_incident i ON i.village_id = zv.village_id "
            "AND i.occurred_at >= %s AND i.occurred_at < %s "
            'GROUP BY z.id ORDER BY z."order", z.name',
            [begin, finish],
        ),
        (
            f"SELECT i.category, {totals} FROM incidents_incident i "
            "WHERE i.occurred_at >= %s AND i.occurred_at < %s GROUP BY 1",
            [begin, finish],
        ),
        (
            "SELECT count(*), count(*) FILTER (WHERE status = 'closed'), "
            "count(*) FILTER (WHERE status = 'closed' AND (closed_at AT TIME ZONE %s)::date <= deadline), "
            "count(*) FILTER (WHERE grade = 'major') FROM inspections_finding WHERE found_on >= %s AND found_on <= %s",
            [tz, start, end],
        ),
        (
            "SELECT village_id, count(*), count(*) FILTER (WHERE deadline < %s), "
            "count(*) FILTER (WHERE grade = 'major') "
            "FROM inspections_finding WHERE status = ANY(%s) GROUP BY village_id",
            [today, open_statuses],
        ),
        (
            "SELECT count(*), count(*) FILTER (WHERE kind = 'night') FROM inspections_inspection "
            "WHERE started_at >= %s AND started_at < %s",
            [begin, finish],
        ),
    ]
    if letters is None:
        return statements
    statements.append(
        (
            f"SELECT count(*), count(*) FILTER (WHERE signed_at IS NOT NULL), "
            f"count(*) FILTER (WHERE signed_at IS NULL AND deadline < %s) FROM {letters} WHERE year = %s",
            [today, end.year],
        )
    )
    return statements


def run_plain_sql(statements) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def timed_get(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    _content = response.content
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        sys.exit(f"{url} answered {response.status_code}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="load the incidents again even if they are there")
    parser.add_argument("--incidents", type=int, default=INCIDENTS)
    parser.add_argument("--repeat", type=int, default=REPEAT, help="timed requests per case (median)")
    args = parser.parse_args()

    url = setup_django()
    from django.core.management import call_command

    # only the incident register's tables: the rest is bench.generate's (which migrates everything)
    call_command("migrate", "incidents", interactive=False, verbosity=0)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from chashan_safety.models import User
    from dashboard import figures
    from dashboard.views import default_first_year
    from incidents.models import Incident
    from inspections.models import Finding

    load_incidents(args.incidents, force=args.force)
    letters = _letters_table()
    if letters is None:
        # a database migrated before the responsibility letters: the page and the SQL both leave them out
        from dashboard import views

        views._signing_progress = lambda year: None
        print("(no responsibility-letter table in this database: the letter figures are left out on both sides)")
    admin = User.objects.filter(username="bench_admin").first()
    if admin is None:
        sys.exit("no bench_admin account: run `python -m bench.generate` first")
    findings = Finding.objects.count()

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(admin)
    page = "/dashboard/"
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        client.get(page)
    # counted now: the captured list is read from the connection's log, which the next request empties
    query_count = len(queries.captured_queries)
    series = figures.by_year(Incident.objects.all(), through=today.year, today=today)
    start, end = dt.date(default_first_year(today, series), 1, 1), today
    statements = plain_sql_statements(today, start, end, letters=letters)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_incident")
        incidents = cursor.fetchone()[0]
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]

    print(
        f"{url}: {incidents:,} incidents, {findings:,} findings · {version} · "
        f"{args.repeat} timed requests per case, median"
    )
    print(f"dashboard {page} as a town administrator, years {start.year}–{end.year} ({start} to {end}); no cache")

    for _ in range(WARM_UP):
        timed_get(client, page)
        run_plain_sql(statements)
    ours, plain = [], []
    for _ in range(args.repeat):  # the two take turns, so that other work on the machine weighs on both
        ours.append(timed_get(client, page))
        plain.append(run_plain_sql(statements))
    ours_ms, plain_ms = statistics.median(ours), statistics.median(plain)
    ratio = ours_ms / plain_ms if plain_ms else float("inf")
    print()
    print(f"{'case':<44}{'median ms':>10}{'queries':>9}")
    print("-" * 63)
    print(f"{'dashboard (server time, whole page)':<44}{ours_ms:>10.1f}{query_count:>9}")
    print(f"{'the same figures in plain SQL':<44}{plain_ms:>10.1f}{len(statements):>9}")
    print(f"{'ratio':<44}{ratio:>9.2f}×")
    print()
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"target: the dashboard within {TARGET_RATIO}× of plain SQL: {verdict}")


if __name__ == "__main__":
    main()
