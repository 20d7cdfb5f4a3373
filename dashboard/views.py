"""The leadership dashboard: accidents by year with the double-decline streak, the same period of last
year, breakdowns, findings, inspections and letters — every figure a link to the rows behind it.

For ``leadership`` and ``town_admin``. The page runs a fixed number of queries whatever the size of
the tables, each an aggregate in the database, and caches nothing: a figure is right the moment
after any write.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from chashan_safety.permissions import roles_required
from dashboard import figures
from dashboard.forms import YearRangeForm
from incidents.models import Incident
from inspections.models import Finding, Inspection
from responsibility.models import Village

#: years shown when no range is chosen
DEFAULT_YEARS = 10
#: the first year shown by default is never earlier than this many years back
MAX_DEFAULT_YEARS = 15


def _url(name: str, **params) -> str:
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _incidents_url(**params) -> str:
    return _url("incidents:incident-list", **params)


def _findings_url(**params) -> str:
    return _url("inspections:finding-list", **params)


def _letters_url(year: int) -> str | None:
    try:
        from responsibility.progress import PROGRESS_URL_NAME

        return _url(PROGRESS_URL_NAME, year=year)
    except (ImportError, NoReverseMatch):
        return None


def _signing_progress(year: int):
    try:
        from responsibility.progress import signing_progress
    except ImportError:
        return None
    return signing_progress(year)


def default_first_year(today: dt.date, series: figures.YearSeries) -> int:
    """The first year shown when none is chosen: the first incident's, within 10 to 15 years back."""
    first = series.first_year or today.year
    return max(min(first, today.year - DEFAULT_YEARS + 1), today.year - MAX_DEFAULT_YEARS + 1)


def _year_range(request, today: dt.date, series: figures.YearSeries) -> tuple[YearRangeForm, int, int]:
    default_from = default_first_year(today, series)
    initial = {"year_from": default_from, "year_to": today.year}
    if "year_from" in request.GET or "year_to" in request.GET:
        data = {**{key: str(value) for key, value in initial.items()}, **request.GET.dict()}
        form = YearRangeForm(data, today=today)
        if form.is_valid():
            return form, form.cleaned_data["year_from"], form.cleaned_data["year_to"]
        messages.error(
            request,
            _("The year range was not valid; the last %(years)s years are shown.")
            % {"years": today.year - default_from + 1},
        )
        return form, default_from, today.year
    return YearRangeForm(initial=initial, today=today), default_from, today.year


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def build(
    user,
    *,
    today: dt.date,
    year_from: int | None = None,
    year_to: int | None = None,
    series: figures.YearSeries | None = None,
) -> dict:
    """Every figure of the dashboard for ``user`` over the years ``year_from``–``year_to``.

    ``series`` is the user's incidents by year through this year, when the caller read it already.
    """
    incidents = Incident.objects.visible_to(user)
    year_to = year_to or today.year
    if series is None:
        series = figures.by_year(incidents, through=today.year, today=today)
    series = series.until(year_to)
    year_from = year_from or year_to
    start = dt.date(year_from, 1, 1)
    end = min(dt.date(year_to, 12, 31), today)
    rows = [row for row in series.years if year_from <= row.year <= year_to]
    for row in rows:
        row.url = _incidents_url(year=row.year)
        row.casualties_url = _incidents_url(year=row.year, casualties="yes")
        row.deaths_url = _incidents_url(year=row.year, casualties="deaths")

    period = figures.same_period(incidents, today=today)
    for month in period.months:
        month.name = MONTHS[month.month]
        month.this_url = _incidents_url(occurred_from=dt.date(today.year, month.month, 1), occurred_to=month.this_end)
        month.last_url = _incidents_url(
            occurred_from=dt.date(today.year - 1, month.month, 1), occurred_to=month.last_end
        )
    period.this_url = _incidents_url(occurred_from=dt.date(today.year, 1, 1), occurred_to=today)
    period.last_url = _incidents_url(occurred_from=dt.date(today.year - 1, 1, 1), occurred_to=period.last_end)

    span = {"occurred_from": start, "occurred_to": end}
    open_findings = figures.open_findings_by_village(Finding.objects.visible_to(user), today=today)
    villages = figures.by_village(Village.objects.visible_to(user), start=start, end=end)
    for village in villages:
        village.url = _incidents_url(village=village.pk, **span)
        village.findings = open_findings.get(village.pk, {"open": 0, "overdue": 0, "major_open": 0})
        village.overdue_url = _findings_url(village=village.pk, overdue="yes")
    zones = figures.by_zone(start=start, end=end)
    for zone in zones:
        zone.url = _incidents_url(zone=zone.pk, **span)
    categories = figures.by_category(incidents, start=start, end=end)
    for category in categories:
        category["url"] = _incidents_url(category=category["category"], **span)

    found = {"found_from": start, "found_to": end}
    finding = figures.finding_figures(Finding.objects.visible_to(user), start=start, end=end)
    finding["on_time_rate"] = _pct(finding["closed_on_time"] / finding["closed"]) if finding["closed"] else None
    finding["overdue"] = sum(row["overdue"] for row in open_findings.values())
    finding["major_open"] = sum(row["major_open"] for row in open_findings.values())
    finding["open"] = sum(row["open"] for row in open_findings.values())
    finding_links = {
        "found": _findings_url(**found),
        "closed": _findings_url(status="closed", **found),
        "major": _findings_url(grade="major", **found),
        "overdue": _findings_url(overdue="yes"),
        "major_open": _findings_url(grade="major", status="not_closed"),
        "open": _findings_url(status="not_closed"),
    }
    inspection = figures.inspection_figures(Inspection.objects.visible_to(user), start=start, end=end)
    inspection_links = {
        "total": _url("inspections:inspection-list", date_from=start, date_to=end),
        "night": _url("inspections:inspection-list", kind=Inspection.Kind.NIGHT, date_from=start, date_to=end),
    }
    letters_year = year_to
    progress = _signing_progress(letters_year)

    latest = series.last_complete
    best = series.best_streak
    return {
        "today": today,
        "year_from": year_from,
        "year_to": year_to,
        "start": start,
        "end": end,
        "series": series,
        "rows": rows,
        "latest": latest,
        "streak": series.current_streak,
        "streak_first": latest.year - series.current_streak + 1 if latest else None,
        "best": best,
        "best_first": best.year - best.streak + 1 if best else None,
        "period": period,
        "period_changes": {key: _pct(value) for key, value in period.changes().items()},
        "villages": villages,
        "zones": zones,
        "categories": categories,
        "finding": finding,
        "finding_links": finding_links,
        "inspection": inspection,
        "inspection_links": inspection_links,
        "progress": progress,
        "letters_url": _letters_url(letters_year),
        "charts": _charts(rows, period, villages, categories),
    }


