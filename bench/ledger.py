"""The ledger against Django's admin changelist on a million findings: ``python -m bench.ledger``.

Runs in-process with Django's test client on the benchmark database that ``python -m bench.generate``
fills, and prints, for each case, the median server time of ~15 requests to our findings list
(signed in as a town administrator, 25 a page) and to the admin changelist of ``Finding`` (as a
superuser), once as registered (100 a page, the baseline a team would ship) and once trimmed to the
same 25 rows as ours; then the time and memory of an Excel export of ~100,000 rows.
``--explain`` also prints PostgreSQL's plan of each query our list runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import re
import resource
import statistics
import sys
import threading
import time
import tracemalloc
from urllib.parse import urlencode

from bench.common import setup_django
from bench.generate import RARE_WORD

REPEAT = 15
WARM_UP = 2
TARGET_RATIO = 10
FINDING_NUMBER = re.compile(r"YH\d{4}-\d{5,7}")
DEEP_PAGE = 2000
PER_PAGE = 25


def _timed(client, url: str, expect: int = 200) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = client.get(url)
    content = response.content
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != expect:
        sys.exit(f"{url} answered {response.status_code}")
    return elapsed, content


def median_ms(client, url: str, repeat: int, expect: int = 200) -> tuple[float, bytes]:
    for _ in range(WARM_UP):
        _timed(client, url, expect)
    times, content = [], b""
    for _ in range(repeat):
        elapsed, content = _timed(client, url, expect)
        times.append(elapsed)
    return statistics.median(times), content


def numbers_in(content: bytes) -> list[str]:
    """The finding numbers a page lists, in order, each once."""
    seen: list[str] = []
    for number in FINDING_NUMBER.findall(content.decode()):
        if number not in seen:
            seen.append(number)
    return seen


def explain(client, url: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(f"\n--- {url}: {len(queries.captured_queries)} queries")
    for query in queries.captured_queries:
        sql = query["sql"]
        if "inspections_finding" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}")
            plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
        print(f"  {sql[:160]}{'…' if len(sql) > 160 else ''}\n{plan}")


def _rss_mb() -> float:
    """The process's resident memory now (Linux); 0 where /proc is missing."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 1024 / 1024
    except OSError:
        return 0.0


