"""Listed supervision (挂牌督办): a major finding needs its complete 五落实 plan before a fix can be
submitted, stays on the board until closed, and only the town administrator closes it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from inspections.models import Finding, FindingEvent
from inspections.services import finding_close, finding_submit_fix, finding_verify
from supervision.models import RectificationPlan
from supervision.services import plan_save
from tests.builders import after_photo, jpeg_upload, record_findings, state
from tests.helpers import count_queries, messages_of, shows
from tests.supervision.helpers import close_general, complete_plan

S = Finding.Status


def plan_url(finding) -> str:
    return reverse("supervision:plan-edit", args=[finding.pk])


def plan_post(**changes) -> dict:
    data = {
        "responsible_person": "周老板",
        "responsible_phone": "13800138000",
        "funds": "50000",
        "deadline": "",
        "measures": "更换阀门",
        "contingency_plan": "停用储罐区，专人值守",
    }
    data.update(changes)
    return data


# --- the rule -----------------------------------------------------------------------------------------


def test_a_fix_cannot_be_submitted_for_a_major_finding_without_a_plan(major_finding, village_office):
    before = state(major_finding)

    with pytest.raises(ValidationError) as refused:
        finding_submit_fix(finding=major_finding, by=village_office, note="已整改", photos=[after_photo()])

    assert "rectification plan (五落实)" in refused.value.messages[0]
    assert state(major_finding) == before
    assert not major_finding.photos.filter(kind="after").exists()


def test_an_incomplete_plan_names_what_is_missing_and_blocks_the_fix(major_finding, village_office, safety_officer):
    plan_save(finding=major_finding, by=safety_officer, responsible_person="周老板", measures="更换阀门")
    before = state(major_finding)

    with pytest.raises(ValidationError) as refused:
        finding_submit_fix(finding=major_finding, by=village_office, note="已整改", photos=[after_photo()])

    message = refused.value.messages[0]
    assert "funds committed (yuan)" in message and "contingency plan" in message
    assert "person responsible" not in message
    assert state(major_finding) == before


def test_with_a_complete_plan_the_fix_is_submitted(major_finding, village_office, safety_officer):
    plan = complete_plan(major_finding, safety_officer)
    assert plan.is_complete and plan.missing() == []

    finding_submit_fix(finding=major_finding, by=village_office, note="已整改", photos=[after_photo()])

    major_finding.refresh_from_db()
    assert major_finding.status == S.FIX_SUBMITTED


def test_a_general_finding_needs_no_plan(finding, village_office):
    finding_submit_fix(finding=finding, by=village_office, note="已整改", photos=[after_photo()])
    finding.refresh_from_db()
    assert finding.status == S.FIX_SUBMITTED
    assert not RectificationPlan.objects.exists()


def test_submitting_the_fix_on_the_page_without_a_plan_says_why_and_changes_nothing(
    client_for, major_finding, village_office
):
    before = state(major_finding)
    response = client_for(village_office).post(
        reverse("inspections:finding-action", args=[major_finding.pk, "submit_fix"]),
        {"note": "已整改", "photos": [jpeg_upload()]},
        follow=True,
    )

    assert response.status_code == 200
    assert any("complete its rectification plan" in message for message in messages_of(response))
    assert state(major_finding) == before


def test_the_finding_page_says_the_plan_is_missing_in_place_of_the_fix_form(
    client_for, major_finding, village_office, safety_officer
):
    # said before the clerk writes the note and uploads photos, not after
    url = major_finding.get_absolute_url()
    page = client_for(village_office).get(url)
    assert 'data-testid="refusal-submit_fix"' in page.content.decode()
    assert shows(page, "complete its rectification plan")
    assert 'data-testid="submit-submit_fix"' not in page.content.decode()

    complete_plan(major_finding, safety_officer)
    page = client_for(village_office).get(url)
    assert 'data-testid="refusal-submit_fix"' not in page.content.decode()
    assert 'data-testid="submit-submit_fix"' in page.content.decode()


def test_a_general_findings_page_offers_the_fix_form(client_for, finding, village_office):
    page = client_for(village_office).get(finding.get_absolute_url()).content.decode()
    assert 'data-testid="submit-submit_fix"' in page and "refusal-submit_fix" not in page


def test_only_the_town_admin_closes_a_major_finding_after_its_plan_is_complete(
    major_finding, village_office, safety_officer, town_admin
):
    complete_plan(major_finding, village_office)
    finding_submit_fix(finding=major_finding, by=village_office, note="已整改", photos=[after_photo()])
    finding_verify(finding=major_finding, by=safety_officer, passed=True, note="复查通过")
    with pytest.raises(PermissionDenied):
        finding_close(finding=major_finding, by=safety_officer)

    finding_close(finding=major_finding, by=town_admin, note="摘牌销号")

    major_finding.refresh_from_db()
    assert major_finding.status == S.CLOSED
    assert major_finding.events.last().action == FindingEvent.Action.CLOSED


# --- the plan page --------------------------------------------------------------------------------------


def test_the_plan_form_is_filled_from_what_the_finding_says(client_for, major_finding, safety_officer):
    response = client_for(safety_officer).get(plan_url(major_finding))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["measures"] == major_finding.measures
    assert form.initial["deadline"] == major_finding.deadline
    assert form.initial["responsible_person"] == major_finding.responsible_contact


def test_the_responsible_office_writes_the_plan_and_the_finding_page_shows_it_complete(
    client_for, major_finding, village_office
):
    client = client_for(village_office)
    response = client.post(plan_url(major_finding), plan_post(deadline=major_finding.deadline.isoformat()), follow=True)

    assert messages_of(response) == ["The rectification plan is complete; the fix can now be submitted."]
    plan = RectificationPlan.objects.get(finding=major_finding)
    assert plan.is_complete and plan.updated_by == village_office
    assert 'data-plan="complete"' in response.content.decode()


def test_a_plan_saved_in_part_is_kept_and_shown_as_incomplete(client_for, major_finding, safety_officer):
    response = client_for(safety_officer).post(
        plan_url(major_finding), plan_post(funds="", contingency_plan="", deadline=""), follow=True
    )

    assert "Still missing" in messages_of(response)[0]
    assert not RectificationPlan.objects.get(finding=major_finding).is_complete
    assert shows(response, "funds committed (yuan)")


def test_negative_funds_are_refused_and_nothing_is_saved(client_for, major_finding, safety_officer):
    response = client_for(safety_officer).post(plan_url(major_finding), plan_post(funds="-5"))

    assert response.status_code == 200
    assert response.context["form"].errors["funds"]
    assert not RectificationPlan.objects.exists()


def test_a_time_limit_before_the_finding_was_found_is_refused(client_for, major_finding, safety_officer):
    early = major_finding.found_on.replace(year=major_finding.found_on.year - 1).isoformat()
    response = client_for(safety_officer).post(plan_url(major_finding), plan_post(deadline=early))

    assert response.status_code == 200
    assert "cannot be before the day the hazard was found" in str(response.context["form"].errors)
    assert not RectificationPlan.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("town_admin", 200),
        ("safety_officer", 200),
        ("village_office", 200),
        ("leadership", 403),
        ("other_officer", 404),
        ("other_village_office", 404),
        ("unit_office", 404),
    ],
    indirect=["persona"],
)
def test_who_may_write_a_major_findings_plan(client_for, major_finding, persona, status):
    assert client_for(persona).get(plan_url(major_finding)).status_code == status


def test_a_general_finding_has_no_plan_page(client_for, finding, safety_officer):
    response = client_for(safety_officer).get(plan_url(finding), follow=True)
    assert messages_of(response) == ["Only a major hazard is under listed supervision with a rectification plan."]


# --- the board ----------------------------------------------------------------------------------------


def test_the_board_lists_open_major_findings_until_they_are_closed(
    client_for, town_admin, safety_officer, village_office, site_a, major_finding, finding
):
    client = client_for(town_admin)
    response = client.get(reverse("supervision:board"))
    listed = [row.number for row in response.context["page_obj"]]
    assert listed == [major_finding.number]
    assert response.context["counts"]["plan_incomplete"] == 1

    complete_plan(major_finding, safety_officer)
    close_general(major_finding, office=village_office, officer=safety_officer)
    finding_close(finding=major_finding, by=town_admin)

    response = client.get(reverse("supervision:board"))
    assert list(response.context["page_obj"]) == []
    assert [f.number for f in response.context["recently_delisted"]] == [major_finding.number]


@pytest.mark.parametrize(
    ("persona", "listed"),
    [("safety_officer", True), ("village_office", True), ("other_officer", False), ("other_village_office", False)],
    indirect=["persona"],
)
def test_the_board_shows_each_user_only_the_major_findings_in_scope(client_for, major_finding, persona, listed):
    response = client_for(persona).get(reverse("supervision:board"))
    assert response.status_code == 200
    assert shows(response, major_finding.number) is listed


def test_the_boards_queries_do_not_grow_with_its_rows(client_for, town_admin, safety_officer, site_a):
    record_findings(officer=safety_officer, site=site_a, grade=Finding.Grade.MAJOR)
    client = client_for(town_admin)
    one = count_queries(client, reverse("supervision:board"))
    for finding in record_findings(officer=safety_officer, site=site_a, grade=Finding.Grade.MAJOR, count=8):
        complete_plan(finding, safety_officer)
    assert count_queries(client, reverse("supervision:board")) == one
