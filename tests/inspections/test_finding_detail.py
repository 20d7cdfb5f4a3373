"""A finding's page: who may open it, what it shows, which actions it offers, and its query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Finding, FindingEvent, Photo
from tests.builders import closed, make_site, record_findings, submitted
from tests.helpers import WHO_READS_VILLAGE_A, count_queries, page_text, shows


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client_for(client_for):
    """Clients that read English, so that messages are asserted in their source form before and after translation."""
    return lambda user=None, **defaults: client_for(user, **{"HTTP_ACCEPT_LANGUAGE": "en", **defaults})


@pytest.fixture
def site_a(village_a):
    return make_site(village_a)


@pytest.fixture
def finding(safety_officer, site_a):
    return record_findings(officer=safety_officer, site=site_a, before_photos=2)[0]


def action_forms(response) -> set[str]:
    return set(response.context["action_forms"])


@pytest.mark.parametrize(
    ("persona", "expected"),
    WHO_READS_VILLAGE_A,
    indirect=["persona"],
)
def test_finding_page_answers_by_persona(client_for, persona, expected, finding):
    response = client_for(persona).get(finding.get_absolute_url())
    assert response.status_code == expected
    assert shows(response, finding.description) is (expected == 200)


def test_anonymous_visitor_is_sent_to_sign_in(client_for, finding):
    response = client_for().get(finding.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unit_office_opens_the_finding_its_unit_must_fix(client_for, safety_officer, site_a, unit_a, unit_office):
    finding = record_findings(officer=safety_officer, site=site_a, responsible_unit=unit_a)[0]
    response = client_for(unit_office).get(finding.get_absolute_url())
    assert response.status_code == 200
    assert action_forms(response) == {"submit_fix"}
    # the site itself lies in a village the unit office does not see: its name is plain text, not a dead link
    assert not shows(response, site_a.get_absolute_url())


def test_finding_page_shows_what_a_village_clerk_needs_to_fix_it(client_for, village_office, finding, site_a):
    response = client_for(village_office).get(finding.get_absolute_url())
    text = page_text(response)

    for expected in (finding.number, site_a.name, finding.village.name, finding.location, finding.measures):
        assert shows(response, expected)
    assert 'href="tel:13800138000"' in text
    assert shows(response, site_a.get_absolute_url())
    assert shows(response, finding.inspection.get_absolute_url())
    assert 'data-status="open"' in text
    assert text.count("data-photo-gallery") >= 1
    before = Photo.objects.filter(finding=finding, kind=Photo.Kind.BEFORE)
    assert before.count() == 2
    for photo in before:
        assert photo.thumbnail_url in text


def test_a_major_finding_is_marked_in_red(client_for, safety_officer, site_a):
    finding = record_findings(officer=safety_officer, site=site_a, grade=Finding.Grade.MAJOR)[0]
    text = page_text(client_for(safety_officer).get(finding.get_absolute_url()))
    assert 'class="badge text-bg-danger" data-grade="major"' in text


def test_an_overdue_finding_says_by_how_many_days_in_red(client_for, safety_officer, site_a):
    found = timezone.now() - dt.timedelta(days=10)
    deadline = timezone.localdate() - dt.timedelta(days=4)
    finding = record_findings(officer=safety_officer, site=site_a, started_at=found, deadline=deadline)[0]

    response = client_for(safety_officer).get(finding.get_absolute_url())

    assert 'data-urgency="overdue"' in page_text(response)
    assert shows(response, "overdue by 4 days")


def test_a_finding_due_in_two_days_is_amber(client_for, safety_officer, site_a):
    deadline = timezone.localdate() + dt.timedelta(days=2)
    finding = record_findings(officer=safety_officer, site=site_a, deadline=deadline)[0]

    response = client_for(safety_officer).get(finding.get_absolute_url())

    assert 'data-urgency="due-soon"' in page_text(response)
    assert "text-warning-emphasis" in page_text(response)
    assert shows(response, "due in 2 days")


@pytest.mark.parametrize(
    ("persona", "status", "forms", "may_edit"),
    [
        ("village_office", "open", {"submit_fix"}, False),
        ("safety_officer", "open", set(), True),
        ("town_admin", "open", {"submit_fix"}, True),
        ("leadership", "open", set(), False),
        ("village_office", "submitted", set(), False),
        ("safety_officer", "submitted", {"verify"}, True),
        ("safety_officer", "closed", {"reopen"}, False),
        ("village_office", "closed", set(), False),
        ("leadership", "closed", set(), False),
    ],
    indirect=["persona"],
)
def test_finding_page_offers_each_user_only_the_actions_they_may_take_now(
    client_for, persona, status, forms, may_edit, finding, village_office, safety_officer
):
    if status == "submitted":
        submitted(finding, village_office)
    elif status == "closed":
        closed(finding, village_office, safety_officer)

    response = client_for(persona).get(finding.get_absolute_url())

    assert action_forms(response) == forms
    for move in ("submit_fix", "verify", "close", "reopen"):
        assert (reverse("inspections:finding-action", args=[finding.pk, move]) in page_text(response)) is (
            move in forms
        )
    assert shows(response, reverse("inspections:finding-edit", args=[finding.pk])) is may_edit


def test_the_fix_form_takes_photos_with_the_camera(client_for, village_office, finding):
    text = page_text(client_for(village_office).get(finding.get_absolute_url()))
    assert 'enctype="multipart/form-data"' in text
    assert 'capture="environment"' in text
    assert 'accept="image/jpeg,image/png,image/webp"' in text


def test_a_major_finding_verified_offers_only_the_town_admin_the_close_out(
    client_for, safety_officer, site_a, village_office, town_admin
):
    from inspections.services import finding_verify

    finding = record_findings(officer=safety_officer, site=site_a, grade=Finding.Grade.MAJOR)[0]
    submitted(finding, village_office)
    finding_verify(finding=finding, by=safety_officer, passed=True)

    assert action_forms(client_for(town_admin).get(finding.get_absolute_url())) == {"close", "reopen"}
    assert action_forms(client_for(safety_officer).get(finding.get_absolute_url())) == {"reopen"}


def test_timeline_says_who_did_what_and_when(client_for, village_office, safety_officer, finding):
    submitted(finding, village_office)

    response = client_for(safety_officer).get(finding.get_absolute_url())
    text = page_text(response)

    assert 'data-action="created"' in text
    assert 'data-action="fix_submitted"' in text
    assert text.index('data-action="created"') < text.index('data-action="fix_submitted"')
    assert shows(response, safety_officer.display_name)
    assert shows(response, village_office.display_name)
    assert shows(response, "已清理安全出口")
    after = Photo.objects.get(finding=finding, kind=Photo.Kind.AFTER)
    assert after.thumbnail_url in text


def test_labels_end_in_a_full_width_colon_in_chinese(client_for, safety_officer, finding):
    response = client_for(safety_officer, HTTP_ACCEPT_LANGUAGE="zh-hans").get(finding.get_absolute_url())

    deadline = finding.deadline.isoformat()
    assert f'设定期限：<time datetime="{deadline}">{deadline}</time>' in page_text(response)
    assert "设定期限: " not in page_text(response)


def test_town_admin_sees_the_change_history_and_others_do_not(client_for, town_admin, safety_officer, finding):
    assert client_for(town_admin).get(finding.get_absolute_url()).context["history"]
    assert "history" not in client_for(safety_officer).get(finding.get_absolute_url()).context


# --- query counts -------------------------------------------------------------------------------------


def grow_timeline(finding, *, events: int, by) -> None:
    """Add events with a photo each, the way the page reads them (who, photos)."""
    for index in range(events):
        event = FindingEvent.objects.create(
            finding=finding,
            action=FindingEvent.Action.EDITED,
            from_status=finding.status,
            to_status=finding.status,
            by=by,
            note=f"第{index}次更正",
        )
        for kind in (Photo.Kind.BEFORE, Photo.Kind.VERIFICATION):
            Photo.objects.create(
                kind=kind,
                finding=finding,
                event=event,
                image=f"photos/test/{index}-{kind}.jpg",
                thumbnail=f"photos/test/{index}-{kind}-t.jpg",
                width=10,
                height=10,
                size=100,
                uploaded_by=by,
            )


@pytest.mark.parametrize("persona", ["town_admin", "safety_officer", "village_office", "leadership"], indirect=True)
def test_finding_page_makes_as_many_queries_for_thirty_events_as_for_one(
    client_for, persona, safety_officer, village_office, site_a
):
    small, large = record_findings(officer=safety_officer, site=site_a, count=2)
    grow_timeline(small, events=1, by=village_office)
    grow_timeline(large, events=30, by=village_office)
    client = client_for(persona)

    few = count_queries(client, small.get_absolute_url())
    many = count_queries(client, large.get_absolute_url())

    assert few == many
    assert page_text(client.get(large.get_absolute_url())).count('data-action="edited"') == 30
