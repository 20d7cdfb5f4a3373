"""The zone form keeps each village in exactly one zone; the team form saves a 1+N team with its members;
the structure page shows the 1+4+4 at a glance within the reader's scope."""

from __future__ import annotations

from django.urls import reverse

from inspections.models import PatrolTeam, PatrolTeamMember, ZoneVillage
from tests.factories import VillageFactory
from tests.helpers import database_snapshot, shows, team_post


def _zone_post(zone, *, villages, officers) -> dict:
    return {
        "name": zone.name,
        "section": zone.section_id or "",
        "description": zone.description,
        "order": zone.order,
        "villages": [v.pk for v in villages],
        "officers": [o.pk for o in officers],
    }


def test_moving_a_village_to_another_zone_takes_it_out_of_the_old_one(
    client_for, town_admin, zone_a, zone_b, village_a, village_b, other_officer
):
    response = client_for(town_admin).post(
        reverse("inspections:zone-edit", args=[zone_b.pk]),
        _zone_post(zone_b, villages=[village_a, village_b], officers=[other_officer]),
    )
    assert response.status_code == 302
    assert list(zone_a.villages.all()) == []
    assert sorted(v.name for v in zone_b.villages.all()) == sorted([village_a.name, village_b.name])
    assert ZoneVillage.objects.filter(village=village_a).count() == 1
    assert list(zone_b.officers.all()) == [other_officer]


def test_a_village_moved_to_another_zone_leaves_the_old_officers_sight(
    client_for, town_admin, zone_b, village_a, village_b, safety_officer, other_officer
):
    client_for(town_admin).post(
        reverse("inspections:zone-edit", args=[zone_b.pk]),
        _zone_post(zone_b, villages=[village_a, village_b], officers=[other_officer]),
    )
    assert client_for(safety_officer).get(village_a.get_absolute_url()).status_code == 404
    assert client_for(other_officer).get(village_a.get_absolute_url()).status_code == 200


def test_unticking_a_village_leaves_it_in_no_zone(client_for, town_admin, zone_a, village_a, safety_officer):
    client_for(town_admin).post(
        reverse("inspections:zone-edit", args=[zone_a.pk]), _zone_post(zone_a, villages=[], officers=[safety_officer])
    )
    village_a.refresh_from_db()
    assert not ZoneVillage.objects.filter(village=village_a).exists()


def test_moving_a_village_between_zones_is_kept_in_the_history(
    client_for, town_admin, zone_a, zone_b, village_a, village_b, other_officer
):
    client_for(town_admin).post(
        reverse("inspections:zone-edit", args=[zone_b.pk]),
        _zone_post(zone_b, villages=[village_a, village_b], officers=[other_officer]),
    )
    records = list(ZoneVillage.history.filter(village_id=village_a.pk).order_by("history_date", "history_id"))
    latest = records[-1]
    assert latest.history_type != "-"
    assert (latest.zone_id, latest.history_user) == (zone_b.pk, town_admin)
    assert any(record.zone_id == zone_a.pk for record in records[:-1])


def test_zone_edit_form_shows_the_current_villages_ticked(client_for, town_admin, zone_a, village_a):
    response = client_for(town_admin).get(reverse("inspections:zone-edit", args=[zone_a.pk]))
    assert response.context["form"]["villages"].initial == [village_a.pk]


def test_town_admin_creates_a_team_with_its_members(
    client_for, town_admin, zone_a, safety_officer, village_a, village_office
):
    data = team_post(
        zone_a,
        safety_officer,
        name="东片区夜查队",
        members=[
            {
                "name": "上元安全办周某",
                "role": "village_safety_office",
                "phone": "13800000001",
                "village": village_a.pk,
                "user": village_office.pk,
            },
            {"name": "网格员吴某", "role": "grid_worker", "phone": "", "village": village_a.pk, "user": ""},
        ],
    )
    response = client_for(town_admin).post(reverse("inspections:team-create"), data, follow=True)

    team = PatrolTeam.objects.get(name="东片区夜查队")
    assert response.redirect_chain[-1][0] == team.get_absolute_url()
    assert team.leader == safety_officer
    assert sorted(team.members.values_list("name", "role")) == [
        ("上元安全办周某", "village_safety_office"),
        ("网格员吴某", "grid_worker"),
    ]
    assert shows(response, "网格员吴某")
    assert team.history.get().history_user == town_admin


