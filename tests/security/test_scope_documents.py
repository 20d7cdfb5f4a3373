"""A document that lists several records is served only to those who may read every one of them.

The rectification notice of a whole inspection lists every finding of the inspection. A unit office
reads an inspection that found something it must fix, but on it only its own findings: the notice
would show it the other parties' findings, so it answers 404 and the inspection page does not offer it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from supervision.models import RectificationNotice
from supervision.notices import notice_context
from tests.builders import make_site, record_findings
from tests.factories import FindingFactory
from tests.security.test_scope_walk import PDFS_RENDER

#: what a PDF page answers: the PDF, or, without WeasyPrint's system libraries, a page that says so
PDF_STATUS = 200 if PDFS_RENDER else 503


@pytest.fixture
def findings(other_officer, village_b, unit_b):
    """One inspection in village B: a finding for unit B to fix, and one for village B."""
    units = record_findings(officer=other_officer, site=make_site(village_b), responsible_unit=unit_b)[0]
    villages = FindingFactory(inspection=units.inspection, description="超朗村自行整改的隐患")
    return units, villages


@pytest.fixture
def notice_url(client_for, findings, other_officer):
    url = reverse("supervision:notice-inspection", args=[findings[0].inspection_id])
    assert client_for(other_officer).get(url).status_code == PDF_STATUS  # the officer issues it
    return url


def test_the_notice_of_a_whole_inspection_lists_every_party_s_findings(notice_url, findings):
    notice = RectificationNotice.objects.get(inspection=findings[0].inspection, finding=None)
    assert [finding.pk for finding in notice_context(notice)["findings"]] == sorted(f.pk for f in findings)


def test_a_unit_office_does_not_get_the_notice_of_an_inspection_listing_other_parties_findings(
    client_for, notice_url, findings, other_unit_office
):
    client = client_for(other_unit_office)
    assert client.get(notice_url).status_code == 404
    page = client.get(findings[0].inspection.get_absolute_url())
    assert page.status_code == 200
    content = page.content.decode()
    assert findings[1].description not in content
    assert notice_url not in content
    # its own finding's notice it gets, once issued
    own = reverse("supervision:notice-finding", args=[findings[0].pk])
    client_for(findings[0].inspection.led_by).get(own)
    assert client.get(own).status_code == PDF_STATUS


@pytest.mark.parametrize("persona", ["other_officer", "other_village_office", "town_admin", "leadership"])
def test_those_who_read_every_finding_of_the_inspection_get_its_notice(client_for, notice_url, request, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(notice_url).status_code == PDF_STATUS
