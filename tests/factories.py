"""factory_boy factories for the portal's users and its 1+4+4 registries.

Names carry a zero-padded sequence number and a closing character, so that one
record's name is never a substring of another's ("测试村0001号" vs "测试村0010号")
and a test can look for a name in a page without false matches.
"""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory, Password

from chashan_safety.models import Heartbeat, Role, User
from inspections.models import Grid, PatrolTeam, PatrolTeamMember, Section, Zone, ZoneVillage
from responsibility.models import Unit, Village

#: the password every factory-made account has
PASSWORD = "Chashan-test-pass-2024"


class VillageFactory(DjangoModelFactory):
    """A village; ``VillageFactory(zone=zone)`` also places it in that zone."""

    class Meta:
        model = Village
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试村{n:04d}号")
    kind = Village.Kind.VILLAGE
    head = factory.Sequence(lambda n: f"村负责人{n:04d}号")
    phone = factory.Sequence(lambda n: f"0769-8{n:07d}")
    address = factory.Sequence(lambda n: f"茶山镇测试路{n}号")
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def zone(self, create, extracted, **kwargs):
        if create and extracted is not None:
            ZoneVillage.objects.create(zone=extracted, village=self)


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n:04d}号")
    kind = Unit.Kind.ENTERPRISE
    industries = "化工, 燃气"
    head = factory.Sequence(lambda n: f"单位负责人{n:04d}号")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    is_demo = False


class UserFactory(DjangoModelFactory):
    """An account with a role; village and unit offices get their village or unit unless one is given.

    ``UserFactory(role=Role.SAFETY_OFFICER, zones=[zone])`` attaches an officer to zones.
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:04d}")
    full_name = factory.Sequence(lambda n: f"测试用户{n:04d}号")
    role = Role.SAFETY_OFFICER
    password = Password(PASSWORD)
    is_active = True
    village = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role == Role.VILLAGE_OFFICE),
        yes_declaration=factory.SubFactory(VillageFactory),
        no_declaration=None,
    )
    unit = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role == Role.UNIT_OFFICE),
        yes_declaration=factory.SubFactory(UnitFactory),
        no_declaration=None,
    )

    @factory.post_generation
    def zones(self, create, extracted, **kwargs):
        if create and extracted:
            self.zones.set(extracted)


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section

    name = factory.Sequence(lambda n: f"测试股{n:04d}号")
    head = None
    duties = "指导片区巡查"
    order = factory.Sequence(lambda n: n)


class ZoneFactory(DjangoModelFactory):
    class Meta:
        model = Zone

    name = factory.Sequence(lambda n: f"测试片区{n:04d}号")
    section = factory.SubFactory(SectionFactory)
    description = ""
    order = factory.Sequence(lambda n: n)


class ZoneVillageFactory(DjangoModelFactory):
    class Meta:
        model = ZoneVillage

    zone = factory.SubFactory(ZoneFactory)
    village = factory.SubFactory(VillageFactory)


class GridFactory(DjangoModelFactory):
    class Meta:
        model = Grid

    village = factory.SubFactory(VillageFactory)
    code = factory.Sequence(lambda n: f"G{n:04d}")
    name = factory.Sequence(lambda n: f"测试网格{n:04d}号")
    worker_name = factory.Sequence(lambda n: f"网格员{n:04d}号")
    worker_phone = factory.Sequence(lambda n: f"139{n:08d}")


class PatrolTeamFactory(DjangoModelFactory):
    class Meta:
        model = PatrolTeam

    name = factory.Sequence(lambda n: f"测试巡查队{n:04d}号")
    zone = factory.SubFactory(ZoneFactory)
    leader = factory.SubFactory(UserFactory, role=Role.SAFETY_OFFICER)
    is_active = True


class PatrolTeamMemberFactory(DjangoModelFactory):
    class Meta:
        model = PatrolTeamMember

    team = factory.SubFactory(PatrolTeamFactory)
    name = factory.Sequence(lambda n: f"队员{n:04d}号")
    role = PatrolTeamMember.Role.GRID_WORKER
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    village = None
    user = None


class HeartbeatFactory(DjangoModelFactory):
    class Meta:
        model = Heartbeat

    name = "beat"
    last_seen = factory.LazyFunction(timezone.now)
