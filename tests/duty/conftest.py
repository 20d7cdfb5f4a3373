"""The duty desk's small world: a roster with the 4 core units and a gas company, a gas template, and a
shift on duty now with the town leader, the officer of zone A and a second officer."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from chashan_safety.models import Role
from duty import services
from duty.models import ResponseContact, ResponseTemplate, ResponseUnit, TemplateUnit
from tests.factories import UserFactory


def at(hours: float = 0, *, base=None) -> dt.datetime:
    """A moment ``hours`` from now (or from ``base``), on the minute."""
    moment = (base or timezone.now()) + dt.timedelta(hours=hours)
    return moment.replace(second=0, microsecond=0)


@pytest.fixture
def second_officer(zone_b):
    return UserFactory(
        username="officer2", full_name="何值班", role=Role.SAFETY_OFFICER, zones=[zone_b], phone="13900000002"
    )


@pytest.fixture
def roster(db):
    units = {}
    for order, (name, core) in enumerate(
        [
            ("应急管理分局", "emergency"),
            ("公安分局", "police"),
            ("消防救援站", "fire"),
            ("属地村（社区）", "village"),
            ("燃气公司", ""),
        ],
        start=1,
    ):
        unit = ResponseUnit.objects.create(name=name, core_role=core, order=order)
        if core != "village":
            ResponseContact.objects.create(unit=unit, name=f"{name}值班室", phone=f"0769-8600000{order}", order=1)
            ResponseContact.objects.create(unit=unit, name=f"{name}负责人", phone=f"1370000000{order}", order=2)
        units[core or name] = unit
    gas = ResponseTemplate.objects.create(name="燃气泄漏", category="other")
    for order, key in enumerate(["emergency", "police", "fire", "village", "燃气公司"], start=1):
        TemplateUnit.objects.create(template=gas, unit=units[key], order=order)
    return units


@pytest.fixture
def gas_template(roster):
    return ResponseTemplate.objects.get(name="燃气泄漏")


@pytest.fixture
def shift_now(town_admin, leadership, safety_officer, second_officer):
    """Today's 24-hour shift around now: leader on duty the town leader, officers 陈安全 and 何值班."""
    return services.shift_save(
        by=town_admin,
        starts_at=at(-2),
        ends_at=at(22),
        leader=leadership,
        officers=[safety_officer, second_officer],
    )


def refused(message: str):
    """``pytest.raises`` for a ``ValidationError`` saying ``message`` (as translated; placeholders match anything)."""
    pattern = re.sub(r"%\\\(\w+\\\)s", ".*", re.escape(gettext(message)))
    return pytest.raises(ValidationError, match=pattern)