def test_editing_a_team_adds_and_removes_members(client_for, town_admin, team_a, safety_officer):
    existing = team_a.members.get()
    data = team_post(
        team_a.zone,
        safety_officer,
        name=team_a.name,
        members=[
            {"id": existing.pk, "team": team_a.pk, "name": existing.name, "role": existing.role, "DELETE": "on"},
            {"team": team_a.pk, "name": "新队员", "role": "enterprise_safety_manager"},
        ],
    )
    data["members-INITIAL_FORMS"] = "1"
    response = client_for(town_admin).post(reverse("inspections:team-edit", args=[team_a.pk]), data)
    assert response.status_code == 302
    assert list(team_a.members.values_list("name", flat=True)) == ["新队员"]


def test_a_team_led_by_someone_who_is_not_an_officer_is_refused(client_for, town_admin, zone_a, village_office):
    before = database_snapshot()
    response = client_for(town_admin).post(
        reverse("inspections:team-create"), team_post(zone_a, village_office, name="无效巡查队")
    )
    assert response.status_code == 200
    assert "leader" in response.context["form"].errors
    assert shows(response, response.context["form"].errors["leader"][0])
    assert database_snapshot() == before


def test_a_member_without_a_role_is_refused_and_no_team_is_saved(client_for, town_admin, zone_a, safety_officer):
    response = client_for(town_admin).post(
        reverse("inspections:team-create"),
        team_post(zone_a, safety_officer, name="半截巡查队", members=[{"name": "无角色", "role": ""}]),
    )
    assert response.status_code == 200
    assert not PatrolTeam.objects.filter(name="半截巡查队").exists()
    assert not PatrolTeamMember.objects.filter(name="无角色").exists()


def test_a_team_whose_leader_was_deactivated_says_so_wherever_it_is_listed(
    client_for, town_admin, team_a, safety_officer, zone_a
):
    safety_officer.is_active = False
    safety_officer.save()
    client = client_for(town_admin)
    pages = [
        team_a.get_absolute_url(),
        reverse("inspections:team-list"),
        reverse("inspections:structure"),
        zone_a.get_absolute_url(),
    ]

    for url in pages:
        assert 'data-testid="leader-deactivated"' in client.get(url).content.decode(), url
    form = client.get(reverse("inspections:team-edit", args=[team_a.pk])).context["form"]
    assert safety_officer.display_name in str(form.fields["leader"].help_text)


def test_a_team_led_by_an_active_officer_carries_no_such_mark(client_for, town_admin, team_a):
    response = client_for(town_admin).get(team_a.get_absolute_url())

    assert 'data-testid="leader-deactivated"' not in response.content.decode()


def test_a_deactivated_account_is_not_offered_as_a_members_portal_account(
    client_for, town_admin, team_a, village_office, other_village_office
):
    linked = team_a.members.get()
    linked.user = other_village_office
    linked.save()
    for person in (village_office, other_village_office):
        person.is_active = False
        person.save()

    formset = client_for(town_admin).get(reverse("inspections:team-edit", args=[team_a.pk])).context["formset"]

    existing, new = formset.forms[0], formset.forms[-1]
    assert village_office not in new.fields["user"].queryset
    assert other_village_office not in new.fields["user"].queryset
    assert other_village_office in existing.fields["user"].queryset


# --- the structure page -------------------------------------------------------------------------------------


def test_town_admin_sees_every_zone_and_village_on_the_structure_page(
    client_for, town_admin, zone_a, zone_b, village_a, village_b, safety_officer, other_officer, team_a
):
    response = client_for(town_admin).get(reverse("inspections:structure"))
    assert response.status_code == 200
    for text in (
        zone_a.name,
        zone_b.name,
        zone_a.section.name,
        village_a.name,
        village_b.name,
        safety_officer.display_name,
        other_officer.display_name,
        team_a.name,
    ):
        assert shows(response, text), text


def test_village_office_sees_its_own_village_on_the_structure_page_and_not_another(
    client_for, village_office, village_a, village_b
):
    response = client_for(village_office).get(reverse("inspections:structure"))
    assert response.status_code == 200
    assert shows(response, village_a.name)
    assert not shows(response, village_b.name)


def test_structure_page_lists_villages_not_yet_in_a_zone_for_the_town_admin(client_for, town_admin, village_a):
    loose = VillageFactory(name="孙屋村")
    response = client_for(town_admin).get(reverse("inspections:structure"))
    assert [v.name for v in response.context["unzoned"]] == [loose.name]
    assert shows(response, loose.name)


def test_structure_page_does_not_show_a_village_office_the_teams_of_other_villages(
    client_for, village_office, team_a, team_b
):
    response = client_for(village_office).get(reverse("inspections:structure"))
    assert shows(response, team_a.name)
    assert not shows(response, team_b.name)
