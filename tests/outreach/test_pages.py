import pytest
from django.urls import reverse
from django.utils.translation import ngettext

from tests.helpers import shows

READERS = ["town_admin", "leadership", "safety_officer", "other_officer", "village_office", "other_village_office"]

PAGES = [
    "outreach:coverage",
    "outreach:calendar",
    "outreach:carrier-list",
    "outreach:activity-list",
]


@pytest.mark.parametrize("persona", READERS, indirect=True)
@pytest.mark.parametrize("page", PAGES)
def test_every_reader_opens_the_outreach_pages(client_for, persona, page, activity_a, activity_b):
    response = client_for(persona).get(reverse(page))
    assert response.status_code == 200


def test_an_anonymous_visitor_is_sent_to_sign_in(client_for):
    response = client_for().get(reverse("outreach:coverage"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["town_admin", "safety_officer", "village_office"], indirect=True)
def test_recorders_open_the_forms(client_for, persona, village_a):
    client = client_for(persona)
    assert client.get(reverse("outreach:activity-create")).status_code == 200
    assert client.get(reverse("outreach:carrier-create")).status_code == 200


@pytest.mark.parametrize("persona", ["leadership", "unit_office"], indirect=True)
def test_readers_who_record_nothing_may_not_open_the_forms(client_for, persona):
    client = client_for(persona)
    assert client.get(reverse("outreach:activity-create")).status_code == 403
    assert client.get(reverse("outreach:carrier-create")).status_code == 403


def test_the_home_page_shows_the_outreach_panel_to_a_village_office(client_for, village_office, activity_a):
    response = client_for(village_office).get(reverse("home"))
    assert response.status_code == 200
    assert not shows(response, "上元村消防疏散演练")  # the panel lists what is still to come, not the past
    assert 'data-testid="panel-village-outreach"' in response.content.decode()


@pytest.mark.parametrize("persona", ["town_admin", "leadership", "safety_officer"], indirect=True)
def test_the_home_page_shows_the_town_outreach_panel(client_for, persona, activity_a, activity_b):
    response = client_for(persona).get(reverse("home"))
    panel = response.content.decode().split('data-testid="panel-town-outreach"')[1]
    reached = ngettext(
        "%(count)s activity, %(audience)s people reached.", "%(count)s activities, %(audience)s people reached.", 2
    )
    assert reached % {"count": 2, "audience": 60} in panel  # two activities of 30 people this year


def test_a_unit_office_has_no_outreach_panel_and_no_outreach_menu(client_for, unit_office):
    html = client_for(unit_office).get(reverse("home")).content.decode()
    assert "panel-town-outreach" not in html and "panel-village-outreach" not in html
    assert reverse("outreach:coverage") not in html
