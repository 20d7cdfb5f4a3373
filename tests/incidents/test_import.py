"""Importing historical incidents from Excel: good rows saved, bad rows reported one by one and leaving
nothing behind, a second import of the same file changing nothing, a broken file refused whole."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from incidents.imports import COLUMNS, parse_amount, parse_when
from incidents.models import Incident
from tests.factories import SiteFactory
from tests.helpers import messages_of

URL = "/incidents/import/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headers(language: str = "zh-hans") -> list[str]:
    with translation.override(language):
        return [str(column.label) for column in COLUMNS]


def workbook(rows: list[list], *, language: str = "zh-hans") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers(language))
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("历年事故.xlsx", buffer.getvalue(), content_type=XLSX)


def row(when, village, *, site="", unit="", category="production", deaths=0, serious=0, minor=0, loss=1000,
        summary="员工受伤") -> list:  # fmt: skip
    """A row in the template's column order."""
    return [when, village, "工业区", site, unit, category, "五金", deaths, serious, minor, loss, "违规操作", summary]


def test_good_rows_are_imported_and_bad_rows_reported(village_a, town_admin, client_for):
    site = SiteFactory(village=village_a, name="上元五金厂")
    upload = workbook(
        [
            row("2018-03-05 14:20", "上元村", site="上元五金厂", serious=1, loss="1.5万", summary="冲床压伤"),
            row("2019年7月1日", village_a.name, category="fire", minor=2, summary="仓库起火"),
            row("2019-08-01", "不存在村", summary="未知村的事故"),
            row("2019-08-02", "上元村", deaths=-1, summary="负数死亡"),
            row("2099-01-01", "上元村", summary="未来的事故"),
            row("昨天", "上元村", summary="日期不明"),
            row("2019-08-03", "上元村", category="地震", summary="类型不明"),
            row("2019-08-04", "上元村", loss="很多", summary="损失不明"),
        ]
    )
    response = client_for(town_admin).post(URL, {"file": upload})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.unchanged, report.rejected) == (2, 0, 6)
    assert [r.row for r in report.rejected_rows] == [4, 5, 6, 7, 8, 9]
    reasons = {r.row: " ".join(r.reasons) for r in report.rejected_rows}
    assert "不存在村" in reasons[4]
    assert reasons[5]
    assert reasons[6] and reasons[7] and "地震" in reasons[8] and "很多" in reasons[9]
    assert messages_of(response)
    first = Incident.objects.get(summary="冲床压伤")
    assert (first.site, first.serious_injuries, first.direct_loss) == (site, 1, 15000)
    assert first.recorded_by == town_admin
    assert Incident.objects.get(summary="仓库起火").category == "fire"
    assert Incident.objects.count() == 2


def test_a_date_before_the_register_starts_is_reported_not_imported(village_a, town_admin, client_for):
    # Excel's first day, where a date typed as a bare number lands, and a slip of a century
    upload = workbook([row(dt.datetime(1900, 1, 1, 10), "上元村"), row("1919-05-04 10:00", "上元村", summary="早年")])

    response = client_for(town_admin).post(URL, {"file": upload})

    report = response.context["report"]
    assert (report.created, report.rejected) == (0, 2)
    assert all("2000" in " ".join(r.reasons) for r in report.rejected_rows)
    assert [r.name for r in report.rejected_rows] == ["1900-01-01 10:00 上元村", "1919-05-04 10:00 上元村"]
    assert not Incident.objects.exists()


def test_importing_the_same_file_again_changes_nothing(village_a, town_admin, client_for):
    rows = [row("2018-03-05 14:20", village_a.name, summary="冲床压伤")]
    client = client_for(town_admin)
    client.post(URL, {"file": workbook(rows)})
    report = client.post(URL, {"file": workbook(rows)}).context["report"]
    assert (report.created, report.unchanged) == (0, 1)
    assert Incident.objects.count() == 1


def test_english_headers_are_understood(village_a, town_admin, client_for):
    rows = [row("2018-03-05", village_a.name, category="Road traffic", summary="交通事故")]
    report = client_for(town_admin).post(URL, {"file": workbook(rows, language="en")}).context["report"]
    assert report.created == 1
    assert Incident.objects.get().category == "road_traffic"


def test_a_file_that_is_not_a_workbook_is_refused_whole(town_admin, client_for):
    upload = SimpleUploadedFile("事故.xlsx", b"not a workbook", content_type=XLSX)
    response = client_for(town_admin).post(URL, {"file": upload})
    assert response.context["form"].errors["file"]
    assert not Incident.objects.exists()


def test_a_sheet_without_the_required_columns_is_refused(town_admin, client_for):
    book = openpyxl.Workbook()
    book.active.append(["序号", "备注"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("事故.xlsx", buffer.getvalue(), content_type=XLSX)
    response = client_for(town_admin).post(URL, {"file": upload})
    assert response.context["form"].errors["file"]


def test_the_template_downloads_for_a_town_administrator(town_admin, client_for):
    response = client_for(town_admin).get("/incidents/import/template.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert list(next(book.worksheets[0].iter_rows(values_only=True))) == headers()


@pytest.mark.parametrize("persona", ["leadership", "safety_officer"], indirect=True)
def test_only_town_administrators_import(persona, village_a, client_for):
    upload = workbook([row("2018-03-05", village_a.name)])
    assert client_for(persona).post(URL, {"file": upload}).status_code == 403
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("15000", 15000), ("15,000", 15000), ("1.5万", 15000), ("1.5万元", 15000), ("abc", None), ("nan", None)],
)
def test_amounts_are_read_as_people_write_them(text, expected):
    assert parse_amount(text) == expected


def test_dates_are_read_as_people_and_excel_write_them():
    assert parse_when("2019-07-01T08:30:00").hour == 8
    assert parse_when("2019/7/1").day == 1
    assert parse_when("2019年7月1日 14:05").minute == 5
    assert parse_when("2019-02-30") is None
