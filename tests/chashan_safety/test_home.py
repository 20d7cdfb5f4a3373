"""The home page shows each role what exists for it, and the navigation follows the role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.helpers import page_text, shows


def test_anonymous_visitor_is_sent_to_login_from_home(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_village_office_home_shows_its_village_zone_and_teams(
    client_for, village_office, village_a, zone_a, safety_officer, team_a, team_b, village_b
):
    response = client_for(village_office).get(reverse("home"))
    assert response.status_code == 200
    for text in (village_a.name, zone_a.name, safety_officer.display_name, team_a.name):
        assert shows(response, text), text
    assert not shows(response, village_b.name)
    assert not shows(response, team_b.name)


def test_unit_office_home_shows_its_unit_and_industries(client_for, unit_office, unit_a, unit_b):
    response = client_for(unit_office).get(reverse("home"))
    assert response.status_code == 200
    assert shows(response, unit_a.name)
    for industry in unit_a.industry_list:
        assert shows(response, industry)
    assert not shows(response, unit_b.name)


def test_safety_officer_home_shows_his_zones_and_the_teams_he_leads(
    client_for, safety_officer, zone_a, zone_b, team_a, team_b
):
    response = client_for(safety_officer).get(reverse("home"))
    assert response.status_code == 200
    assert shows(response, zone_a.name)
    assert shows(response, team_a.name)
    assert not shows(response, zone_b.name)
    assert not shows(response, team_b.name)


@pytest.mark.parametrize("persona", ["town_admin", "leadership"], indirect=True)
def test_town_admin_and_leadership_see_the_town_overview_counts(
    client_for, persona, village_a, village_b, grid_a, unit_a
):
    response = client_for(persona).get(reverse("home"))
    assert response.status_code == 200
    panels = {panel.key: context for panel, context in response.context["panels"]}
    assert panels["town-overview"]["counts"]["villages"] == 2
    assert panels["town-overview"]["counts"]["grids"] == 1
    assert reverse("inspections:structure") in page_text(response)


def test_only_the_town_admin_is_offered_account_management(
    client_for, town_admin, leadership, safety_officer, village_office
):
    accounts = reverse("accounts:user-list")
    assert accounts in page_text(client_for(town_admin).get(reverse("home")))
    for person in (leadership, safety_officer, village_office):
        assert accounts not in page_text(client_for(person).get(reverse("home"))), person.role


def test_a_unit_office_is_not_offered_the_grid_and_team_registries(client_for, unit_office):
    content = page_text(client_for(unit_office).get(reverse("home")))
    assert reverse("inspections:grid-list") not in content
    assert reverse("inspections:team-list") not in content
    assert reverse("responsibility:unit-list") in content


@pytest.mark.parametrize(
    "persona",
    ["town_admin", "safety_officer", "village_office", "unit_office", "leadership"],
    indirect=True,
)
def test_every_role_gets_a_chinese_home_with_its_name_and_role(client_for, persona):
    response = client_for(persona).get(reverse("home"))
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert shows(response, persona.display_name)
    assert shows(response, persona.get_role_display())


def test_an_unknown_page_answers_a_friendly_404(client_for, village_office):
    response = client_for(village_office).get("/no-such-page/")
    assert response.status_code == 404
    assert reverse("home") in page_text(response)
