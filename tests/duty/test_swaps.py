"""Swaps: an officer asks a named colleague; the town admin approves or refuses; the calendar and both
people's homes show the result. A swap with oneself or across duty roles is refused and changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from chashan_safety.models import Notification, Role
from duty import services
from duty.models import DutyAssignment, SwapRequest
from tests.duty.conftest import at, refused
from tests.factories import UserFactory
from tests.helpers import messages_of, shows


@pytest.fixture
def tomorrow(town_admin, leadership, safety_officer):
    return services.shift_save(
        by=town_admin, starts_at=at(30), ends_at=at(54), leader=leadership, officers=[safety_officer]
    )


@pytest.fixture
def colleague(zone_a):
    return UserFactory(username="officer_c", full_name="叶同事", role=Role.SAFETY_OFFICER, zones=[zone_a])


def state() -> list:
    return list(DutyAssignment.objects.order_by("pk").values()) + list(SwapRequest.objects.order_by("pk").values())


def test_an_approved_swap_puts_the_colleague_on_the_shift(client_for, tomorrow, safety_officer, colleague, town_admin):
    response = client_for(safety_officer).post(
        f"/duty/shifts/{tomorrow.pk}/swap/", {"colleague": colleague.pk, "reason": "家中有事"}, follow=True
    )
    assert messages_of(response) == [_("Your swap request was sent to the office for approval.")]
    swap = SwapRequest.objects.get()
    assert swap.status == "pending" and tomorrow.officers == [safety_officer]

    admin = client_for(town_admin)
    assert shows(admin.get("/"), 'data-testid="swaps-to-decide"')
    admin.post(f"/duty/swaps/{swap.pk}/decide/", {"decision": "approve", "note": "同意"})
    swap.refresh_from_db()
    assert swap.status == "approved" and swap.decided_by == town_admin
    tomorrow.refresh_from_db()
    assert [a.person for a in tomorrow.assignments.filter(position="officer")] == [colleague]

    month = f"{tomorrow.starts_at.astimezone().strftime('%Y-%m')}"
    calendar = client_for(colleague).get(f"/duty/calendar/?month={month}")
    assert shows(calendar, 'data-person="officer_c"')
    for person in (safety_officer, colleague):
        home = client_for(person).get("/")
        assert shows(home, f'data-swap="{swap.pk}" data-status="approved"')
    assert shows(client_for(colleague).get("/"), f'data-my-shift="{tomorrow.pk}"')
    assert not shows(client_for(safety_officer).get("/"), f'data-my-shift="{tomorrow.pk}"')


def test_a_refused_swap_changes_no_shift(client_for, tomorrow, safety_officer, colleague, town_admin):
    swap = services.swap_request(shift=tomorrow, requester=safety_officer, colleague=colleague, reason="换班")
    before = list(DutyAssignment.objects.order_by("pk").values())
    client_for(town_admin).post(f"/duty/swaps/{swap.pk}/decide/", {"decision": "refuse"})
    swap.refresh_from_db()
    assert swap.status == "refused"
    assert list(DutyAssignment.objects.order_by("pk").values()) == before
    assert shows(client_for(safety_officer).get("/"), f'data-swap="{swap.pk}" data-status="refused"')


def test_a_swap_with_oneself_is_refused(client_for, tomorrow, safety_officer):
    before = state()
    response = client_for(safety_officer).post(
        f"/duty/shifts/{tomorrow.pk}/swap/", {"colleague": safety_officer.pk, "reason": "x"}
    )
    assert shows(response, _("A swap needs a colleague: you cannot swap with yourself."))
    assert state() == before


def test_a_swap_across_roles_is_refused(tomorrow, safety_officer, town_admin, colleague):
    other_leader = UserFactory(role=Role.LEADERSHIP)
    with refused("%(name)s cannot take the place of a %(position)s: a swap stays within one duty role."):
        services.swap_request(shift=tomorrow, requester=safety_officer, colleague=other_leader, reason="换班")
    # a sub-bureau colleague may stand as officer, but offers a shift where they lead in return
    staff = UserFactory(role=Role.TOWN_ADMIN, full_name="分局同事")
    leaders_shift = services.shift_save(
        by=town_admin, starts_at=at(80), ends_at=at(104), leader=staff, officers=[colleague]
    )
    before = state()
    with refused("A swap stays within one duty role: a leader's shift for a leader's, an officer's for an officer's."):
        services.swap_request(
            shift=tomorrow, requester=safety_officer, colleague=staff, counter_shift=leaders_shift, reason="换"
        )
    assert state() == before and SwapRequest.objects.count() == 0


def test_an_exchange_of_shifts_moves_both_people(tomorrow, safety_officer, colleague, town_admin, leadership):
    theirs = services.shift_save(
        by=town_admin, starts_at=at(80), ends_at=at(104), leader=leadership, officers=[colleague]
    )
    swap = services.swap_request(
        shift=tomorrow, requester=safety_officer, colleague=colleague, counter_shift=theirs, reason="对调"
    )
    services.swap_decide(swap=swap, by=town_admin, approve=True)
    assert tomorrow.officers == [colleague]
    assert theirs.officers == [safety_officer]


def test_a_swap_onto_a_colleague_already_on_duty_then_is_refused(tomorrow, safety_officer, colleague, town_admin):
    other_leader = UserFactory(role=Role.LEADERSHIP)
    services.shift_save(by=town_admin, starts_at=at(40), ends_at=at(50), leader=other_leader, officers=[colleague])
    with refused("%(name)s is already on duty from %(start)s to %(end)s; one person cannot hold two shifts at once."):
        services.swap_request(shift=tomorrow, requester=safety_officer, colleague=colleague, reason="换班")


def test_only_the_town_admin_decides_a_swap(client_for, tomorrow, safety_officer, colleague, leadership):
    swap = services.swap_request(shift=tomorrow, requester=safety_officer, colleague=colleague, reason="换班")
    assert client_for(colleague).post(f"/duty/swaps/{swap.pk}/decide/", {"decision": "approve"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.swap_decide(swap=swap, by=leadership, approve=True)
    swap.refresh_from_db()
    assert swap.status == "pending"


def test_someone_not_on_the_shift_cannot_ask_to_swap_it(client_for, tomorrow, colleague):
    assert client_for(colleague).get(f"/duty/shifts/{tomorrow.pk}/swap/").status_code == 403


def test_a_swap_decided_twice_is_refused(tomorrow, safety_officer, colleague, town_admin):
    swap = services.swap_request(shift=tomorrow, requester=safety_officer, colleague=colleague, reason="换班")
    services.swap_decide(swap=swap, by=town_admin, approve=False)
    with refused("This swap was already decided."):
        services.swap_decide(swap=swap, by=town_admin, approve=True)


def test_the_office_and_the_colleague_are_told_of_a_request_and_both_of_the_decision(
    tomorrow, safety_officer, colleague, town_admin
):
    swap = services.swap_request(shift=tomorrow, requester=safety_officer, colleague=colleague, reason="换班")
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"admin", "officer_c"}
    services.swap_decide(swap=swap, by=town_admin, approve=True)
    told = Notification.objects.filter(url=tomorrow.get_absolute_url())
    assert sorted(told.values_list("recipient__username", flat=True)) == ["officer", "officer_c"]
