"""Who may read which village and unit: ``visible_to(user)`` from inside and from outside."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from chashan_safety.models import Role
from responsibility.models import Unit, Village
from tests.factories import UserFactory, VillageFactory


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


@pytest.mark.parametrize("persona", ["town_admin", "leadership"], indirect=True)
def test_town_admin_and_leadership_see_every_village(persona, village_a, village_b):
    assert names(Village.objects.visible_to(persona)) == {village_a.name, village_b.name}


def test_safety_officer_sees_only_the_villages_of_his_zones(safety_officer, village_a, village_b):
    assert names(Village.objects.visible_to(safety_officer)) == {village_a.name}


def test_officer_of_two_zones_sees_the_villages_of_both(zone_a, zone_b, village_a, village_b):
    officer = UserFactory(role=Role.SAFETY_OFFICER, zones=[zone_a, zone_b])
    assert names(Village.objects.visible_to(officer)) == {village_a.name, village_b.name}


def test_officer_without_zones_sees_no_village(village_a, village_b):
    officer = UserFactory(role=Role.SAFETY_OFFICER)
    assert names(Village.objects.visible_to(officer)) == set()


def test_village_office_sees_only_its_own_village(village_office, village_a, village_b):
    assert names(Village.objects.visible_to(village_office)) == {village_a.name}


def test_other_village_office_sees_only_village_b(other_village_office, village_a, village_b):
    assert names(Village.objects.visible_to(other_village_office)) == {village_b.name}


def test_unit_office_sees_no_village(unit_office, village_a, village_b):
    assert names(Village.objects.visible_to(unit_office)) == set()


@pytest.mark.parametrize("who", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_nobody_signed_in_sees_nothing(who, village_a, unit_a):
    assert not Village.objects.visible_to(who).exists()
    assert not Unit.objects.visible_to(who).exists()


def test_a_deactivated_town_admin_sees_nothing(town_admin, village_a, unit_a):
    town_admin.is_active = False
    town_admin.save()
    assert not Village.objects.visible_to(town_admin).exists()
    assert not Unit.objects.visible_to(town_admin).exists()


@pytest.mark.parametrize("persona", ["town_admin", "leadership", "safety_officer", "other_officer"], indirect=True)
def test_town_admin_leadership_and_officers_see_every_unit(persona, unit_a, unit_b):
    assert names(Unit.objects.visible_to(persona)) == {unit_a.name, unit_b.name}


def test_unit_office_sees_only_its_own_unit(unit_office, unit_a, unit_b):
    assert names(Unit.objects.visible_to(unit_office)) == {unit_a.name}


def test_village_office_sees_no_unit(village_office, unit_a, unit_b):
    assert names(Unit.objects.visible_to(village_office)) == set()


def test_visible_to_stays_chainable(safety_officer, village_a, village_b, zone_a):
    VillageFactory(name="南社村", zone=zone_a)
    scoped = Village.objects.visible_to(safety_officer).filter(name__startswith="上")
    assert names(scoped) == {village_a.name}