class RssSampler(threading.Thread):
    """Samples the resident memory every few milliseconds while an export runs, keeping the peak."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = _rss_mb()
        self._done = threading.Event()

    def run(self):
        while not self._done.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def stop(self) -> float:
        self._done.set()
        self.join()
        return max(self.peak, _rss_mb())


def export_figures(client, url: str, rows: int, *, trace: bool) -> None:
    """Time and memory of one export: resident memory sampled during it, and optionally tracemalloc's peak."""
    gc.collect()
    rss_before = _rss_mb()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sampler = RssSampler()
    sampler.start()
    started = time.perf_counter()
    response = client.get(url)
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started
    rss_peak = sampler.stop()
    maxrss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - maxrss_before) / 1024
    if response.status_code != 200:
        sys.exit(f"{url} answered {response.status_code}")
    print(f"Excel export of {rows:,} findings ({url})")
    print(f"  time                      {elapsed:6.1f} s   ({size / 1024 / 1024:.1f} MB .xlsx)")
    print(
        f"  resident memory           +{rss_peak - rss_before:5.1f} MB  "
        f"({rss_before:.0f} MB before, {rss_peak:.0f} MB at the peak, sampled every 20 ms)"
    )
    print(f"  ru_maxrss growth          {maxrss_growth:6.1f} MB")
    growth = rss_peak - rss_before
    if trace:
        gc.collect()
        tracemalloc.start()
        traced_started = time.perf_counter()
        response = client.get(url)
        for _chunk in response.streaming_content:
            pass
        traced_elapsed = time.perf_counter() - traced_started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"  tracemalloc peak          {peak / 1024 / 1024:6.1f} MB  "
            f"(Python allocations; {traced_elapsed:.0f} s under tracing)"
        )
        growth = max(growth, peak / 1024 / 1024)
    print(f"  target < 200 MB           {'met' if growth < 200 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=REPEAT, help="timed requests per case (median)")
    parser.add_argument("--explain", action="store_true", help="print the plan of each query of our list")
    parser.add_argument("--skip-export", action="store_true", help="leave out the Excel export")
    parser.add_argument("--export-only", action="store_true", help="measure the Excel export only")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also export once under tracemalloc (about 10 times slower)"
    )
    args = parser.parse_args()

    url = setup_django()
    import logging

    from django.conf import settings

    logging.getLogger("axes").setLevel(logging.WARNING)  # no sign-in lines between the figures
    logging.getLogger("django.request").setLevel(logging.ERROR)  # nor the 404 measured for scale

    # as in production: no query log, no template debugging; the test client's host allowed
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    from django.contrib import admin
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from chashan_safety.models import User
    from inspections.models import Finding, FindingStatus
    from responsibility.models import Village

    total = Finding.objects.count()
    if total < DEEP_PAGE * PER_PAGE:
        sys.exit(f"{url} holds {total:,} findings: run `python -m bench.generate` first")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]

    ours = Client()
    ours.force_login(User.objects.get(username="bench_admin"))
    theirs = Client()
    theirs.force_login(User.objects.get(username="bench_super"))
    finding_admin = admin.site._registry[Finding]
    shipped_per_page = finding_admin.list_per_page
    ledger = reverse("inspections:finding-list")
    changelist = reverse("admin:inspections_finding_changelist")
    today = timezone.localdate()
    village = Village.objects.get(name="横江村")
    open_statuses = ",".join(s for s in FindingStatus.values if s != FindingStatus.CLOSED)

    # the cursor of page 2,000 is the last row of page 1,999
    last_of_previous = Finding.objects.order_by("-found_on", "-id").values_list("found_on", "pk")[
        (DEEP_PAGE - 1) * PER_PAGE - 1
    ]
    deep_cursor = f"{last_of_previous[0].isoformat()}_{last_of_previous[1]}"

    cases = [
        (
            f"village + status ({village.name}, open)",
            f"{ledger}?{urlencode({'village': village.pk, 'status': 'open'})}",
            f"{changelist}?{urlencode({'village__id__exact': village.pk, 'status__exact': 'open'})}",
        ),
        (
            "overdue",
            f"{ledger}?overdue=yes",
            f"{changelist}?{urlencode({'status__in': open_statuses, 'deadline__lt': today.isoformat()})}",
        ),
        (
            f"text search “{RARE_WORD}”",
            f"{ledger}?{urlencode({'q': RARE_WORD})}",
            f"{changelist}?{urlencode({'q': RARE_WORD})}",
        ),
        (
            f"{DEEP_PAGE:,} pages deep",
            f"{ledger}?{urlencode({'after': deep_cursor})}",
            f"{changelist}?p={DEEP_PAGE}",
        ),
    ]

    print(f"{url}: {total:,} findings · {version} · {args.repeat} timed requests per case, median")
    print(
        f"ours: {ledger} as a town administrator, {PER_PAGE} a page; admin: {changelist} as a superuser, "
        f"as registered ({shipped_per_page} a page) and trimmed to {PER_PAGE} a page (the same rows as ours)\n"
    )

    if args.explain:
        for _label, our_url, _admin_url in cases:
            explain(ours, our_url)
        print()

    if not args.skip_export:
        ours.get(ledger)  # load templates and code before measuring memory
        year_ago = today - dt.timedelta(days=364)
        export_rows = Finding.objects.filter(found_on__gte=year_ago, found_on__lte=today).count()
        export_figures(
            ours,
            f"{reverse('inspections:finding-export')}?{urlencode({'found_from': year_ago, 'found_to': today})}",
            export_rows,
            trace=args.tracemalloc,
        )
        print()
    if args.export_only:
        return

    shipped = f"admin ms ({shipped_per_page}/p)"
    trimmed = f"admin ms ({PER_PAGE}/p)"
    header = f"{'case':<30} {'ours ms':>8} {shipped:>17} {'ratio':>7} {trimmed:>16} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    failures = 0
    for label, our_url, admin_url in cases:
        # ours, the admin as registered (the baseline a team would ship) and the admin trimmed to our 25
        # rows take turns, request by request, so that a busy moment on the machine falls on all three
        times: dict[str, list[float]] = {"ours": [], "shipped": [], "trimmed": []}
        pages: dict[str, bytes] = {}
        for attempt in range(WARM_UP + args.repeat):
            for key, client, url, per_page in (
                ("ours", ours, our_url, None),
                ("shipped", theirs, admin_url, shipped_per_page),
                ("trimmed", theirs, admin_url, PER_PAGE),
            ):
                if per_page:
                    finding_admin.list_per_page = per_page
                elapsed, pages[key] = _timed(client, url)
                if attempt >= WARM_UP:
                    times[key].append(elapsed)
        finding_admin.list_per_page = shipped_per_page
        our_ms, shipped_ms, trimmed_ms = (statistics.median(times[key]) for key in ("ours", "shipped", "trimmed"))
        ratio = shipped_ms / our_ms
        listed = numbers_in(pages["ours"])
        line = (
            f"{label:<30} {our_ms:8.1f} {shipped_ms:17.1f} {ratio:6.1f}× {trimmed_ms:16.1f} {trimmed_ms / our_ms:6.1f}×"
        )
        if ratio < TARGET_RATIO:
            failures += 1
            line += "  < target"
        if not listed or listed != numbers_in(pages["trimmed"])[: len(listed)]:
            line += "  (the admin's 25 rows differ from ours!)"
        print(line, flush=True)
    blank_ms, _page = median_ms(ours, "/no-such-page/", args.repeat, expect=404)
    print(
        f"\nfor scale: a portal page with no content (a 404, signed in) takes {blank_ms:.1f} ms: "
        "session read and save, user, inbox count, navigation, base template"
    )
    verdict = "met" if not failures else f"NOT met on {failures} of {len(cases)} cases"
    print(f"target: ours at least {TARGET_RATIO}× faster than the admin as registered on every case: {verdict}")


if __name__ == "__main__":
    main()
