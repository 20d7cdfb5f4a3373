"""An id outside a persona's scope, sent in a form field or a query string, is refused like one in the URL.

The forms that create records name a village, site, carrier or team by its id. For each, the very
form that is taken when it names the persona's own side (village A, zone A) is refused, and nothing
is written, when it names side B's instead.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db.models import Model
from django.urls import reverse

from inspections.models import FindingStatus, Inspection, Site
from outreach.models import Activity, Carrier, CarrierType
from supervision.models import FollowUpRound, InspectionPlan
from tests.builders import make_finding, make_site
from tests.factories import CarrierFactory
from tests.security.scope_town import Town
from tests.security.test_scope_walk import database_state, signed_in


@pytest.fixture
def town(request, db) -> Town:
    return Town(request)


def _inspection(town: Town, side: str) -> dict:
    site = make_site(town.village_a) if side == "a" else town.site_b
    return {
        "kind": Inspection.Kind.NIGHT,
        "site": site.pk,
        "started_at": f"{town.today - dt.timedelta(days=1):%Y-%m-%d} 21:30",
        "client_token": str(uuid.uuid4()),
        "findings-TOTAL_FORMS": "0",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "30",
    }


def _site(town: Town, side: str) -> dict:
    village = town.village_a if side == "a" else town.village_b
    return {
        "name": "走查新建场所",
        "kind": Site.Kind.ENTERPRISE,
        "village": village.pk,
        "risk_level": Site.RiskLevel.GENERAL,
        "is_active": "on",
    }


def _carrier(town: Town, side: str) -> dict:
    village = town.village_a if side == "a" else town.village_b
    board = CarrierType.objects.get(name="宣传栏")
    return {"type": board.pk, "name": "走查新建宣传栏", "village": village.pk, "status": Carrier.Status.IN_USE}


def _activity(town: Town, side: str) -> dict:
    carrier = CarrierFactory(village=town.village_a) if side == "a" else town.carrier_b
    return {
        "kind": "training",
        "title": "走查新建培训",
        "held_on": (town.today - dt.timedelta(days=1)).isoformat(),
        "village": carrier.village_id,
        "carrier": carrier.pk,
        "organiser": "村安全办",
        "audience_count": "20",
    }


def _activity_in_another_villages_carrier(town: Town, side: str) -> dict:
    # the village is the office's own; only the carrier is side B's
    data = _activity(town, side)
    data["village"] = town.village_a.pk
    return data


def _plan(town: Town, side: str) -> dict:
    team = town.team_a if side == "a" else town.team_b
    make_site(town.village_a if side == "a" else town.village_b)
    return {"kind": "night", "team": team.pk, "planned_for": town.today.isoformat(), "size": "1"}


def _round(town: Town, side: str) -> dict:
    village = town.village_a if side == "a" else town.village_b
    make_finding(make_site(village), found_on=town.today - dt.timedelta(days=20), status=FindingStatus.CLOSED)
    return {
        "name": "走查回头看",
        "share": "100",
        "villages": [village.pk],
        "due_on": (town.today + dt.timedelta(days=7)).isoformat(),
    }


@dataclass(frozen=True)
class Choice:
    """A form of ``url`` posted by ``persona`` of side A: naming side A's ``label``, it writes a ``model`` row;
    naming side B's, nothing."""

    url: str
    persona: str
    model: type[Model]
    data: Callable[[Town, str], dict]
    label: str


CHOICES = [
    Choice("inspections:inspection-create", "safety_officer", Inspection, _inspection, "site"),
    Choice("inspections:site-create", "safety_officer", Site, _site, "village"),
    Choice("outreach:carrier-create", "village_office", Carrier, _carrier, "village"),
    Choice("outreach:activity-create", "village_office", Activity, _activity, "village"),
    Choice("outreach:activity-create", "village_office", Activity, _activity_in_another_villages_carrier, "carrier"),
    Choice("supervision:planner", "safety_officer", InspectionPlan, _plan, "team"),
    Choice("supervision:round-create", "safety_officer", FollowUpRound, _round, "villages"),
]


@pytest.mark.parametrize("choice", CHOICES, ids=lambda choice: f"{choice.url}[{choice.label}]")
def test_a_form_naming_an_object_outside_the_scope_is_refused_and_writes_nothing(town, choice):
    client = signed_in(getattr(town, choice.persona))
    url = reverse(choice.url)
    theirs = choice.data(town, "b")
    before = database_state()
    response = client.post(url, theirs)
    assert response.status_code in (200, 400, 404, 422), response.status_code
    assert database_state() == before
    # the same form naming the persona's own side is taken: the refusal was the scope's
    response = client.post(url, choice.data(town, "a"))
    assert response.status_code == 302, response.status_code
    assert choice.model.objects.count() == len(before[choice.model._meta.label]) + 1


def test_opening_a_response_for_an_incident_in_another_village_answers_404(town, client_for):
    url = reverse("duty:activation-create")
    assert client_for(town.village_office).get(url, {"incident": town.incident_b.pk}).status_code == 404
    assert client_for(town.town_admin).get(url, {"incident": town.incident_b.pk}).status_code == 200


def test_a_new_inspection_is_not_started_at_a_site_outside_the_officers_zones(town, client_for):
    response = client_for(town.safety_officer).get(reverse("inspections:inspection-create"), {"site": town.site_b.pk})
    assert response.status_code == 200
    assert town.site_b.name not in response.content.decode()
    response = client_for(town.other_officer).get(reverse("inspections:inspection-create"), {"site": town.site_b.pk})
    assert town.site_b.name in response.content.decode()