def _charts(rows, period, villages, categories) -> dict:
    """The data of each chart, with the link of every bar (the rows behind it)."""
    return {
        "years": {
            "type": "years",
            "labels": [str(row.year) for row in rows],
            "series": [
                {"label": _("Accidents"), "data": [row.count for row in rows], "links": [row.url for row in rows]},
                {
                    "label": _("Casualties"),
                    "data": [row.casualties for row in rows],
                    "links": [row.casualties_url for row in rows],
                },
            ],
        },
        "months": {
            "type": "months",
            "labels": [str(month.name) for month in period.months],
            "series": [
                {
                    "label": str(period.year - 1),
                    "data": [month.last_year["count"] for month in period.months],
                    "links": [month.last_url for month in period.months],
                },
                {
                    "label": str(period.year),
                    "data": [month.this_year["count"] for month in period.months],
                    "links": [month.this_url for month in period.months],
                },
            ],
        },
        "villages": {
            "type": "villages",
            "labels": [village.name for village in villages],
            "series": [
                {
                    "label": _("Accidents"),
                    "data": [village.x_count for village in villages],
                    "links": [village.url for village in villages],
                }
            ],
        },
        "categories": {
            "type": "categories",
            "labels": [str(category["label"]) for category in categories],
            "series": [
                {
                    "label": _("Accidents"),
                    "data": [category["count"] for category in categories],
                    "links": [category["url"] for category in categories],
                }
            ],
        },
    }


@roles_required("town_admin", "leadership")
def dashboard(request):
    today = timezone.localdate()
    series = figures.by_year(Incident.objects.visible_to(request.user), through=today.year, today=today)
    form, year_from, year_to = _year_range(request, today, series)
    context = build(request.user, today=today, year_from=year_from, year_to=year_to, series=series)
    context.update({"form": form, "nav_active": "dashboard", "query": _range_query(year_from, year_to)})
    return render(request, "dashboard/dashboard.html", context)


@roles_required("town_admin", "leadership")
def dashboard_print(request):
    today = timezone.localdate()
    series = figures.by_year(Incident.objects.visible_to(request.user), through=today.year, today=today)
    form, year_from, year_to = _year_range(request, today, series)
    context = build(request.user, today=today, year_from=year_from, year_to=year_to, series=series)
    context.update(
        {
            "form": form,
            "nav_active": "dashboard",
            "query": _range_query(year_from, year_to),
            "printed_at": timezone.localtime(),
        }
    )
    return render(request, "dashboard/print.html", context)


def _range_query(year_from: int, year_to: int) -> str:
    return urlencode({"year_from": year_from, "year_to": year_to})
