"""Grid, team, zone and section pages over HTTP: scoped reads, town-admin-only writes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inspections.models import Grid, Section, Zone
from tests.factories import PatrolTeamMemberFactory
from tests.helpers import WHO_READS_VILLAGE_A, database_snapshot, shows, team_post


@pytest.mark.parametrize(
    ("persona", "expected"),
    WHO_READS_VILLAGE_A,
    indirect=["persona"],
)
def test_grid_a_detail_answers_by_persona(client_for, persona, expected, grid_a):
    response = client_for(persona).get(grid_a.get_absolute_url())
    assert response.status_code == expected
    assert shows(response, grid_a.worker_name) is (expected == 200)


def test_village_office_cannot_open_another_villages_grid(client_for, village_office, grid_b):
    response = client_for(village_office).get(grid_b.get_absolute_url())
    assert response.status_code == 404
    assert not shows(response, grid_b.name)


def test_grid_list_of_a_village_office_shows_only_its_own_grids(client_for, village_office, grid_a, grid_b):
    response = client_for(village_office).get(reverse("inspections:grid-list"))
    assert response.status_code == 200
    assert shows(response, grid_a.name)
    assert not shows(response, grid_b.name)


def test_grid_filter_offers_only_the_villages_the_user_may_see(client_for, village_office, village_a, village_b):
    response = client_for(village_office).get(reverse("inspections:grid-list"))
    offered = {str(label) for value, label in response.context["filter"].form.fields["village"].choices if value}
    assert offered == {village_a.name}
    assert not shows(response, village_b.name)


def test_filtering_grids_by_another_villages_id_shows_no_grid_of_it(client_for, village_office, grid_a, grid_b):
    response = client_for(village_office).get(reverse("inspections:grid-list"), {"village": grid_b.village_id})
    assert response.status_code == 200
    assert not shows(response, grid_b.name)


@pytest.mark.parametrize(
    ("persona", "expected"),
    WHO_READS_VILLAGE_A,
    indirect=["persona"],
)
def test_team_a_detail_answers_by_persona(client_for, persona, expected, team_a):
    response = client_for(persona).get(team_a.get_absolute_url())
    assert response.status_code == expected
    assert shows(response, "王网格") is (expected == 200)


def test_officer_team_list_shows_his_teams_and_not_the_other_zones(client_for, safety_officer, team_a, team_b):
    response = client_for(safety_officer).get(reverse("inspections:team-list"))
    assert response.status_code == 200
    assert shows(response, team_a.name)
    assert not shows(response, team_b.name)


@pytest.mark.parametrize(
    "persona", ["town_admin", "leadership", "safety_officer", "village_office", "unit_office"], indirect=True
)
def test_every_persona_reads_zones_and_sections(client_for, persona, zone_a, zone_b, village_a):
    client = client_for(persona)
    for url in (
        reverse("inspections:zone-list"),
        reverse("inspections:section-list"),
        zone_a.get_absolute_url(),
        zone_a.section.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert shows(response, zone_a.name), url


def test_zone_detail_shows_a_village_office_only_the_villages_it_may_see(
    client_for, other_village_office, village_a, village_b, zone_a, zone_b
):
    # village B's office reads zone A's page, but village A is not its business
    response = client_for(other_village_office).get(zone_a.get_absolute_url())
    assert response.status_code == 200
    assert not shows(response, village_a.name)
    response = client_for(other_village_office).get(zone_b.get_absolute_url())
    assert shows(response, village_b.name)


def test_a_forged_zone_id_answers_404(client_for, leadership, zone_a):
    assert client_for(leadership).get(reverse("inspections:zone-detail", args=[zone_a.pk + 999])).status_code == 404


# --- writing ------------------------------------------------------------------------------------------------


def _edit_posts(zone_a, village_a, grid_a, team_a, safety_officer) -> list[tuple[str, dict]]:
    section = zone_a.section
    return [
        (reverse("inspections:section-create"), {"name": "伪造股", "order": 9}),
        (reverse("inspections:section-edit", args=[section.pk]), {"name": "篡改股", "order": 1}),
        (reverse("inspections:zone-create"), {"name": "伪造片区", "order": 9, "villages": [village_a.pk]}),
        (reverse("inspections:zone-edit", args=[zone_a.pk]), {"name": "篡改片区", "order": 1, "villages": []}),
        (reverse("inspections:grid-create"), {"village": village_a.pk, "code": "X-1", "name": "伪造网格"}),
        (reverse("inspections:grid-edit", args=[grid_a.pk]), {"village": village_a.pk, "code": "X-2", "name": "篡改"}),
        (reverse("inspections:team-create"), team_post(zone_a, safety_officer, name="伪造巡查队")),
        (reverse("inspections:team-edit", args=[team_a.pk]), team_post(zone_a, safety_officer, name="篡改巡查队")),
    ]


@pytest.mark.parametrize("persona", ["leadership", "safety_officer", "village_office", "unit_office"], indirect=True)
def test_only_the_town_admin_may_open_structure_forms(
    client_for, persona, zone_a, village_a, grid_a, team_a, safety_officer
):
    client = client_for(persona)
    for url, _data in _edit_posts(zone_a, village_a, grid_a, team_a, safety_officer):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("persona", ["leadership", "safety_officer", "village_office", "unit_office"], indirect=True)
def test_a_refused_structure_post_changes_nothing(
    client_for, persona, zone_a, village_a, grid_a, team_a, safety_officer
):
    client = client_for(persona)
    posts = _edit_posts(zone_a, village_a, grid_a, team_a, safety_officer)
    before = database_snapshot()
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert database_snapshot() == before


def test_town_admin_opens_every_structure_form(
    client_for, town_admin, zone_a, village_a, grid_a, team_a, safety_officer
):
    client = client_for(town_admin)
    for url, _data in _edit_posts(zone_a, village_a, grid_a, team_a, safety_officer):
        assert client.get(url).status_code == 200, url


def test_town_admin_creates_a_grid_in_a_village(client_for, town_admin, village_a):
    response = client_for(town_admin).post(
        reverse("inspections:grid-create"),
        {"village": village_a.pk, "code": "SY-02", "name": "上元二网格", "worker_name": "周网格"},
        follow=True,
    )
    grid = Grid.objects.get(village=village_a, code="SY-02")
    assert response.redirect_chain[-1][0] == grid.get_absolute_url()
    assert shows(response, "周网格")
    assert grid.history.get().history_user == town_admin


def test_a_grid_code_already_used_in_the_village_is_refused_with_a_message(client_for, town_admin, grid_a):
    client = client_for(town_admin)
    before = database_snapshot()
    response = client.post(
        reverse("inspections:grid-create"), {"village": grid_a.village_id, "code": grid_a.code, "name": "重复"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors
    assert any(shows(response, message) for messages in errors.values() for message in messages)
    assert database_snapshot() == before


def test_the_same_grid_code_may_be_used_in_another_village(client_for, town_admin, grid_a, village_b):
    client_for(town_admin).post(
        reverse("inspections:grid-create"), {"village": village_b.pk, "code": grid_a.code, "name": "超朗二网格"}
    )
    assert Grid.objects.filter(code=grid_a.code).count() == 2


def test_town_admin_creates_a_section_and_its_zone(client_for, town_admin, village_a, safety_officer):
    client = client_for(town_admin)
    client.post(reverse("inspections:section-create"), {"name": "危化股", "duties": "危险化学品", "order": 5})
    section = Section.objects.get(name="危化股")
    client.post(
        reverse("inspections:zone-create"),
        {
            "name": "北片区",
            "section": section.pk,
            "order": 5,
            "villages": [village_a.pk],
            "officers": [safety_officer.pk],
        },
    )
    zone = Zone.objects.get(name="北片区")
    assert zone.section == section
    assert list(zone.villages.all()) == [village_a]
    assert list(zone.officers.all()) == [safety_officer]
    assert section.history.get().history_user == town_admin
    assert zone.history.get().history_user == town_admin


def test_village_office_sees_the_whole_size_of_a_team_it_patrols_with(client_for, village_office, team_a, village_b):
    # the team has one member from village A (the office's own) and two from village B
    PatrolTeamMemberFactory(team=team_a, name="外村队员甲", village=village_b)
    PatrolTeamMemberFactory(team=team_a, name="外村队员乙", village=village_b)
    response = client_for(village_office).get(reverse("inspections:team-list"))
    assert [(team.name, team.member_count) for team in response.context["page_obj"]] == [(team_a.name, 3)]
    assert shows(response, "1 + 3")


def test_village_office_sees_the_whole_size_of_a_team_on_the_structure_page(
    client_for, village_office, team_a, village_b
):
    PatrolTeamMemberFactory(team=team_a, name="外村队员甲", village=village_b)
    response = client_for(village_office).get(reverse("inspections:structure"))
    teams = [team for zone in response.context["zones"] for team in zone.teams.all()]
    assert [(team.name, team.member_count) for team in teams] == [(team_a.name, 2)]


@pytest.mark.parametrize(
    "url_name",
    [
        "inspections:structure",
        "inspections:grid-list",
        "inspections:team-list",
        "inspections:zone-list",
        "inspections:section-list",
        "inspections:team-create",
        "inspections:grid-create",
    ],
)
def test_anonymous_visitor_is_sent_to_login_from_the_structure_pages(client, db, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_anonymous_visitor_cannot_open_a_grid_or_team_by_id(client, grid_a, team_a):
    for url in (
        grid_a.get_absolute_url(),
        team_a.get_absolute_url(),
        reverse("inspections:team-edit", args=[team_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_forged_grid_and_team_ids_answer_404_for_the_town_admin(client_for, town_admin, grid_a, team_a):
    client = client_for(town_admin)
    for url_name, pk in [
        ("inspections:grid-detail", grid_a.pk),
        ("inspections:grid-edit", grid_a.pk),
        ("inspections:team-detail", team_a.pk),
        ("inspections:team-edit", team_a.pk),
    ]:
        assert client.get(reverse(url_name, args=[pk + 999])).status_code == 404, url_name
