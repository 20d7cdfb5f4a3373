"""The letter pages from inside and outside, the progress board and its filters, the ledger, the PDF."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chashan_safety.reminders import sweep
from responsibility.models import PartyKind, ResponsibilityLetter
from responsibility.progress import SigningProgress, signing_progress
from responsibility.signing import letters_issue
from tests.factories import UnitFactory, VillageFactory
from tests.helpers import count_queries, shows
from tests.responsibility.conftest import sign_drawn, this_year

#: who may read village A's letter
WHO_READS_LETTER_A = [
    ("town_admin", 200),
    ("leadership", 200),
    ("safety_officer", 200),
    ("village_office", 200),
    ("other_officer", 404),
    ("other_village_office", 404),
    ("unit_office", 404),
]


@pytest.mark.parametrize(("persona", "status"), WHO_READS_LETTER_A, indirect=["persona"])
@pytest.mark.parametrize("page", ["rletter-detail", "rletter-verify", "rletter-signature", "scorecard-party"])
def test_a_villages_letter_is_read_inside_its_scope_only(client_for, signed_a, persona, status, page):
    response = client_for(persona).get(reverse(f"responsibility:{page}", args=[signed_a.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(("persona", "status"), WHO_READS_LETTER_A, indirect=["persona"])
def test_the_pdf_of_a_villages_letter_is_scoped_too(client_for, letter_a, persona, status, monkeypatch):
    monkeypatch.setattr("responsibility.letter_views.responsibility_letter_pdf", lambda letter: b"%PDF-1.7 fake")
    response = client_for(persona).get(reverse("responsibility:rletter-pdf", args=[letter_a.pk]))
    assert response.status_code == status


def test_a_unit_office_reads_its_own_letter_and_no_other(client_for, letters, unit_a, unit_b, unit_office):
    client = client_for(unit_office)
    own = letters[f"unit:{unit_a.pk}"]
    other = letters[f"unit:{unit_b.pk}"]
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404


def test_the_office_sees_the_signing_pad_on_its_unsigned_letter(client_for, letter_a, village_office):
    response = client_for(village_office).get(letter_a.get_absolute_url())
    assert response.context["signable"]
    assert shows(response, "data-signature-pad")
    assert shows(response, "乙方主要负责人是安全生产第一责任人。")


@pytest.mark.parametrize("persona", ["town_admin", "leadership", "safety_officer"], indirect=True)
def test_others_read_the_letter_without_the_pad(client_for, letter_a, persona):
    response = client_for(persona).get(letter_a.get_absolute_url())
    assert not response.context["signable"]
    assert not shows(response, "data-signature-pad")


def test_a_signed_letter_shows_its_record_and_no_pad(client_for, signed_a, village_office):
    response = client_for(village_office).get(signed_a.get_absolute_url())
    assert not response.context["signable"]
    assert shows(response, signed_a.text_sha256)
    assert shows(response, "张建国")


def test_my_letter_lists_the_offices_letters_only(client_for, letters, letter_a, letter_b, village_office):
    response = client_for(village_office).get(reverse("responsibility:rletter-mine"))
    assert list(response.context["letters"]) == [letter_a]


# --- progress --------------------------------------------------------------------------------------------


def test_signing_progress_counts_the_signed_and_the_late_in_one_query(
    letters, letter_a, village_office, django_assert_num_queries
):
    sign_drawn(letter_a, village_office)
    later = timezone.localdate() + dt.timedelta(days=60)
    with django_assert_num_queries(1):
        progress = signing_progress(this_year(), today=later)
    assert progress == SigningProgress(year=this_year(), total=4, signed=1, late=3)
    assert progress.percent == 25
    assert signing_progress(this_year()).late == 0
    assert signing_progress(this_year() + 1) == SigningProgress(this_year() + 1, 0, 0, 0)


def board(client, **params):
    return client.get(reverse("responsibility:rletter-progress"), {"year": this_year(), **params})


def test_the_board_shows_x_of_n_signed(client_for, letters, letter_a, village_office, town_admin):
    sign_drawn(letter_a, village_office)
    response = board(client_for(town_admin))
    assert response.context["progress"].signed == 1
    assert response.context["progress"].total == 4
    assert len(response.context["letters"]) == 4
    # the filter keeps the year chosen with the buttons above it
    assert f'type="hidden" name="year" value="{this_year()}"' in response.content.decode()


def test_the_board_filters_by_kind_zone_and_status(
    client_for, letters, letter_a, letter_b, village_office, town_admin, zone_a
):
    sign_drawn(letter_a, village_office)
    client = client_for(town_admin)

    villages = board(client, kind=PartyKind.VILLAGE)
    assert {letter.pk for letter in villages.context["letters"]} == {letter_a.pk, letter_b.pk}
    assert villages.context["progress"].total == 2

    in_zone = board(client, zone=zone_a.pk)
    assert [letter.pk for letter in in_zone.context["letters"]] == [letter_a.pk]
    assert in_zone.context["progress"].signed == 1

    unsigned = board(client, status="unsigned")
    assert letter_a.pk not in {letter.pk for letter in unsigned.context["letters"]}
    assert len(unsigned.context["letters"]) == 3


def test_the_board_lists_the_late_ones(client_for, letters, town_admin):
    ResponsibilityLetter.objects.update(deadline=timezone.localdate() - dt.timedelta(days=2))
    response = board(client_for(town_admin), status="late")
    assert len(response.context["letters"]) == 4
    assert response.context["progress"].late == 4


def test_the_board_says_when_each_unsigned_letter_was_last_reminded(
    client_for, letters, letter_a, letter_b, village_office, town_admin, deadline
):
    sign_drawn(letter_b, _office(letter_b.village))
    sweep(deadline + dt.timedelta(days=1))  # the day after the deadline: every unsigned letter's office is told
    page = board(client_for(town_admin)).content.decode()

    today = timezone.localdate().isoformat()
    row_a = re.search(rf'<tr data-letter="{letter_a.pk}">.*?</tr>', page, re.S).group(0)
    row_b = re.search(rf'<tr data-letter="{letter_b.pk}">.*?</tr>', page, re.S).group(0)
    assert 'data-testid="reminded"' in row_a and today in row_a
    assert 'data-testid="reminded"' not in row_b  # signed: nothing to remind of


def test_a_letter_never_reminded_shows_no_reminder(client_for, letters, letter_a, town_admin):
    page = board(client_for(town_admin)).content.decode()
    assert 'data-testid="reminded"' not in page


def test_an_officer_sees_the_villages_of_the_zone_and_the_units(
    client_for, letters, letter_a, letter_b, safety_officer
):
    response = board(client_for(safety_officer))
    shown = {letter.pk for letter in response.context["letters"]}
    assert letter_a.pk in shown
    assert letter_b.pk not in shown
    assert len(shown) == 3


@pytest.mark.parametrize("persona", ["village_office", "unit_office"], indirect=True)
def test_offices_do_not_open_the_board_or_the_ledger(client_for, letters, persona):
    assert board(client_for(persona)).status_code == 403
    assert client_for(persona).get(reverse("responsibility:rletter-ledger")).status_code == 403


def test_a_bad_filter_value_shows_nothing_rather_than_failing(client_for, letters, town_admin):
    response = board(client_for(town_admin), zone="abc", kind="nonsense")
    assert response.status_code == 200
    assert list(response.context["letters"]) == []


def test_the_boards_query_count_does_not_grow_with_the_letters(client_for, templates, town_admin, village_a, zone_a):
    client = client_for(town_admin)
    url = reverse("responsibility:rletter-progress") + f"?year={this_year()}"
    letters_issue(year=this_year(), deadline=timezone.localdate(), by=town_admin)
    few = count_queries(client, url)
    for _n in range(8):
        VillageFactory(zone=zone_a)
        UnitFactory()
    letters_issue(year=this_year(), deadline=timezone.localdate(), by=town_admin)
    sign_drawn(ResponsibilityLetter.objects.get(village=village_a), _office(village_a))
    assert count_queries(client, url) == few


def _office(village):
    from chashan_safety.models import Role
    from tests.factories import UserFactory

    return UserFactory(role=Role.VILLAGE_OFFICE, village=village)


def test_the_ledger_is_an_excel_file_of_the_letters_shown(client_for, letters, letter_a, village_office, town_admin):
    sign_drawn(letter_a, village_office)
    response = client_for(town_admin).get(
        reverse("responsibility:rletter-ledger"), {"year": this_year(), "kind": PartyKind.VILLAGE}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2
    signed = next(row for row in rows if row[1] == letter_a.party_name)
    assert signed[7] == "张建国"
    assert signed[11] == ResponsibilityLetter.objects.get(pk=letter_a.pk).text_sha256


def test_the_ledger_of_an_officer_holds_only_what_the_officer_sees(client_for, letters, letter_b, safety_officer):
    response = client_for(safety_officer).get(reverse("responsibility:rletter-ledger"), {"year": this_year()})
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert letter_b.party_name not in {row[1] for row in rows}
    assert len(rows) == 3


# --- home panels -----------------------------------------------------------------------------------------


def render_panel(key: str, user) -> str:
    from django.template.loader import render_to_string

    from chashan_safety.registry import _panels

    panel = _panels[key]
    assert user.role in panel.roles
    return render_to_string(panel.template, {"panel": panel.context(user)})


def test_the_village_office_home_panel_offers_its_letter_to_sign(letter_a, village_office):
    html = render_panel("my-letter", village_office)
    assert letter_a.get_absolute_url() in html


def test_the_town_administrator_home_panel_shows_the_signing_progress(letters, letter_a, village_office, town_admin):
    sign_drawn(letter_a, village_office)
    html = render_panel("letter-progress", town_admin)
    assert "1 / 4" in html or "1 of 4" in html


# --- the PDF -----------------------------------------------------------------------------------------------

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None and not os.environ.get("CI"), reason="needs pdftotext (poppler-utils)"
)


@needs_pdftotext
def test_the_signed_letter_pdf_is_chinese_with_the_signing_time_and_hash(
    client_for, signed_a, village_office, tmp_path
):
    response = client_for(village_office).get(reverse("responsibility:rletter-pdf", args=[signed_a.pk]))
    if response.status_code == 503:
        pytest.skip("WeasyPrint is not available here")
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "responsibility-letter-signed.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert "A4" in info
    flat = "".join(text.split())
    assert "乙方主要负责人是安全生产第一责任人" in flat
    assert signed_a.party_name in flat
    assert signed_a.text_sha256 in flat
    assert timezone.localtime(signed_a.signed_at).strftime("%Y-%m-%d %H:%M") in text
