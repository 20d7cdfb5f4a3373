"""Importing sites from Excel: whole files refused for what is wrong with the file, rows reported one by one
for what is wrong with them, good rows saved, and a second import of the same file changing nothing."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation

from inspections import imports
from inspections.imports import COLUMNS, Outcome, import_sites
from inspections.models import Site
from tests.helpers import messages_of, shows
from tests.inspections.test_sites import make_site

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
URL = reverse("inspections:site-import")


def headers(language: str = "zh-hans") -> list[str]:
    with translation.override(language):
        return [str(column.label) for column in COLUMNS]


def workbook(rows: list[list], *, header: list[str] | None = None, above: list[list] = ()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in above:
        sheet.append(row)
    sheet.append(header if header is not None else headers())
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def kind_word(kind) -> str:
    """The kind as the Chinese interface names it (the English label until the catalog has it)."""
    with translation.override("zh-hans"):
        return str(kind.label)


PLACE = kind_word(Site.Kind.PLACE)


def upload(content: bytes, name: str = "场所名录.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def row(name, village, *, grid="", kind="企业", address="工业路1号", industry="五金", risk="2", person="王厂长",
        phone="13800138000", notes="") -> list:  # fmt: skip
    """A row in the column order of the template: name, village, grid code, kind, address, industry, risk
    level, contact person, contact phone, notes."""
    return [name, village, grid, kind, address, industry, risk, person, phone, notes]


def reasons_of(report, number: int) -> str:
    [result] = [result for result in report.rows if result.row == number]
    return " / ".join(result.reasons)


# --- good files ------------------------------------------------------------------------------------------


def test_a_good_file_creates_its_sites(town_admin, village_a, village_b, grid_a):
    content = workbook(
        [
            row("上元五金厂", "上元村", grid="SY-01", risk=3, phone=13800138000),
            row("超朗饭店", "超朗村", kind="place", industry="餐饮", risk="4", phone="0769-86861234"),
        ]
    )
    report = import_sites(file=upload(content), by=town_admin)

    assert [(r.row, r.name, r.outcome) for r in report.rows] == [
        (2, "上元五金厂", Outcome.CREATED),
        (3, "超朗饭店", Outcome.CREATED),
    ]
    hardware = Site.objects.get(name="上元五金厂")
    assert (hardware.village, hardware.grid, hardware.kind, hardware.risk_level) == (
        village_a,
        grid_a,
        Site.Kind.ENTERPRISE,
        3,
    )
    assert hardware.contact_phone == "13800138000"  # a number cell, read without ".0"
    restaurant = Site.objects.get(name="超朗饭店")
    assert (restaurant.kind, restaurant.risk_level, restaurant.contact_phone) == (Site.Kind.PLACE, 4, "0769-86861234")
    assert hardware.history.get().history_user == town_admin


def test_importing_the_same_file_again_updates_rather_than_duplicates(town_admin, village_a):
    first = workbook([row("上元五金厂", "上元村", risk="2"), row("上元饭店", "上元村", kind=PLACE)])
    import_sites(file=upload(first), by=town_admin)

    again = import_sites(file=upload(first), by=town_admin)
    assert [r.outcome for r in again.rows] == [Outcome.UNCHANGED, Outcome.UNCHANGED]
    assert Site.objects.count() == 2
    assert Site.objects.get(name="上元五金厂").history.count() == 1

    changed = workbook(
        [row("上元五金厂", "上元村", risk="4", phone="13912345678"), row("上元饭店", "上元村", kind=PLACE)]
    )
    report = import_sites(file=upload(changed), by=town_admin)
    assert [r.outcome for r in report.rows] == [Outcome.UPDATED, Outcome.UNCHANGED]
    assert Site.objects.count() == 2
    site = Site.objects.get(name="上元五金厂")
    assert (site.risk_level, site.contact_phone) == (4, "13912345678")


def test_an_import_updates_a_site_entered_by_hand(town_admin, village_a, grid_a):
    site = make_site(village_a, name="上元五金厂", grid=grid_a, notes="手工录入", risk_level=1)
    header = [h for h in headers() if h not in {headers()[2], headers()[9]}]  # no grid or notes column
    content = workbook(
        [["上元五金厂", "上元村", "企业", "工业路9号", "五金", "3", "王厂长", "13800138000"]], header=header
    )
    [result] = import_sites(file=upload(content), by=town_admin).rows
    assert result.outcome == Outcome.UPDATED
    site.refresh_from_db()
    assert (site.address, site.risk_level) == ("工业路9号", 3)
    assert (site.grid, site.notes) == (grid_a, "手工录入")  # columns the sheet lacks keep their values


def test_english_headers_and_words_are_understood_too(town_admin, village_a):
    content = workbook([row("Shangyuan Works", "上元村", kind="Place", risk="major")], header=headers("en"))
    [result] = import_sites(file=upload(content), by=town_admin).rows
    assert result.outcome == Outcome.CREATED
    site = Site.objects.get()
    assert (site.kind, site.risk_level) == (Site.Kind.PLACE, Site.RiskLevel.MAJOR)


def _catalog_has_the_import_headers() -> bool:
    with translation.override("zh-hans"):
        return str(COLUMNS[0].label) != "Site name"


@pytest.mark.skipif(
    not _catalog_has_the_import_headers(), reason="the Chinese catalog does not have the import's headers yet"
)
def test_a_sheet_with_the_chinese_headers_officials_type_is_understood(town_admin, village_a):
    header = [
        "序号",
        "单位/场所名称",
        "村（社区）",
        "网格编号",
        "类型",
        "地址",
        "行业",
        "风险等级",
        "联系人",
        "联系电话",
    ]
    content = workbook(
        [
            [1, "上元五金厂", "上元村", "", "企业", "工业路1号", "五金", "较大", "王厂长", "13800138000"],
            [2, "上元饭店", "上元村", "", "场所", "工业路2号", "餐饮", "低风险", "李老板", "0769-86861234"],
        ],
        header=header,
    )
    report = import_sites(file=upload(content), by=town_admin)
    assert [r.outcome for r in report.rows] == [Outcome.CREATED, Outcome.CREATED], report.rows
    assert Site.objects.get(name="上元五金厂").risk_level == Site.RiskLevel.HIGH
    restaurant = Site.objects.get(name="上元饭店")
    assert (restaurant.kind, restaurant.risk_level) == (Site.Kind.PLACE, Site.RiskLevel.LOW)


def test_a_title_row_above_the_header_and_blank_rows_are_fine(town_admin, village_a):
    content = workbook(
        [row("上元五金厂", "上元村"), [None] * 10, row("上元饭店", "上元村")],
        above=[["茶山镇检查对象名录（2025年）"], []],
    )
    report = import_sites(file=upload(content), by=town_admin)
    assert [(r.row, r.outcome) for r in report.rows] == [(4, Outcome.CREATED), (6, Outcome.CREATED)]


@pytest.mark.parametrize(
    ("typed", "level"), [("1", 1), (2, 2), (3.0, 3), ("4级", 4), ("Low", 1), ("general", 2), ("orange", 3)]
)
def test_risk_levels_are_read_as_numbers_or_words(town_admin, village_a, typed, level):
    import_sites(file=upload(workbook([row("上元五金厂", "上元村", risk=typed)])), by=town_admin)
    assert Site.objects.get().risk_level == level


# --- bad rows ------------------------------------------------------------------------------------------------


def test_bad_rows_are_reported_with_row_number_and_reason_while_good_rows_import(town_admin, village_a, grid_a):
    content = workbook(
        [
            row("上元五金厂", "上元村"),  # row 2: good
            row("无名村的厂", "无名村"),  # row 3: no such village
            row("电话错的厂", "上元村", phone="12345"),  # row 4: phone
            row("风险错的厂", "上元村", risk="9"),  # row 5: risk level
            row("网格错的厂", "上元村", grid="XX-99"),  # row 6: grid code of no grid
            row("", "上元村"),  # row 7: no name
            row("类型错的厂", "上元村", kind="学校"),  # row 8: kind
            row("上元饭店", "上元村", kind=PLACE, grid="sy-01"),  # row 9: good, grid code in another case
        ]
    )
    report = import_sites(file=upload(content), by=town_admin)

    assert [(r.row, r.outcome) for r in report.rows] == [
        (2, Outcome.CREATED),
        (3, Outcome.REJECTED),
        (4, Outcome.REJECTED),
        (5, Outcome.REJECTED),
        (6, Outcome.REJECTED),
        (7, Outcome.REJECTED),
        (8, Outcome.REJECTED),
        (9, Outcome.CREATED),
    ]
    assert sorted(Site.objects.values_list("name", flat=True)) == sorted(["上元五金厂", "上元饭店"])
    assert Site.objects.get(name="上元饭店").grid == grid_a
    labels = dict(zip([c.key for c in COLUMNS], headers(), strict=True))
    assert "无名村" in reasons_of(report, 3) and labels["village"] in reasons_of(report, 3)
    assert labels["contact_phone"] in reasons_of(report, 4)
    assert "9" in reasons_of(report, 5) and labels["risk_level"] in reasons_of(report, 5)
    assert "XX-99" in reasons_of(report, 6) and labels["grid"] in reasons_of(report, 6)
    assert labels["name"] in reasons_of(report, 7)
    assert "学校" in reasons_of(report, 8) and labels["kind"] in reasons_of(report, 8)
    assert (report.created, report.rejected) == (2, 6)


def test_a_row_with_several_mistakes_lists_them_all(town_admin, village_a):
    content = workbook([row("错很多的厂", "上元村", phone="abc", risk="很高", kind="")])
    [result] = import_sites(file=upload(content), by=town_admin).rows
    assert result.outcome == Outcome.REJECTED
    assert len(result.reasons) == 3


def test_a_row_that_fails_to_save_leaves_nothing_behind(town_admin, village_a, monkeypatch):
    save = imports.SiteForm.save

    def save_then_fail(form, *args, **kwargs):
        site = save(form, *args, **kwargs)
        if site.name == "保存失败的厂":
            raise IntegrityError("simulated")
        return site

    monkeypatch.setattr(imports.SiteForm, "save", save_then_fail)
    content = workbook([row("上元五金厂", "上元村"), row("保存失败的厂", "上元村"), row("上元饭店", "上元村")])
    report = import_sites(file=upload(content), by=town_admin)

    assert [r.outcome for r in report.rows] == [Outcome.CREATED, Outcome.REJECTED, Outcome.CREATED]
    assert not Site.objects.filter(name="保存失败的厂").exists()
    assert not Site.history.filter(name="保存失败的厂").exists()
    assert Site.objects.count() == 2


def test_officer_importing_for_a_village_outside_his_zones_gets_those_rows_rejected(
    safety_officer, village_a, village_b
):
    content = workbook([row("上元五金厂", "上元村"), row("超朗塑料厂", "超朗村")])
    report = import_sites(file=upload(content), by=safety_officer)
    assert [r.outcome for r in report.rows] == [Outcome.CREATED, Outcome.REJECTED]
    assert "超朗村" in reasons_of(report, 3)
    assert list(Site.objects.values_list("name", flat=True)) == ["上元五金厂"]


def test_officer_cannot_overwrite_a_site_outside_his_zones_by_import(safety_officer, village_b):
    site = make_site(village_b, name="超朗塑料厂", risk_level=1)
    report = import_sites(file=upload(workbook([row("超朗塑料厂", "超朗村", risk="4")])), by=safety_officer)
    assert report.rows[0].outcome == Outcome.REJECTED
    site.refresh_from_db()
    assert site.risk_level == 1


@pytest.mark.parametrize("persona", ["leadership", "village_office", "unit_office"], indirect=True)
def test_readers_may_not_import(persona, village_a):
    with pytest.raises(PermissionDenied):
        import_sites(file=upload(workbook([row("上元五金厂", "上元村")])), by=persona)
    assert not Site.objects.exists()


# --- refused files ---------------------------------------------------------------------------------------


def refusal(by, file) -> str:
    with pytest.raises(ValidationError) as caught:
        import_sites(file=file, by=by)
    assert not Site.objects.exists()
    return " ".join(caught.value.messages)


def test_a_file_with_wrong_columns_is_refused_entirely_naming_the_missing_ones(town_admin, village_a):
    header = headers()
    wrong = [h for h in header if h not in {header[6], header[8]}] + ["备注2"]
    content = workbook([row("上元五金厂", "上元村")], header=wrong)
    message = refusal(town_admin, upload(content))
    assert header[6] in message  # risk level
    assert header[8] in message  # contact phone
    assert header[0] not in message


def test_a_file_with_a_column_twice_is_refused(town_admin, village_a):
    header = [*headers(), headers()[4]]
    message = refusal(town_admin, upload(workbook([[*row("上元五金厂", "上元村"), "又一个地址"]], header=header)))
    assert headers()[4] in message


def test_a_file_that_is_not_xlsx_is_refused(town_admin, village_a):
    csv = "名称,村\n上元五金厂,上元村\n".encode()
    assert "sites.csv" in refusal(town_admin, SimpleUploadedFile("sites.csv", csv, content_type="text/csv"))


@pytest.mark.parametrize(
    "content",
    [b"not a workbook at all", b"PK\x03\x04 broken zip", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old xls", b""],
    ids=["text", "broken-zip", "old-xls", "empty"],
)
def test_a_damaged_or_old_workbook_is_refused(town_admin, village_a, content):
    assert refusal(town_admin, upload(content))


def test_a_zip_that_is_not_a_workbook_is_refused(town_admin, village_a):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "你好")
    assert refusal(town_admin, upload(buffer.getvalue()))


def test_a_file_over_5_mb_is_refused(town_admin, village_a):
    big = upload(b"PK" + b"\0" * (5 * 1024 * 1024))
    assert "5 MB" in refusal(town_admin, big)


def test_a_sheet_of_more_than_5000_rows_is_refused_and_imports_nothing(town_admin, village_a):
    content = workbook([row(f"厂{n:05d}", "上元村") for n in range(5001)])
    assert "5,000" in refusal(town_admin, upload(content))


def test_a_header_without_rows_is_refused(town_admin, village_a):
    assert refusal(town_admin, upload(workbook([])))


# --- the pages -----------------------------------------------------------------------------------------------


def test_import_page_shows_the_report_row_by_row(client_for, safety_officer, village_a, village_b):
    content = workbook([row("上元五金厂", "上元村"), row("超朗塑料厂", "超朗村")])
    response = client_for(safety_officer).post(URL, {"file": upload(content)})
    assert response.status_code == 200
    report = response.context["report"]
    assert [(r.row, r.outcome) for r in report.rows] == [(2, Outcome.CREATED), (3, Outcome.REJECTED)]
    assert shows(response, "超朗塑料厂")
    assert shows(response, report.rows[1].reasons[0])
    assert shows(response, Site.objects.get().get_absolute_url())
    assert messages_of(response)


def test_import_page_says_why_a_file_is_refused(client_for, town_admin, village_a):
    response = client_for(town_admin).post(URL, {"file": SimpleUploadedFile("名录.xls", b"\xd0\xcf\x11\xe0 old")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert response.context["report"] is None
    assert not Site.objects.exists()


def test_import_page_asks_for_a_file(client_for, town_admin):
    response = client_for(town_admin).post(URL, {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_the_template_opens_with_openpyxl_and_has_the_header(client_for, safety_officer, village_a, grid_a):
    response = client_for(safety_officer).get(reverse("inspections:site-import-template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == headers()
    assert rows[1][1] == "上元村" and rows[1][2] == "SY-01"
    assert len(rows) == 2


def test_the_templates_example_row_imports_as_it_is(client_for, town_admin, village_a, grid_a):
    template = client_for(town_admin).get(reverse("inspections:site-import-template")).content
    [result] = import_sites(file=upload(template), by=town_admin).rows
    assert result.outcome == Outcome.CREATED, result.reasons


def test_no_header_or_word_names_two_different_things():
    seen: dict[str, str] = {}
    for column in COLUMNS:
        for word in imports._words(column.label, column.aliases):
            assert seen.setdefault(word, column.key) == column.key, word
    for choices, extra in [(Site.Kind.choices, imports.KIND_WORDS), (Site.RiskLevel.choices, imports.RISK_WORDS)]:
        seen = {}
        for value, label in choices:
            for word in imports._words(label, extra.get(value)):
                assert seen.setdefault(word, value) == value, word
