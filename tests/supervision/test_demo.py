"""The supervision demo loader fills plans, follow-ups, campaigns and the officer's plans, and a second
run adds nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from chashan_safety.models import Role
from inspections.models import FindingStatus
from supervision import demo
from supervision.models import Campaign, FollowUp, InspectionPlan, RectificationPlan
from tests.factories import FindingFactory, InspectionFactory, PatrolTeamFactory, SiteFactory, UserFactory


def counts() -> tuple[int, ...]:
    return (
        RectificationPlan.objects.count(),
        FollowUp.objects.count(),
        Campaign.objects.count(),
        InspectionPlan.objects.count(),
    )


def test_the_demo_loads_once(village_a, zone_a):
    UserFactory(username="admin", role=Role.TOWN_ADMIN)
    officer = UserFactory(username="officer", role=Role.SAFETY_OFFICER, zones=[zone_a])
    PatrolTeamFactory(zone=zone_a, leader=officer)
    site = SiteFactory(village=village_a, risk_level=4)
    old = InspectionFactory(site=site, led_by=officer, on=timezone.localdate() - dt.timedelta(days=200))
    recent = InspectionFactory(site=site, led_by=officer, on=timezone.localdate() - dt.timedelta(days=20))
    FindingFactory(inspection=old, status=FindingStatus.CLOSED)
    FindingFactory(inspection=recent, status=FindingStatus.CLOSED, deadline=timezone.localdate() - dt.timedelta(days=2))
    FindingFactory(inspection=recent, grade="major")

    demo.load()
    first = counts()
    demo.load()

    assert counts() == first
    assert first[0] == 1 and first[2] == 2 and first[3] == 2
    assert FollowUp.objects.filter(result="relapsed").exists()
    assert InspectionPlan.objects.filter(
        status=InspectionPlan.Status.ACCEPTED, planned_for=timezone.localdate()
    ).exists()
