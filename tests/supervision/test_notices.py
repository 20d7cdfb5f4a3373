"""The rectification notice (责令限期整改通知书) for a finding and for a whole inspection: a Chinese A4 PDF
filled from what the officer captured, numbered once, read back with pdftotext."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from supervision.models import RectificationNotice
from tests.builders import record_findings
from tests.helpers import messages_of
from tests.responsibility.test_supervision_letters import needs_pdftotext, pdf_text

pytestmark = needs_pdftotext


@pytest.fixture
def findings(safety_officer, site_a):
    return record_findings(officer=safety_officer, site=site_a, count=2)


def notice_title() -> str:
    """The document's title as the PDF prints it: in the portal's language (责令限期整改通知书)."""
    with translation.override(settings.LANGUAGE_CODE):
        return "".join(gettext("Rectification notice").split())


def pdf_of(response, tmp_path, name: str = "") -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    # without any white space: pdftotext breaks long lines of a table cell where the layout wrapped them
    return "".join(pdf_text(b"".join(response.streaming_content), tmp_path, keep_as=name).split())


def test_the_notice_of_a_finding_holds_its_details_and_a_number_of_the_year(
    client_for, findings, safety_officer, tmp_path
):
    finding = findings[0]
    response = client_for(safety_officer).get(reverse("supervision:notice-finding", args=[finding.pk]))

    text = pdf_of(response, tmp_path, "rectification-notice-finding.pdf")
    year = timezone.localdate().year
    assert f"茶应急责改〔{year}〕1号" in text
    assert notice_title() in text
    for fact in (finding.number, finding.description, finding.location, finding.site.name, "清理杂物"):
        assert fact in text
    assert f"{finding.deadline.year}年{finding.deadline.month}月{finding.deadline.day}日" in text
    assert "陈安全" in text  # the inspector who led the inspection
    assert findings[1].number not in text
    assert "attachment" in response["Content-Disposition"] and "pdf" in response["Content-Disposition"]


def test_the_notice_of_an_inspection_lists_every_finding_and_keeps_its_number(
    client_for, findings, safety_officer, tmp_path
):
    inspection = findings[0].inspection
    client = client_for(safety_officer)
    url = reverse("supervision:notice-inspection", args=[inspection.pk])

    text = pdf_of(client.get(url), tmp_path, "rectification-notice-inspection.pdf")
    for finding in findings:
        assert finding.number in text and finding.description in text
    notice = RectificationNotice.objects.get(inspection=inspection, finding=None)
    assert notice.number in text

    again = pdf_of(client.get(url), tmp_path)
    assert notice.number in again
    assert RectificationNotice.objects.count() == 1


def test_the_responsible_office_downloads_a_notice_once_it_was_issued(
    client_for, findings, safety_officer, village_office, tmp_path
):
    finding = findings[0]
    url = reverse("supervision:notice-finding", args=[finding.pk])
    response = client_for(village_office).get(url, follow=True)
    assert messages_of(response) == ["No rectification notice has been issued for this yet."]
    assert not RectificationNotice.objects.exists()

    client_for(safety_officer).get(url)
    assert finding.number in pdf_of(client_for(village_office).get(url), tmp_path)


@pytest.mark.parametrize("persona", ["other_officer", "other_village_office", "unit_office"], indirect=True)
def test_a_notice_outside_the_users_scope_is_not_found(client_for, findings, persona):
    finding = findings[0]
    assert client_for(persona).get(reverse("supervision:notice-finding", args=[finding.pk])).status_code == 404
    assert (
        client_for(persona).get(reverse("supervision:notice-inspection", args=[finding.inspection_id])).status_code
        == 404
    )


def test_the_finding_and_inspection_pages_offer_the_notice(client_for, findings, safety_officer):
    client = client_for(safety_officer)
    finding_page = client.get(findings[0].get_absolute_url()).content.decode()
    assert reverse("supervision:notice-finding", args=[findings[0].pk]) in finding_page
    inspection_page = client.get(findings[0].inspection.get_absolute_url()).content.decode()
    assert reverse("supervision:notice-inspection", args=[findings[0].inspection_id]) in inspection_page
