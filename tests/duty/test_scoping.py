"""Who reads what: the duty table and the roster are public to every signed-in user; a log entry and
its response are read by the town, leadership, every safety officer (they keep the desk in turn) and
the village where it happened, and answer 404 to everyone else. Pages cost the same queries for one
row or many."""

from __future__ import annotations

import pytest

from duty import services
from tests.duty.conftest import at
from tests.helpers import count_queries

#: who may read a log entry in village A: (persona, status)
WHO_READS_ENTRY_IN_A = [
    ("town_admin", 200),
    ("leadership", 200),
    ("safety_officer", 200),
    ("other_officer", 200),
    ("village_office", 200),
    ("other_village_office", 404),
    ("unit_office", 403),
]


@pytest.fixture
def entry(shift_now, safety_officer, village_a, gas_template):
    return services.log_receive(
        by=safety_officer,
        received_at=at(-0.5),
        caller_name="王师傅",
        caller_phone="13800000203",
        village=village_a,
        place="商业街某餐馆",
        what_happened="后厨闻到燃气味",
        event_type=gas_template,
    )


@pytest.fixture
def activation(entry, safety_officer, gas_template):
    return services.activation_from_entry(entry=entry, by=safety_officer, template=gas_template)


@pytest.mark.parametrize(("persona", "status"), WHO_READS_ENTRY_IN_A, indirect=["persona"])
def test_a_log_entry_is_read_within_its_scope(
    client_for, persona, status, entry, other_officer, other_village_office, unit_office
):
    response = client_for(persona).get(f"/duty/log/{entry.pk}/")
    assert response.status_code == status
    if status == 200:
        assert "后厨闻到燃气味" in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), WHO_READS_ENTRY_IN_A, indirect=["persona"])
def test_a_response_is_read_within_its_scope(
    client_for, persona, status, activation, other_officer, other_village_office, unit_office
):
    assert client_for(persona).get(f"/duty/activations/{activation.pk}/").status_code == status


def test_the_other_village_does_not_see_the_entry_in_the_log(client_for, entry, other_village_office, village_office):
    assert "商业街某餐馆" not in client_for(other_village_office).get("/duty/log/").content.decode()
    assert "商业街某餐馆" in client_for(village_office).get("/duty/log/").content.decode()


def test_the_other_village_cannot_record_a_call_out(client_for, activation, other_village_office, village_office):
    callout = activation.callouts.first()
    assert client_for(other_village_office).post(f"/duty/callouts/{callout.pk}/", {"note": "x"}).status_code == 404
    # the village itself reads the response but is not on duty: it records nothing
    client_for(village_office).post(f"/duty/callouts/{callout.pk}/", {"note": "x"})
    callout.refresh_from_db()
    assert callout.note == ""


@pytest.mark.parametrize(
    "persona", ["town_admin", "leadership", "safety_officer", "village_office", "unit_office"], indirect=True
)
def test_the_roster_and_the_desk_open_for_everyone(client_for, persona, roster, shift_now):
    assert client_for(persona).get("/duty/roster/").status_code == 200
    assert client_for(persona).get("/duty/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, shift_now):
    for url in ["/duty/", "/duty/calendar/", "/duty/log/", "/duty/roster/", f"/duty/shifts/{shift_now.pk}/"]:
        assert client.get(url).status_code == 302


def test_the_log_and_response_pages_cost_the_same_queries_for_one_row_or_many(
    client_for, town_admin, entry, safety_officer, gas_template, village_a
):
    services.activation_from_entry(entry=entry, by=safety_officer, template=gas_template)
    client = client_for(town_admin)
    urls = ["/duty/log/", "/duty/activations/", "/duty/", f"/duty/shifts/{entry.shift_id}/", "/duty/roster/", "/"]
    one = {url: count_queries(client, url) for url in urls}
    for n in range(5):
        more = services.log_receive(
            by=safety_officer,
            received_at=at(-0.4 + n * 0.05),
            caller_name=f"来电{n}",
            caller_phone="13800000000",
            village=village_a,
            place=f"地点{n}",
            what_happened="情况",
            event_type=gas_template,
        )
        services.activation_from_entry(entry=more, by=safety_officer, template=gas_template)
    assert {url: count_queries(client, url) for url in urls} == one
