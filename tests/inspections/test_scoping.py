"""Who may read which grid, team, zone and section: ``visible_to(user)`` from inside and from outside."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from chashan_safety.models import Role
from inspections.models import Grid, PatrolTeam, Section, Zone
from tests.factories import GridFactory, PatrolTeamMemberFactory, SectionFactory, UserFactory


def names(queryset) -> list[str]:
    return sorted(queryset.values_list("name", flat=True))


@pytest.mark.parametrize("persona", ["town_admin", "leadership"], indirect=True)
def test_town_admin_and_leadership_see_every_grid(persona, grid_a, grid_b):
    assert names(Grid.objects.visible_to(persona)) == sorted([grid_a.name, grid_b.name])


def test_officer_sees_the_grids_of_the_villages_in_his_zones(safety_officer, grid_a, grid_b):
    assert names(Grid.objects.visible_to(safety_officer)) == [grid_a.name]


def test_village_office_sees_only_its_own_villages_grids(village_office, other_village_office, grid_a, grid_b):
    assert names(Grid.objects.visible_to(village_office)) == [grid_a.name]
    assert names(Grid.objects.visible_to(other_village_office)) == [grid_b.name]


def test_unit_office_sees_no_grid(unit_office, grid_a, grid_b):
    assert names(Grid.objects.visible_to(unit_office)) == []


def test_a_village_leaving_the_officers_zone_takes_its_grids_out_of_his_sight(
    safety_officer, zone_b, village_a, grid_a
):
    village_a.zone_link.zone = zone_b
    village_a.zone_link.save()
    assert names(Grid.objects.visible_to(safety_officer)) == []


@pytest.mark.parametrize("persona", ["town_admin", "leadership"], indirect=True)
def test_town_admin_and_leadership_see_every_team(persona, team_a, team_b):
    assert names(PatrolTeam.objects.visible_to(persona)) == sorted([team_a.name, team_b.name])


def test_officer_sees_the_teams_of_his_zones(safety_officer, other_officer, team_a, team_b):
    assert names(PatrolTeam.objects.visible_to(safety_officer)) == [team_a.name]
    assert names(PatrolTeam.objects.visible_to(other_officer)) == [team_b.name]


def test_village_office_sees_the_teams_its_people_patrol_with_once_each(village_office, village_a, team_a, team_b):
    # two members from the same village must not make the team appear twice
    PatrolTeamMemberFactory(team=team_a, name="钱网格", village=village_a)
    assert names(PatrolTeam.objects.visible_to(village_office)) == [team_a.name]


def test_village_office_does_not_see_a_team_without_its_people(village_office, team_b):
    assert names(PatrolTeam.objects.visible_to(village_office)) == []


def test_unit_office_sees_no_team(unit_office, team_a, team_b):
    assert names(PatrolTeam.objects.visible_to(unit_office)) == []


@pytest.mark.parametrize("who", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_nobody_signed_in_sees_any_grid_team_zone_or_section(who, grid_a, team_a, zone_b):
    assert not Grid.objects.visible_to(who).exists()
    assert not PatrolTeam.objects.visible_to(who).exists()
    assert not Zone.objects.visible_to(who).exists()
    assert not Section.objects.visible_to(who).exists()


@pytest.mark.parametrize(
    "persona",
    ["town_admin", "leadership", "safety_officer", "other_officer", "village_office", "unit_office"],
    indirect=True,
)
def test_every_signed_in_persona_sees_the_whole_structure_of_zones_and_sections(persona, zone_a, zone_b):
    SectionFactory(name="综合股（未分片）")
    assert names(Zone.objects.visible_to(persona)) == sorted([zone_a.name, zone_b.name])
    assert names(Section.objects.visible_to(persona)) == sorted(
        [zone_a.section.name, zone_b.section.name, "综合股（未分片）"]
    )


def test_a_grid_in_a_village_outside_every_zone_is_seen_by_no_officer(safety_officer, other_officer, town_admin):
    grid = GridFactory()
    assert names(Grid.objects.visible_to(safety_officer)) == []
    assert names(Grid.objects.visible_to(other_officer)) == []
    assert names(Grid.objects.visible_to(town_admin)) == [grid.name]


def test_an_inactive_officer_sees_no_team(zone_a, team_a):
    officer = UserFactory(role=Role.SAFETY_OFFICER, zones=[zone_a], is_active=False)
    assert names(PatrolTeam.objects.visible_to(officer)) == []
