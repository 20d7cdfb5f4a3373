"""factory_boy factories for the portal's users, its 1+4+4 registries, sites, inspections and findings.

Names carry a zero-padded sequence number and a closing character, so that one
record's name is never a substring of another's ("测试村0001号" vs "测试村0010号")
and a test can look for a name in a page without false matches.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory, Password

from chashan_safety.models import Heartbeat, Role, User
from inspections.models import (
    Finding,
    FindingStatus,
    Grid,
    Inspection,
    PatrolTeam,
    PatrolTeamMember,
    Section,
    Site,
    Zone,
    ZoneVillage,
)
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


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"测试场所{n:05d}号")
    kind = Site.Kind.ENTERPRISE
    village = factory.SubFactory(VillageFactory)
    address = factory.Sequence(lambda n: f"茶山镇测试路{n}号")
    industry = "五金制品"
    risk_level = Site.RiskLevel.GENERAL
    contact_name = factory.Sequence(lambda n: f"联系人{n:05d}号")
    contact_phone = "13800138000"


def _evening_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(21, 30)))


class InspectionFactory(DjangoModelFactory):
    """An inspection at ``site``; ``InspectionFactory(on=day)`` starts it at 21:30 that day."""

    class Meta:
        model = Inspection
        exclude = ["on"]

    on = None
    site = factory.SubFactory(SiteFactory)
    kind = Inspection.Kind.ROUTINE
    led_by = factory.SubFactory(UserFactory, role=Role.SAFETY_OFFICER)
    team = None
    started_at = factory.LazyAttribute(lambda o: _evening_of(o.on) if o.on else timezone.now() - dt.timedelta(hours=1))


class FindingFactory(DjangoModelFactory):
    """A finding made straight in the database (no timeline, no number counter), for reading pages.

    Place it with ``inspection=…`` or ``inspection__site=site`` (its site and village follow the
    inspection); ``found_on`` defaults to the inspection's day, ``deadline`` to 15 days after it,
    ``closed_at`` to the deadline's morning for a closed finding, and the responsible party to the
    site's village unless ``responsible_unit`` is given. Lifecycle tests go through
    ``inspections.services`` instead.
    """

    class Meta:
        model = Finding

    inspection = factory.SubFactory(InspectionFactory)
    site = factory.LazyAttribute(lambda o: o.inspection.site)
    number = factory.Sequence(lambda n: f"YH-T{n:06d}")
    village = factory.LazyAttribute(lambda o: o.site.village)
    found_on = factory.LazyAttribute(lambda o: timezone.localdate(o.inspection.started_at))
    category = Finding.Category.FIRE
    grade = Finding.Grade.GENERAL
    location = "一楼东侧"
    description = factory.Sequence(lambda n: f"测试隐患描述{n:05d}号：消防通道堵塞")
    measures = "清理通道，保持畅通"
    responsible_unit = None
    responsible_village = factory.LazyAttribute(lambda o: None if o.responsible_unit else o.site.village)
    responsible_contact = "责任人"
    responsible_phone = "13900000000"
    deadline = factory.LazyAttribute(lambda o: o.found_on + dt.timedelta(days=15))
    status = FindingStatus.OPEN
    closed_at = factory.LazyAttribute(
        lambda o: (
            timezone.make_aware(dt.datetime.combine(o.deadline, dt.time(10, 0)))
            if o.status == FindingStatus.CLOSED
            else None
        )
    )
    created_by = factory.LazyAttribute(lambda o: o.inspection.led_by)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if kwargs["site"].pk != kwargs["inspection"].site_id:
            raise ValueError("FindingFactory: place a finding with inspection__site=…, not site=…")
        return super()._create(model_class, *args, **kwargs)


class IncidentFactory(DjangoModelFactory):
    """An incident in ``village``; ``IncidentFactory(on=dt.date(2021, 5, 3))`` puts it at 10:00 that day."""

    class Meta:
        model = "incidents.Incident"
        exclude = ["on"]

    on = None
    occurred_at = factory.LazyAttribute(
        lambda o: (
            timezone.make_aware(dt.datetime.combine(o.on, dt.time(10, 0)))
            if o.on
            else timezone.now() - dt.timedelta(days=1)
        )
    )
    village = factory.SubFactory(VillageFactory)
    category = "production"
    industry = "五金加工"
    deaths = 0
    serious_injuries = 0
    minor_injuries = 0
    direct_loss = 10000
    cause = "违规操作"
    summary = factory.Sequence(lambda n: f"测试事故经过{n:05d}号")


class CarrierTypeFactory(DjangoModelFactory):
    """A carrier type of the 2+6 system (the migration seeds the real ones; these are extra)."""

    class Meta:
        model = "outreach.CarrierType"

    name = factory.Sequence(lambda n: f"测试载体类型{n:04d}号")
    tier = "everyday"
    is_venue = False
    order = factory.Sequence(lambda n: 100 + n)


class CarrierFactory(DjangoModelFactory):
    """An outreach carrier in ``village``; its type defaults to a new everyday type."""

    class Meta:
        model = "outreach.Carrier"

    type = factory.SubFactory(CarrierTypeFactory)
    name = factory.Sequence(lambda n: f"测试宣教阵地{n:04d}号")
    village = factory.SubFactory(VillageFactory)
    address = factory.Sequence(lambda n: f"测试宣教路{n}号")
    status = "in_use"


class ActivityFactory(DjangoModelFactory):
    """An outreach activity held yesterday in ``village``."""

    class Meta:
        model = "outreach.Activity"

    kind = "training"
    title = factory.Sequence(lambda n: f"测试宣教活动{n:04d}号")
    held_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    village = factory.SubFactory(VillageFactory)
    organiser = "测试村安全办"
    audience_count = 30
