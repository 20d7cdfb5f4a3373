"""The duty calendar's rules: one leader on duty, one or two officers, no one on two shifts at once,
a shift ends after it starts; the month view, the printable table and who is on duty now."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chashan_safety.models import Role
from duty import services
from duty.models import DutyAssignment, DutyShift
from tests.duty.conftest import at, refused
from tests.factories import UserFactory
from tests.helpers import count_queries, messages_of, shows


def shift_state() -> list:
    return list(DutyShift.objects.order_by("pk").values()) + list(DutyAssignment.objects.order_by("pk").values())


def test_a_shift_has_a_leader_and_two_officers(shift_now, leadership, safety_officer, second_officer):
    assert shift_now.leader == leadership
    assert shift_now.officers == [safety_officer, second_officer]


def test_a_shift_that_ends_before_it_starts_is_refused(town_admin, leadership, safety_officer):
    with refused("A shift must end after it starts."):
        services.shift_save(by=town_admin, starts_at=at(5), ends_at=at(1), leader=leadership, officers=[safety_officer])
    assert shift_state() == []


def test_a_week_of_duty_is_one_shift(town_admin, leadership, safety_officer):
    start, end = at(0), at(0) + dt.timedelta(days=7)
    services.shift_save(by=town_admin, starts_at=start, ends_at=end, leader=leadership, officers=[safety_officer])

    assert DutyShift.objects.count() == 1


def test_the_database_refuses_a_shift_ending_before_it_starts(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyShift.objects.create(starts_at=at(5), ends_at=at(5))


def test_two_leaders_on_one_shift_are_refused(shift_now, town_admin, leadership, safety_officer, second_officer):
    before = shift_state()
    other_leader = UserFactory(role=Role.LEADERSHIP)
    with refused("A shift has exactly one leader on duty."):
        services.shift_save(
            by=town_admin,
            shift=shift_now,
            starts_at=shift_now.starts_at,
            ends_at=shift_now.ends_at,
            leader=leadership,
            leaders=[other_leader],
            officers=[safety_officer],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyAssignment.objects.create(shift=shift_now, person=other_leader, position="leader")
    assert shift_state() == before


def test_the_form_refuses_two_leaders_in_chinese(client_for, shift_now, town_admin, leadership, safety_officer):
    # a town leader named among the officers would make a second leader on the shift
    other_leader = UserFactory(role=Role.LEADERSHIP, full_name="第二领导")
    before = shift_state()
    response = client_for(town_admin).post(
        "/duty/shifts/new/",
        {
            "starts_at": "2030-01-01T08:30",
            "ends_at": "2030-01-02T08:30",
            "leader": leadership.pk,
            "officers": [other_leader.pk],
        },
    )
    assert response.status_code == 200
    assert shift_state() == before
    assert shows(response, "选择一个有效的选项")


@pytest.mark.parametrize("count", [0, 3])
def test_a_shift_has_one_or_two_officers(town_admin, leadership, count):
    officers = [UserFactory(role=Role.SAFETY_OFFICER) for _ in range(count)]
    with refused("A shift has one or two duty officers."):
        services.shift_save(by=town_admin, starts_at=at(1), ends_at=at(25), leader=leadership, officers=officers)
    assert shift_state() == []


def test_a_person_on_two_overlapping_shifts_is_refused(shift_now, town_admin, safety_officer):
    before = shift_state()
    other_leader = UserFactory(role=Role.LEADERSHIP)
    with refused("%(name)s is already on duty from %(start)s to %(end)s; one person cannot hold two shifts at once."):
        services.shift_save(
            by=town_admin,
            starts_at=shift_now.ends_at - dt.timedelta(hours=1),
            ends_at=shift_now.ends_at + dt.timedelta(hours=23),
            leader=other_leader,
            officers=[safety_officer],
        )
    assert shift_state() == before


def test_back_to_back_shifts_are_allowed(shift_now, town_admin, leadership, safety_officer):
    following = services.shift_save(
        by=town_admin,
        starts_at=shift_now.ends_at,
        ends_at=at(24, base=shift_now.ends_at),
        leader=leadership,
        officers=[safety_officer],
    )
    assert following.pk != shift_now.pk


def test_a_unit_office_cannot_be_put_on_duty(town_admin, leadership, unit_office):
    with refused("%(name)s cannot be a duty officer: duty officers are sub-bureau staff or safety officers."):
        services.shift_save(by=town_admin, starts_at=at(1), ends_at=at(25), leader=leadership, officers=[unit_office])


def test_only_the_town_admin_plans_shifts(client_for, safety_officer, leadership):
    with pytest.raises(PermissionDenied):
        services.shift_save(
            by=safety_officer, starts_at=at(1), ends_at=at(25), leader=leadership, officers=[safety_officer]
        )
    assert client_for(safety_officer).get("/duty/shifts/new/").status_code == 403


def test_the_admin_plans_a_holiday_shift_through_the_form(client_for, town_admin, leadership, safety_officer):
    response = client_for(town_admin).post(
        "/duty/shifts/new/",
        {
            "starts_at": "2027-02-05T08:30",
            "ends_at": "2027-02-06T08:30",
            "leader": leadership.pk,
            "officers": [safety_officer.pk],
            "holiday": "春节",
        },
        follow=True,
    )
    shift = DutyShift.objects.get()
    assert shift.holiday == "春节" and shift.leader == leadership
    assert messages_of(response) == [_("The shift was saved.")]


@pytest.mark.parametrize(
    ("ends_at", "message"),
    [
        ("2027-02-05T08:30", "A shift must end after it starts."),
        ("2099-02-07T08:30", "A shift lasts at most 7 days: check the dates of its start and end."),
    ],
    ids=["end before start", "ending years later"],
)
def test_the_form_says_in_chinese_what_is_wrong_with_the_dates(
    client_for, town_admin, leadership, safety_officer, ends_at, message
):
    response = client_for(town_admin).post(
        "/duty/shifts/new/",
        {
            "starts_at": "2027-02-06T08:30",
            "ends_at": ends_at,
            "leader": leadership.pk,
            "officers": [safety_officer.pk],
        },
    )
    assert response.status_code == 200
    assert shows(response, _(message))
    assert shift_state() == []


@pytest.mark.parametrize(
    "persona", ["town_admin", "leadership", "safety_officer", "village_office", "unit_office"], indirect=True
)
def test_everyone_sees_who_is_on_duty_now_on_their_home(client_for, persona, shift_now, leadership):
    response = client_for(persona).get("/")
    assert response.status_code == 200
    assert shows(response, 'data-testid="on-duty-now"')
    assert shows(response, leadership.display_name)
    assert shows(response, "何值班")


def test_the_month_calendar_shows_shifts_and_holidays(
    client_for, village_office, shift_now, town_admin, leadership, safety_officer
):
    start = timezone.localtime(shift_now.starts_at)
    month = f"{start:%Y-%m}"
    response = client_for(village_office).get(f"/duty/calendar/?month={month}")
    assert response.status_code == 200
    assert shows(response, f'data-shift="{shift_now.pk}"')
    assert shows(response, "陈安全")
    printed = client_for(village_office).get(f"/duty/calendar/print/?month={month}")
    assert shows(printed, 'data-testid="duty-table-print"')
    assert shows(printed, f'data-shift="{shift_now.pk}"') and shows(printed, "何值班")


def test_a_bad_month_falls_back_to_this_month(client_for, village_office):
    assert client_for(village_office).get("/duty/calendar/?month=2026-13").status_code == 200
    assert client_for(village_office).get("/duty/calendar/?month=abc").status_code == 200


def test_the_calendar_costs_the_same_queries_for_one_shift_or_a_month(
    client_for, town_admin, leadership, safety_officer, second_officer
):
    base = timezone.make_aware(dt.datetime(2030, 3, 1, 8, 30))
    services.shift_save(
        by=town_admin, starts_at=base, ends_at=base + dt.timedelta(days=1), leader=leadership, officers=[safety_officer]
    )
    client = client_for(town_admin)
    one = count_queries(client, "/duty/calendar/?month=2030-03")
    one_print = count_queries(client, "/duty/calendar/print/?month=2030-03")
    for day in range(1, 30):
        start = base + dt.timedelta(days=day)
        services.shift_save(
            by=town_admin,
            starts_at=start,
            ends_at=start + dt.timedelta(days=1),
            leader=leadership,
            officers=[safety_officer, second_officer],
            holiday="清明" if day == 4 else "",
        )
    assert count_queries(client, "/duty/calendar/?month=2030-03") == one
    assert count_queries(client, "/duty/calendar/print/?month=2030-03") == one_print


def test_the_admin_edits_and_removes_a_shift(
    client_for, shift_now, town_admin, leadership, safety_officer, second_officer
):
    client = client_for(town_admin)
    form = client.get(f"/duty/shifts/{shift_now.pk}/edit/")
    assert shows(form, "何值班")
    start = timezone.localtime(shift_now.starts_at)
    end = timezone.localtime(shift_now.ends_at)
    client.post(
        f"/duty/shifts/{shift_now.pk}/edit/",
        {
            "starts_at": f"{start:%Y-%m-%dT%H:%M}",
            "ends_at": f"{end:%Y-%m-%dT%H:%M}",
            "leader": leadership.pk,
            "officers": [second_officer.pk],
            "holiday": "元旦",
        },
    )
    shift_now.refresh_from_db()
    assert shift_now.holiday == "元旦" and shift_now.officers == [second_officer]
    client.post(f"/duty/shifts/{shift_now.pk}/delete/")
    assert DutyShift.objects.count() == 0


def test_a_shift_with_log_entries_is_kept(client_for, shift_now, town_admin, safety_officer, village_a):
    services.log_receive(
        by=safety_officer,
        received_at=at(-0.5),
        caller_name="甲",
        caller_phone="1",
        village=village_a,
        place="某地",
        what_happened="情况",
    )
    response = client_for(town_admin).post(f"/duty/shifts/{shift_now.pk}/delete/", follow=True)
    assert messages_of(response) == [_("This shift has duty log entries and is kept.")]
    assert DutyShift.objects.filter(pk=shift_now.pk).exists()


def test_the_admin_plans_the_spring_festival_in_one_go(
    client_for, town_admin, leadership, safety_officer, second_officer
):
    response = client_for(town_admin).post(
        "/duty/shifts/plan/",
        {
            "first_day": "2027-02-05",
            "last_day": "2027-02-11",
            "start": "08:30",
            "holiday": "春节",
            "leaders": [leadership.pk, town_admin.pk],
            "officers": [safety_officer.pk, second_officer.pk],
            "officers_per_shift": "1",
        },
        follow=True,
    )
    shifts = list(DutyShift.objects.order_by("starts_at"))
    assert len(shifts) == 7 and {s.holiday for s in shifts} == {"春节"}
    assert [s.leader for s in shifts[:3]] == [leadership, town_admin, leadership]
    # the officers take turns, one a day, in the order the form lists them
    assert {shifts[0].officers[0], shifts[1].officers[0]} == {safety_officer, second_officer}
    assert shifts[2].officers == shifts[0].officers
    assert timezone.localtime(shifts[0].starts_at).strftime("%m-%d %H:%M") == "02-05 08:30"
    assert shows(response, 'data-testid="month-grid"')


def test_a_plan_with_one_clash_writes_nothing(client_for, town_admin, leadership, safety_officer, second_officer):
    base = timezone.make_aware(dt.datetime(2027, 2, 8, 8, 30))
    services.shift_save(
        by=town_admin, starts_at=base, ends_at=base + dt.timedelta(days=1), leader=leadership, officers=[safety_officer]
    )
    before = shift_state()
    response = client_for(town_admin).post(
        "/duty/shifts/plan/",
        {
            "first_day": "2027-02-05",
            "last_day": "2027-02-11",
            "start": "08:30",
            "leaders": [town_admin.pk],
            "officers": [safety_officer.pk, second_officer.pk],
            "officers_per_shift": "2",
        },
    )
    assert response.status_code == 200
    assert shows(response, "2027-02-08")
    assert shift_state() == before


def test_a_plan_ending_before_it_starts_is_refused(town_admin, leadership, safety_officer):
    with refused("The last day cannot be before the first day."):
        services.shifts_plan(
            by=town_admin,
            first_day=dt.date(2027, 2, 5),
            last_day=dt.date(2027, 2, 1),
            start=dt.time(8, 30),
            leaders=[leadership],
            officers=[safety_officer],
            officers_per_shift=1,
        )
    assert shift_state() == []
