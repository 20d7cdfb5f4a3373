"""Supervision letters (督办函): drafted for a red card, listed for the administrator, sent once with a
number of the year, and printed as a Chinese A4 PDF whose text can be read back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from chashan_safety.models import Notification
from responsibility.models import Card, SupervisionLetter
from tests.builders import make_site, overdue_findings, sweep_today
from tests.helpers import count_queries, messages_of, page_text, shows

NOT_ADMINS = ["safety_officer", "village_office", "unit_office", "leadership"]
PDFTOTEXT = shutil.which("pdftotext")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# CI installs poppler-utils: there a missing pdftotext fails the tests instead of skipping them
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None and not os.environ.get("CI"), reason="needs pdftotext and pdfinfo (apt-get install poppler-utils)"
)


@pytest.fixture
def finding(safety_officer, village_a):
    """A finding of village A fifteen days overdue when first swept: a red card and a drafted letter."""
    found = overdue_findings(officer=safety_officer, site=make_site(village_a), days=15)[0]
    sweep_today()
    return found


@pytest.fixture
def letter(finding, village_a):
    return SupervisionLetter.objects.get(card__village=village_a, card__source=f"finding:{finding.pk}")


def detail(letter) -> str:
    return reverse("responsibility:letter-detail", args=[letter.pk])


def send(client, letter):
    return client.post(reverse("responsibility:letter-send", args=[letter.pk]), follow=True)


def pdf_text(pdf: bytes, tmp_path, keep_as: str = "") -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    if keep_as:  # beside the browser journeys' screenshots, for a person to look at
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / keep_as).write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


# --- the list and the detail ---------------------------------------------------------------------


def test_a_red_card_drafts_a_letter_that_the_administrator_finds_in_the_list(client_for, town_admin, letter, village_a):
    response = client_for(town_admin).get(reverse("responsibility:letter-list"))

    assert response.status_code == 200
    assert [item.pk for item in response.context["page_obj"]] == [letter.pk]
    assert letter.status == SupervisionLetter.Status.DRAFT and letter.number == ""
    assert shows(response, village_a.name)
    assert response.context["drafts"] == 1


@pytest.mark.parametrize("persona", NOT_ADMINS, indirect=True)
def test_only_the_administrator_lists_letters(client_for, persona):
    assert client_for(persona).get(reverse("responsibility:letter-list")).status_code == 403


def test_the_letter_list_filters_by_status(client_for, town_admin, letter):
    client = client_for(town_admin)
    send(client, letter)

    drafts = client.get(reverse("responsibility:letter-list"), {"status": "draft"})
    sent = client.get(reverse("responsibility:letter-list"), {"status": "sent"})

    assert list(drafts.context["page_obj"]) == []
    assert [item.pk for item in sent.context["page_obj"]] == [letter.pk]


def test_the_draft_states_the_facts_of_the_finding(client_for, town_admin, letter, finding, village_a):
    response = client_for(town_admin).get(detail(letter))

    assert response.status_code == 200
    content = response.context["content"]
    assert content.facts.number == finding.number
    assert content.days_overdue == 15
    assert content.rectify_by == timezone.localdate() + timezone.timedelta(days=7)
    for text in (finding.number, finding.site.name, finding.description, village_a.name):
        assert shows(response, text)


@pytest.mark.parametrize(
    "persona", ["safety_officer", "village_office", "other_village_office", "unit_office", "leadership"], indirect=True
)
def test_a_draft_is_for_the_administrator_only(client_for, persona, letter):
    assert client_for(persona).get(detail(letter)).status_code == 404
    assert client_for(persona).get(reverse("responsibility:letter-pdf", args=[letter.pk])).status_code == 404


# --- sending ---------------------------------------------------------------------------------------


def test_marking_as_sent_numbers_the_letter_and_records_who_and_when(client_for, town_admin, letter):
    response = send(client_for(town_admin), letter)

    letter.refresh_from_db()
    year = timezone.localdate().year
    assert letter.status == SupervisionLetter.Status.SENT
    assert letter.number == f"茶应急督〔{year}〕1号"
    assert letter.sent_by == town_admin and letter.sent_at is not None
    assert response.redirect_chain[-1][0] == detail(letter)
    assert any(letter.number in message for message in messages_of(response))
    last = letter.history.first()
    assert (last.status, last.history_user) == ("sent", town_admin)


def test_letters_are_numbered_one_after_another_in_the_year(client_for, town_admin, safety_officer, village_a, letter):
    overdue_findings(officer=safety_officer, site=make_site(village_a, "第二家工厂"), days=15)
    sweep_today()
    client = client_for(town_admin)

    for item in SupervisionLetter.objects.order_by("pk"):
        send(client, item)

    year = timezone.localdate().year
    numbers = set(SupervisionLetter.objects.values_list("number", flat=True))
    # the red cards of the two findings
    assert numbers == {f"茶应急督〔{year}〕{n}号" for n in (1, 2)}


def test_a_sent_letter_cannot_be_sent_again(client_for, town_admin, letter):
    client = client_for(town_admin)
    send(client, letter)
    letter.refresh_from_db()
    first = (letter.number, letter.sent_at)

    response = send(client, letter)

    letter.refresh_from_db()
    assert (letter.number, letter.sent_at) == first
    assert any("cannot be sent again" in m or letter.number in m for m in messages_of(response))
    assert 'data-testid="letter-send"' not in response.content.decode()


def test_the_number_format_is_a_setting(client_for, town_admin, letter, settings):
    settings.SUPERVISION_LETTER_NUMBER_FORMAT = "茶安委督字〔{year}〕第{n}号"

    send(client_for(town_admin), letter)

    letter.refresh_from_db()
    assert letter.number == f"茶安委督字〔{timezone.localdate().year}〕第1号"


@pytest.mark.parametrize("persona", NOT_ADMINS, indirect=True)
def test_only_the_administrator_sends(client_for, persona, letter):
    response = client_for(persona).post(reverse("responsibility:letter-send", args=[letter.pk]))

    assert response.status_code == 403
    letter.refresh_from_db()
    assert letter.status == SupervisionLetter.Status.DRAFT


def test_sending_is_a_post(client_for, town_admin, letter):
    assert client_for(town_admin).get(reverse("responsibility:letter-send", args=[letter.pk])).status_code == 405


def test_sending_tells_the_partys_office_in_its_inbox(
    client_for, town_admin, village_office, other_village_office, letter
):
    send(client_for(town_admin), letter)
    letter.refresh_from_db()

    told = Notification.objects.filter(reminder__isnull=True, url=detail(letter))
    assert [item.recipient for item in told] == [village_office]
    assert letter.number in told.get().title


def test_the_party_reads_its_sent_letter_and_another_party_does_not(
    client_for, town_admin, village_office, other_village_office, letter
):
    send(client_for(town_admin), letter)

    assert client_for(village_office).get(detail(letter)).status_code == 200
    assert 'data-testid="letter-send"' not in client_for(village_office).get(detail(letter)).content.decode()
    assert client_for(other_village_office).get(detail(letter)).status_code == 404
    assert (
        client_for(other_village_office).get(reverse("responsibility:letter-pdf", args=[letter.pk])).status_code == 404
    )


# --- the PDF ---------------------------------------------------------------------------------------


@needs_pdftotext
def test_the_pdf_is_an_a4_document_whose_text_names_the_party_and_the_finding(
    client_for, town_admin, letter, finding, village_a, tmp_path
):
    response = client_for(town_admin).get(reverse("responsibility:letter-pdf", args=[letter.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path, keep_as="supervision-letter-draft.pdf")
    assert village_a.name in text
    assert finding.number in text
    info = subprocess.run(["pdfinfo", str(tmp_path / "letter.pdf")], check=True, capture_output=True, text=True)
    assert "(A4)" in info.stdout


@needs_pdftotext
def test_the_party_downloads_the_pdf_of_its_sent_letter_with_its_number(
    client_for, town_admin, village_office, letter, tmp_path
):
    send(client_for(town_admin), letter)
    letter.refresh_from_db()

    response = client_for(village_office).get(reverse("responsibility:letter-pdf", args=[letter.pk]))

    assert response.status_code == 200
    assert letter.number in pdf_text(
        b"".join(response.streaming_content), tmp_path, keep_as="supervision-letter-sent.pdf"
    )
    assert "filename*=utf-8''" in response["Content-Disposition"]


@needs_pdftotext
def test_a_letter_for_the_second_yellow_lists_the_years_yellow_cards(
    client_for, town_admin, safety_officer, village_a, tmp_path
):
    findings = overdue_findings(officer=safety_officer, site=make_site(village_a), days=8, count=2)
    sweep_today()
    letter = SupervisionLetter.objects.get(card__source__startswith="second-yellow:")

    response = client_for(town_admin).get(detail(letter))
    pdf = client_for(town_admin).get(reverse("responsibility:letter-pdf", args=[letter.pk]))

    assert [yellow.color for yellow, _facts in response.context["content"].yellow_cards] == ["yellow", "yellow"]
    text = pdf_text(b"".join(pdf.streaming_content), tmp_path, keep_as="supervision-letter-second-yellow.pdf")
    for finding in findings:
        assert finding.number in text


def test_a_letter_for_the_second_yellow_counts_the_yellow_cards_once(client_for, town_admin, safety_officer, village_a):
    overdue_findings(officer=safety_officer, site=make_site(village_a), days=8, count=2)
    sweep_today()
    letter = SupervisionLetter.objects.get(card__source__startswith="second-yellow:")

    page = page_text(client_for(town_admin).get(detail(letter)))

    assert page.count("已被记黄牌2次") == 1
    assert page.count("标记为已发出后") == 1


def test_without_weasyprint_the_page_says_so_with_a_503(client_for, town_admin, letter, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint now raises ImportError

    response = client_for(town_admin).get(reverse("responsibility:letter-pdf", args=[letter.pk]))

    assert response.status_code == 503
    assert shows(response, "fonts-noto-cjk")
    assert shows(response, reverse("responsibility:letter-detail", args=[letter.pk]))


def test_a_failing_renderer_is_reported_the_same_way(client_for, town_admin, letter, monkeypatch):
    import weasyprint

    def broken(self, *args, **kwargs):
        raise OSError("cannot load library 'pango-1.0-0'")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)

    response = client_for(town_admin).get(reverse("responsibility:letter-pdf", args=[letter.pk]))

    assert response.status_code == 503


def test_the_letter_list_runs_as_many_queries_for_30_letters_as_for_1(
    client_for, town_admin, safety_officer, village_a
):
    site = make_site(village_a)
    overdue_findings(officer=safety_officer, site=site, days=15)
    sweep_today()
    client = client_for(town_admin)
    url = reverse("responsibility:letter-list")
    client.get(url)
    one = count_queries(client, url)
    send(client, SupervisionLetter.objects.first())

    overdue_findings(officer=safety_officer, site=site, days=15, count=29)
    sweep_today()
    thirty = count_queries(client, url)

    assert SupervisionLetter.objects.count() >= 25
    assert Card.objects.filter(color=Card.Color.RED).count() >= 30
    assert thirty == one
