"""The duty demo loader fills the roster, five weeks of shifts with the Spring Festival planned ahead,
an approved swap, log entries and activations; a second run adds nothing."""

from __future__ import annotations

from django.utils import timezone

from chashan_safety.models import Role
from duty import demo
from duty.models import (
    DutyAssignment,
    DutyLogEntry,
    DutyLogStep,
    DutyShift,
    ResponseActivation,
    ResponseContact,
    ResponseUnit,
    ShiftHandover,
    SwapRequest,
)
from incidents.models import Incident
from tests.factories import UserFactory, VillageFactory

MODELS = (
    ResponseUnit,
    ResponseContact,
    DutyShift,
    DutyAssignment,
    SwapRequest,
    DutyLogEntry,
    DutyLogStep,
    ShiftHandover,
    ResponseActivation,
    Incident,
)


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_demo_loads_once(db):
    for name in ["茶山村", "超朗村", "京山村"]:
        VillageFactory(name=name)
    UserFactory(username="admin", role=Role.TOWN_ADMIN)
    UserFactory(username="leader", role=Role.LEADERSHIP)
    for username in ["officer", "section1", "section3", "officer1a", "officer3a", "officer4a"]:
        UserFactory(username=username, role=Role.SAFETY_OFFICER)

    demo.load()
    first = counts()
    demo.load()
    assert counts() == first

    assert ResponseUnit.objects.exclude(core_role="").count() == 4
    assert DutyShift.objects.filter(holiday="春节").count() == 8
    assert DutyShift.objects.count() >= 49 + 8 - 1
    today = DutyShift.objects.covering(timezone.now()).get()
    assert "officer" in [a.person.username for a in today.assignments.all()]
    assert SwapRequest.objects.get().status == "approved"
    assert ResponseActivation.objects.filter(status="closed").count() == 1
    assert ResponseActivation.objects.filter(status="open").count() == 1
    assert first["DutyLogEntry"] == 3
