"""Correcting a finding's details: officers of its zone and the town may; a closed finding is left alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from inspections.models import Finding, FindingEvent
from tests.builders import closed, make_site, record_findings
from tests.helpers import messages_of, shows

A = FindingEvent.Action


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client_for(client_for):
    """Clients that read English, so that messages are asserted in their source form before and after translation."""
    return lambda user=None, **defaults: client_for(user, HTTP_ACCEPT_LANGUAGE="en", **defaults)


@pytest.fixture
def finding(safety_officer, village_a):
    return record_findings(officer=safety_officer, site=make_site(village_a))[0]


def edit_url(finding) -> str:
    return reverse("inspections:finding-edit", args=[finding.pk])


def edit_post(finding, **changes) -> dict:
    data = {
        "category": finding.category,
        "grade": finding.grade,
        "location": finding.location,
        "description": finding.description,
        "measures": finding.measures,
        "responsible_village": finding.responsible_village_id or "",
        "responsible_unit": finding.responsible_unit_id or "",
        "responsible_contact": finding.responsible_contact,
        "responsible_phone": finding.responsible_phone,
        "deadline": finding.deadline.isoformat(),
        "note": "",
    }
    data.update(changes)
    return data


def row(finding) -> dict:
    return Finding.objects.filter(pk=finding.pk).values().get()


def test_officer_corrects_the_description_and_the_timeline_says_so(client_for, safety_officer, finding):
    response = client_for(safety_officer).post(
        edit_url(finding), edit_post(finding, description="二楼安全出口上锁", note="位置记错"), follow=True
    )

    assert response.redirect_chain == [(finding.get_absolute_url(), 302)]
    finding.refresh_from_db()
    assert finding.description == "二楼安全出口上锁"
    event = finding.events.last()
    assert (event.action, event.by, event.note) == (A.EDITED, safety_officer, "位置记错")
    assert shows(response, "二楼安全出口上锁")


def test_a_new_deadline_alone_is_logged_as_a_deadline_change(client_for, town_admin, finding):
    new_deadline = finding.deadline + dt.timedelta(days=10)
    client_for(town_admin).post(edit_url(finding), edit_post(finding, deadline=new_deadline.isoformat()))

    event = finding.events.last()
    assert (event.action, event.deadline) == (A.DEADLINE_CHANGED, new_deadline)


def test_saving_without_changes_writes_nothing(client_for, safety_officer, finding):
    response = client_for(safety_officer).post(edit_url(finding), edit_post(finding), follow=True)
    assert messages_of(response) == ["Nothing was changed."]
    assert finding.events.count() == 1


def test_a_deadline_before_the_day_it_was_found_is_refused_in_the_form(client_for, safety_officer, finding):
    before = row(finding)
    early = (finding.found_on - dt.timedelta(days=1)).isoformat()

    response = client_for(safety_officer).post(edit_url(finding), edit_post(finding, deadline=early))

    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == [
        "The rectification deadline cannot be before the day the hazard was found."
    ]
    assert row(finding) == before


def test_a_deadline_more_than_a_year_after_it_was_found_is_refused_in_the_form(client_for, safety_officer, finding):
    before = row(finding)
    mistyped = (finding.found_on + dt.timedelta(days=366)).isoformat()

    response = client_for(safety_officer).post(edit_url(finding), edit_post(finding, deadline=mistyped))

    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == [
        "The rectification deadline cannot be more than a year after the day the hazard was found."
    ]
    assert row(finding) == before


def test_a_finding_with_no_responsible_party_is_refused_in_the_form(client_for, safety_officer, finding):
    before = row(finding)
    response = client_for(safety_officer).post(
        edit_url(finding), edit_post(finding, responsible_village="", responsible_unit="")
    )
    assert response.context["form"].errors["responsible_village"] == [
        "Name the village or unit responsible for the fix."
    ]
    assert row(finding) == before


def test_a_closed_finding_cannot_be_edited_and_says_why(client_for, safety_officer, village_office, finding):
    closed(finding, village_office, safety_officer)
    before = row(finding)
    events = finding.events.count()

    for response in (
        client_for(safety_officer).get(edit_url(finding), follow=True),
        client_for(safety_officer).post(edit_url(finding), edit_post(finding, description="改"), follow=True),
    ):
        assert response.redirect_chain == [(finding.get_absolute_url(), 302)]
        assert messages_of(response) == ["A closed finding cannot be edited; reopen it first."]
    assert row(finding) == before
    assert finding.events.count() == events


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("town_admin", 200),
        ("safety_officer", 200),
        ("village_office", 403),
        ("leadership", 403),
        ("other_officer", 404),
        ("other_village_office", 404),
    ],
    indirect=["persona"],
)
def test_edit_page_answers_by_persona(client_for, persona, expected, finding):
    assert client_for(persona).get(edit_url(finding)).status_code == expected


@pytest.mark.parametrize("persona", ["village_office", "leadership"], indirect=True)
def test_a_refused_edit_changes_nothing(client_for, persona, finding):
    before = row(finding)
    response = client_for(persona).post(edit_url(finding), edit_post(finding, description="改"))
    assert response.status_code == 403
    assert row(finding) == before
