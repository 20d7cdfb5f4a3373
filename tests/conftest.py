"""Personas and the small town they live in.

Zone A holds village A; zone B holds village B. Every access rule is tested from
inside (the persona's own village, unit or zone) and from outside (the other one).
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from chashan_safety.models import Role
from tests.factories import (
    GridFactory,
    PatrolTeamFactory,
    PatrolTeamMemberFactory,
    UnitFactory,
    UserFactory,
    VillageFactory,
    ZoneFactory,
)

PERSONAS = (
    "town_admin",
    "safety_officer",
    "other_officer",
    "village_office",
    "other_village_office",
    "unit_office",
    "other_unit_office",
    "leadership",
)


@pytest.fixture(scope="session")
def _static_root(tmp_path_factory):
    return tmp_path_factory.mktemp("staticfiles")


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_and_plain(settings, _static_root, _media_root):
    # MD5 keeps password hashing out of the suite's run time
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # the manifest storage of production needs collectstatic; tests render templates without it
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # WhiteNoise warns on every request when STATIC_ROOT (filled by collectstatic) does not exist
    settings.STATIC_ROOT = _static_root
    # uploaded photos of the suite never land in the project's var/media
    settings.MEDIA_ROOT = _media_root
    # two-factor sign-in: the personas sign in with force_login and count as having given their code;
    # tests/chashan_safety/test_two_factor.py and the browser journeys require it as production does
    settings.CHASHAN_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def _site_language():
    # each test starts in the portal's language: a request in English earlier in the same worker
    # leaves English active in the thread (the locale middleware does not switch back)
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


# --- the town --------------------------------------------------------------------------


@pytest.fixture
def zone_a(db):
    return ZoneFactory(name="东片区（测试）")


@pytest.fixture
def zone_b(db):
    return ZoneFactory(name="西片区（测试）")


@pytest.fixture
def village_a(zone_a):
    return VillageFactory(name="上元村", head="张建国", zone=zone_a)


@pytest.fixture
def village_b(zone_b):
    return VillageFactory(name="超朗村", head="李志强", zone=zone_b)


@pytest.fixture
def unit_a(db):
    return UnitFactory(name="茶山燃气公司（测试）")


@pytest.fixture
def unit_b(db):
    return UnitFactory(name="茶山化工厂（测试）")


@pytest.fixture
def grid_a(village_a):
    return GridFactory(village=village_a, code="SY-01", name="上元一网格")


@pytest.fixture
def grid_b(village_b):
    return GridFactory(village=village_b, code="CL-01", name="超朗一网格")


@pytest.fixture
def team_a(zone_a, safety_officer, village_a):
    team = PatrolTeamFactory(name="东片区巡查一队", zone=zone_a, leader=safety_officer)
    PatrolTeamMemberFactory(team=team, name="王网格", village=village_a)
    return team


@pytest.fixture
def team_b(zone_b, other_officer, village_b):
    team = PatrolTeamFactory(name="西片区巡查一队", zone=zone_b, leader=other_officer)
    PatrolTeamMemberFactory(team=team, name="赵网格", village=village_b)
    return team


# --- personas --------------------------------------------------------------------------


@pytest.fixture
def town_admin(db):
    return UserFactory(username="admin", full_name="镇管理员", role=Role.TOWN_ADMIN)


@pytest.fixture
def safety_officer(zone_a):
    return UserFactory(username="officer", full_name="陈安全", role=Role.SAFETY_OFFICER, zones=[zone_a])


@pytest.fixture
def other_officer(zone_b):
    return UserFactory(username="officer_b", full_name="林安全", role=Role.SAFETY_OFFICER, zones=[zone_b])


@pytest.fixture
def village_office(village_a):
    return UserFactory(username="village", full_name="上元安全办", role=Role.VILLAGE_OFFICE, village=village_a)


@pytest.fixture
def other_village_office(village_b):
    return UserFactory(username="village_b", full_name="超朗安全办", role=Role.VILLAGE_OFFICE, village=village_b)


@pytest.fixture
def unit_office(unit_a):
    return UserFactory(username="unit", full_name="燃气公司安全科", role=Role.UNIT_OFFICE, unit=unit_a)


@pytest.fixture
def other_unit_office(unit_b):
    return UserFactory(username="unit_b", full_name="化工厂安全科", role=Role.UNIT_OFFICE, unit=unit_b)


@pytest.fixture
def leadership(db):
    return UserFactory(username="leader", full_name="镇领导", role=Role.LEADERSHIP)


@pytest.fixture
def persona(request):
    """The persona named by indirect parametrisation: ``@pytest.mark.parametrize("persona", [...], indirect=True)``."""
    return request.getfixturevalue(request.param)


# --- clients ---------------------------------------------------------------------------


@pytest.fixture
def client_for():
    """``client_for(user)`` is a test client signed in as that user (``None``: an anonymous client)."""

    def make(user=None, **defaults) -> Client:
        client = Client(**defaults)
        if user is not None:
            client.force_login(user)
        return client

    return make
