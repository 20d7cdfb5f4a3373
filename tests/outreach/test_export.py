"""The outreach ledger of a year as Excel: carriers, activities and coverage, only what the user may see."""

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from outreach.models import VisitorCount
from tests.factories import ActivityFactory


def workbook_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_ledger_holds_the_years_carriers_and_activities(client_for, town_admin, hall_a, activity_a, activity_b):
    year = timezone.localdate().year
    VisitorCount.objects.create(carrier=hall_a, month=dt.date(year, 1, 1), visitors=300)
    VisitorCount.objects.create(carrier=hall_a, month=dt.date(year - 1, 12, 1), visitors=999)
    ActivityFactory(village=hall_a.village, carrier=hall_a, title="去年的活动", held_on=dt.date(year - 1, 6, 1))
    book = workbook_of(client_for(town_admin).get(reverse("outreach:export") + f"?year={year}"))
    carriers, activities, coverage = book.worksheets
    rows = list(carriers.iter_rows(min_row=2, values_only=True))
    hall = next(row for row in rows if row[1] == "上元村消防微型宣教馆")
    assert hall[2] == "消防微型宣教馆" and hall[4] == "上元村"
    assert hall[10] == 60  # capacity
    assert hall[11] == 1 and hall[12] == 30  # this year's drill and its audience, not last year's activity
    assert hall[13] == 300  # visitors of this year only
    titles = [row[2] for row in activities.iter_rows(min_row=2, values_only=True)]
    assert sorted(titles) == ["上元村消防疏散演练", "超朗村安全宣传日"]
    assert coverage.cell(1, 1).value == _("Outreach ledger %(year)d") % {"year": year}


def test_a_village_office_exports_only_its_village(client_for, village_office, activity_a, activity_b):
    book = workbook_of(client_for(village_office).get(reverse("outreach:export")))
    carriers, activities, coverage = book.worksheets
    assert [row[4] for row in carriers.iter_rows(min_row=2, values_only=True)] == ["上元村"]
    assert [row[4] for row in activities.iter_rows(min_row=2, values_only=True)] == ["上元村"]
    villages = [row[0] for row in coverage.iter_rows(values_only=True)]
    assert "上元村" in villages and "超朗村" not in villages


def test_text_that_looks_like_a_formula_stays_text(client_for, town_admin, village_a):
    ActivityFactory(village=village_a, title='=HYPERLINK("http://x")', held_on=timezone.localdate())
    book = workbook_of(client_for(town_admin).get(reverse("outreach:export")))
    cell = book.worksheets[1].cell(2, 3)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
