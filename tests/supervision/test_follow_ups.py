"""回头看: closing a finding schedules its follow-up; a follow-up records held or relapsed; a relapse
reopens the finding with a new deadline and says so in its timeline; figures per village."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections.models import Finding, FindingEvent
from inspections.services import finding_reopen
from supervision.models import FollowUp
from supervision.services import follow_up_record, follow_up_schedule
from tests.builders import after_photo, jpeg_upload, record_findings
from tests.helpers import count_queries, messages_of, shows
from tests.supervision.helpers import close_general, close_major

S = Finding.Status
A = FindingEvent.Action


@pytest.fixture
def closed(finding, village_office, safety_officer):
    return close_general(finding, office=village_office, officer=safety_officer)


@pytest.fixture
def follow_up(closed):
    return FollowUp.objects.get(finding=closed)


def detail(follow_up) -> str:
    return reverse("supervision:follow-up-detail", args=[follow_up.pk])


# --- scheduling -------------------------------------------------------------------------------------------


def test_closing_a_finding_schedules_its_follow_up_thirty_days_later(closed):
    follow_up = FollowUp.objects.get(finding=closed)
    assert follow_up.due_on == timezone.localdate(closed.closed_at) + dt.timedelta(days=30)
    assert follow_up.source == FollowUp.Source.SCHEDULED and follow_up.is_pending


def test_the_follow_up_delay_is_a_setting(settings, finding, village_office, safety_officer):
    settings.SUPERVISION_FOLLOW_UP_DAYS = 10
    closed = close_general(finding, office=village_office, officer=safety_officer)
    assert FollowUp.objects.get(finding=closed).due_on == timezone.localdate(closed.closed_at) + dt.timedelta(days=10)


def test_closing_a_major_finding_schedules_its_follow_up_too(major_finding, village_office, safety_officer, town_admin):
    close_major(major_finding, office=village_office, officer=safety_officer, admin=town_admin)
    assert FollowUp.objects.pending().filter(finding=major_finding).count() == 1


def test_reopening_a_closed_finding_withdraws_its_waiting_follow_up(follow_up, closed, safety_officer):
    finding_reopen(finding=closed, by=safety_officer, note="群众举报又堵了", deadline=timezone.localdate())
    follow_up.refresh_from_db()
    assert follow_up.cancelled_at is not None and not follow_up.is_pending


def test_a_follow_up_cannot_be_scheduled_for_an_open_finding(finding, safety_officer):
    with pytest.raises(ValidationError) as refused:
        follow_up_schedule(finding=finding, by=safety_officer)
    assert "not closed" in refused.value.messages[0]
    assert not FollowUp.objects.exists()


def test_looking_back_now_at_an_open_finding_on_its_page_says_why_and_changes_nothing(
    client_for, finding, safety_officer
):
    response = client_for(safety_officer).post(
        reverse("supervision:follow-up-schedule", args=[finding.pk]), follow=True
    )
    assert any("not closed" in message for message in messages_of(response))
    assert not FollowUp.objects.exists()


def test_one_follow_up_waits_per_finding(follow_up, closed, safety_officer):
    with pytest.raises(ValidationError):
        follow_up_schedule(finding=closed, by=safety_officer)
    assert FollowUp.objects.filter(finding=closed).count() == 1


# --- recording ----------------------------------------------------------------------------------------------


def test_a_follow_up_that_finds_the_fix_held_leaves_the_finding_closed_and_notes_it(follow_up, closed, safety_officer):
    follow_up_record(follow_up=follow_up, by=safety_officer, result="held", note="通道保持畅通", photos=[after_photo()])

    closed.refresh_from_db()
    follow_up.refresh_from_db()
    assert closed.status == S.CLOSED
    assert (follow_up.result, follow_up.done_by) == ("held", safety_officer)
    event = closed.events.last()
    assert (event.action, event.note) == (A.FOLLOW_UP_HELD, "通道保持畅通")
    assert event.photos.count() == 1 and follow_up.event == event


def test_a_relapse_reopens_the_finding_with_a_new_deadline_and_says_so_in_the_timeline(
    client_for, follow_up, closed, safety_officer
):
    deadline = timezone.localdate() + dt.timedelta(days=5)
    client = client_for(safety_officer)
    response = client.post(
        detail(follow_up),
        {
            "result": "relapsed",
            "note": "安全出口又被货物堵塞",
            "deadline": deadline.isoformat(),
            "photos": [jpeg_upload()],
        },
        follow=True,
    )

    assert messages_of(response) == [
        f"The hazard is back: the finding was reopened with the deadline {deadline.isoformat()}."
    ]
    closed.refresh_from_db()
    assert (closed.status, closed.deadline, closed.reopen_count) == (S.OPEN, deadline, 1)
    event = closed.events.last()
    assert (event.action, event.from_status, event.to_status, event.deadline) == (
        A.RELAPSED,
        S.CLOSED,
        S.OPEN,
        deadline,
    )
    page = response.content.decode()
    assert 'data-action="relapsed"' in page and "安全出口又被货物堵塞" in page
    follow_up.refresh_from_db()
    assert (follow_up.result, follow_up.event) == ("relapsed", event)


def test_a_relapse_without_a_new_deadline_or_a_note_is_refused_and_nothing_changes(
    client_for, follow_up, closed, safety_officer
):
    response = client_for(safety_officer).post(detail(follow_up), {"result": "relapsed", "note": ""})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "deadline" in errors and "note" in errors
    closed.refresh_from_db()
    follow_up.refresh_from_db()
    assert closed.status == S.CLOSED and follow_up.is_pending


def test_a_relapse_given_a_mistyped_year_is_refused_and_nothing_changes(client_for, follow_up, closed, safety_officer):
    mistyped = timezone.localdate() + dt.timedelta(days=366)
    response = client_for(safety_officer).post(
        detail(follow_up), {"result": "relapsed", "note": "又堵塞", "deadline": mistyped.isoformat()}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == ["The new deadline cannot be more than a year from today."]
    closed.refresh_from_db()
    follow_up.refresh_from_db()
    assert closed.status == S.CLOSED and follow_up.is_pending


def test_a_follow_up_of_a_finding_that_is_open_again_is_refused(follow_up, closed, safety_officer):
    # e.g. reopened by other means since the follow-up page was opened
    Finding.objects.filter(pk=closed.pk).update(status=S.OPEN, closed_at=None)
    with pytest.raises(ValidationError) as refused:
        follow_up_record(follow_up=follow_up, by=safety_officer, result="held")
    assert "not closed" in refused.value.messages[0]
    follow_up.refresh_from_db()
    assert follow_up.is_pending and not FollowUp.objects.done().exists()


def test_a_follow_up_is_recorded_once(follow_up, safety_officer):
    follow_up_record(follow_up=follow_up, by=safety_officer, result="held")
    with pytest.raises(ValidationError):
        follow_up_record(follow_up=follow_up, by=safety_officer, result="held")


# --- who sees what --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("town_admin", 200),
        ("leadership", 200),
        ("safety_officer", 200),
        ("village_office", 200),
        ("other_officer", 404),
        ("other_village_office", 404),
        ("unit_office", 404),
    ],
    indirect=["persona"],
)
def test_who_sees_a_follow_up(client_for, follow_up, persona, status):
    assert client_for(persona).get(detail(follow_up)).status_code == status


@pytest.mark.parametrize("persona", ["village_office", "leadership"], indirect=True)
def test_only_the_zones_officers_and_the_town_record_a_follow_up(client_for, follow_up, persona):
    client = client_for(persona)
    assert client.get(detail(follow_up)).context["may_record"] is False
    assert client.post(detail(follow_up), {"result": "held"}).status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.is_pending


def test_officers_see_the_follow_ups_due_in_their_zones(
    client_for, follow_up, safety_officer, other_officer, village_b, other_village_office
):
    site_b = village_b.sites.create(name="超朗村木器厂")
    other = record_findings(officer=other_officer, site=site_b)[0]
    close_general(other, office=other_village_office, officer=other_officer)
    FollowUp.objects.update(due_on=timezone.localdate())

    mine = client_for(safety_officer).get(reverse("supervision:follow-up-list"))
    assert [f.finding.number for f in mine.context["page_obj"]] == [follow_up.finding.number]
    home = client_for(safety_officer).get(reverse("home"))
    assert shows(home, follow_up.finding.number) and not shows(home, other.number)


def test_each_follow_up_tab_lists_as_many_as_its_badge_counts(
    client_for, safety_officer, village_office, site_a, follow_up
):
    today = timezone.localdate()
    for finding in record_findings(officer=safety_officer, site=site_a, count=2):
        close_general(finding, office=village_office, officer=safety_officer)
    late, soon, later = FollowUp.objects.order_by("pk")
    FollowUp.objects.filter(pk=late.pk).update(due_on=today - dt.timedelta(days=3))
    FollowUp.objects.filter(pk=soon.pk).update(due_on=today + dt.timedelta(days=2))
    FollowUp.objects.filter(pk=later.pk).update(due_on=today + dt.timedelta(days=20))
    client = client_for(safety_officer)
    url = reverse("supervision:follow-up-list")
    counts = client.get(url).context["counts"]
    assert (counts["waiting"], counts["overdue"], counts["this_week"]) == (3, 1, 1)
    assert [f.pk for f in client.get(url, {"due": "overdue"}).context["page_obj"]] == [late.pk]
    assert [f.pk for f in client.get(url, {"due": "week"}).context["page_obj"]] == [soon.pk]


def test_an_overdue_follow_up_says_by_how_many_days(client_for, safety_officer, village_office, site_a, follow_up):
    today = timezone.localdate()
    [waiting] = record_findings(officer=safety_officer, site=site_a, count=1)
    close_general(waiting, office=village_office, officer=safety_officer)
    late, not_yet = FollowUp.objects.order_by("pk")
    FollowUp.objects.filter(pk=late.pk).update(due_on=today - dt.timedelta(days=9))
    FollowUp.objects.filter(pk=not_yet.pk).update(due_on=today + dt.timedelta(days=2))

    page = client_for(safety_officer).get(reverse("supervision:follow-up-list")).content.decode()  # in English

    rows = {pk: page.split(f'data-follow-up="{pk}"')[1].split("</li>")[0] for pk in (late.pk, not_yet.pk)}
    assert "9 days overdue" in rows[late.pk]  # 逾期 9 天
    assert "overdue" not in rows[not_yet.pk]


def test_the_follow_up_list_queries_do_not_grow_with_its_rows(
    client_for, safety_officer, village_office, site_a, follow_up
):
    client = client_for(safety_officer)
    one = count_queries(client, reverse("supervision:follow-up-list"))
    for finding in record_findings(officer=safety_officer, site=site_a, count=6):
        close_general(finding, office=village_office, officer=safety_officer)
    assert count_queries(client, reverse("supervision:follow-up-list")) == one


# --- figures ---------------------------------------------------------------------------------------------------


def test_figures_per_village_count_held_and_relapsed(
    client_for, town_admin, safety_officer, village_office, site_a, village_a
):
    findings = record_findings(officer=safety_officer, site=site_a, count=3)
    for finding, result in zip(findings, ["held", "held", "relapsed"], strict=True):
        close_general(finding, office=village_office, officer=safety_officer)
        follow_up_record(
            follow_up=FollowUp.objects.get(finding=finding),
            by=safety_officer,
            result=result,
            note="复发" if result == "relapsed" else "",
            deadline=timezone.localdate() + dt.timedelta(days=3) if result == "relapsed" else None,
        )

    response = client_for(town_admin).get(reverse("supervision:follow-up-figures"))

    rows = list(response.context["rows"])
    assert [(r["village"], r["total"], r["held"], r["relapsed"]) for r in rows] == [(village_a.name, 3, 2, 1)]
    assert client_for(town_admin).get(reverse("supervision:follow-up-figures") + "?year=1999").context["totals"] == {
        "total": 0,
        "held": 0,
        "relapsed": 0,
    }
