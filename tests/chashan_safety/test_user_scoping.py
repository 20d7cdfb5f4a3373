"""Which accounts each persona may read through ``User.objects.visible_to(user)``."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from chashan_safety.models import Role, User
from tests.factories import UserFactory


def usernames(queryset) -> set[str]:
    return set(queryset.values_list("username", flat=True))


@pytest.fixture
def everyone(
    town_admin,
    safety_officer,
    other_officer,
    village_office,
    other_village_office,
    unit_office,
    other_unit_office,
    leadership,
):
    return {
        u.username
        for u in (
            town_admin,
            safety_officer,
            other_officer,
            village_office,
            other_village_office,
            unit_office,
            other_unit_office,
            leadership,
        )
    }


@pytest.mark.parametrize("persona", ["town_admin", "leadership"], indirect=True)
def test_town_admin_and_leadership_see_every_account(persona, everyone):
    assert usernames(User.objects.visible_to(persona)) == everyone


def test_officers_see_themselves_and_the_other_officers(safety_officer, other_officer, everyone):
    assert usernames(User.objects.visible_to(safety_officer)) == {safety_officer.username, other_officer.username}


def test_village_office_sees_its_villages_colleagues_and_not_another_villages(village_office, village_a, everyone):
    colleague = UserFactory(role=Role.VILLAGE_OFFICE, village=village_a)
    assert usernames(User.objects.visible_to(village_office)) == {village_office.username, colleague.username}


def test_unit_office_sees_its_units_colleagues_and_not_another_units(unit_office, unit_a, everyone):
    colleague = UserFactory(role=Role.UNIT_OFFICE, unit=unit_a)
    assert usernames(User.objects.visible_to(unit_office)) == {unit_office.username, colleague.username}


@pytest.mark.parametrize("who", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_nobody_signed_in_sees_any_account(who, everyone):
    assert not User.objects.visible_to(who).exists()


def test_a_superuser_counts_as_a_town_admin(everyone):
    root = UserFactory(role=Role.LEADERSHIP, is_superuser=True)
    assert root.is_town_admin
    assert usernames(User.objects.visible_to(root)) == everyone | {root.username}


def test_the_database_refuses_a_village_office_without_a_village(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="orphan", role=Role.VILLAGE_OFFICE, village=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="orphan2", role=Role.UNIT_OFFICE, unit=None)
    assert not User.objects.filter(username__startswith="orphan").exists()
