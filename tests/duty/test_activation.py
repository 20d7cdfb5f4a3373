"""Activation: one action turns a log entry into an incident and opens the call-out list of its
template, with called-at and arrived-at times as a timeline; closing records the outcome. An incident
whose response was closed is a closed incident and is not activated again."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _

from chashan_safety.models import Role
from duty import services
from duty.models import ActivationEvent, CallOut, ResponseActivation
from incidents.models import Incident
from tests.duty.conftest import at, refused
from tests.factories import IncidentFactory, UserFactory
from tests.helpers import messages_of, shows


@pytest.fixture
def entry(shift_now, safety_officer, village_a, gas_template):
    UserFactory(role=Role.VILLAGE_OFFICE, village=village_a, full_name="上元安全员", phone="13500000009")
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


def state() -> tuple:
    return (
        list(Incident.objects.order_by("pk").values("pk")),
        list(ResponseActivation.objects.order_by("pk").values()),
        CallOut.objects.count(),
        ActivationEvent.objects.count(),
    )


def test_one_action_registers_the_incident_and_opens_the_call_out_list(
    client_for, entry, safety_officer, gas_template, village_a
):
    response = client_for(safety_officer).post(
        f"/duty/log/{entry.pk}/activate/", {"template": gas_template.pk}, follow=True
    )
    incident = Incident.objects.get()
    assert incident.village == village_a and incident.occurred_at == entry.received_at
    assert (
        incident.category == "other" and incident.summary == "后厨闻到燃气味" and incident.recorded_by == safety_officer
    )
    entry.refresh_from_db()
    assert entry.incident == incident
    activation = ResponseActivation.objects.get()
    assert response.redirect_chain[-1][0] == f"/duty/activations/{activation.pk}/"
    names = list(activation.callouts.values_list("unit_name", flat=True))
    assert names == ["应急管理分局", "公安分局", "消防救援站", village_a.name, "燃气公司"]
    village_callout = activation.callouts.get(unit_name=village_a.name)
    assert [c["phone"] for c in village_callout.contacts] == [village_a.phone, "13500000009"]
    assert shows(response, "0769-86000001") and shows(response, "13500000009")


def test_call_and_arrival_times_make_the_timeline(client_for, entry, safety_officer, gas_template):
    activation = services.activation_from_entry(entry=entry, by=safety_officer, template=gas_template)
    fire = activation.callouts.get(unit_name="消防救援站")
    client = client_for(safety_officer)
    called = timezone.localtime(at(-0.4))
    arrived = timezone.localtime(at(-0.2))
    client.post(f"/duty/callouts/{fire.pk}/", {"called_at": f"{called:%Y-%m-%dT%H:%M}"})
    response = client.post(
        f"/duty/callouts/{fire.pk}/", {"arrived_at": f"{arrived:%Y-%m-%dT%H:%M}", "note": "两车八人"}, follow=True
    )
    fire.refresh_from_db()
    assert fire.called_at == called and fire.arrived_at == arrived
    kinds = list(activation.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["opened", "called", "arrived"] or kinds == ["called", "arrived", "opened"]
    assert shows(response, 'data-kind="arrived"') and shows(response, "两车八人")


def test_arrival_before_the_call_is_refused(client_for, entry, safety_officer, gas_template):
    activation = services.activation_from_entry(entry=entry, by=safety_officer, template=gas_template)
    police = activation.callouts.get(unit_name="公安分局")
    before = state()
    response = client_for(safety_officer).post(
        f"/duty/callouts/{police.pk}/",
        {
            "called_at": f"{timezone.localtime(at(-0.1)):%Y-%m-%dT%H:%M}",
            "arrived_at": f"{timezone.localtime(at(-0.3)):%Y-%m-%dT%H:%M}",
        },
        follow=True,
    )
    assert messages_of(response) == [_("%(unit)s cannot arrive before it was called.") % {"unit": "公安分局"}]
    assert state() == before
    police.refresh_from_db()
    assert police.called_at is None


def test_closing_needs_an_outcome_and_freezes_the_response(client_for, entry, safety_officer, gas_template):
    activation = services.activation_from_entry(entry=entry, by=safety_officer, template=gas_template)
    client = client_for(safety_officer)
    client.post(f"/duty/activations/{activation.pk}/close/", {"outcome": ""})
    activation.refresh_from_db()
    assert activation.is_open
    response = client.post(
        f"/duty/activations/{activation.pk}/close/", {"outcome": "关阀通风，无人员伤亡"}, follow=True
    )
    activation.refresh_from_db()
    assert activation.status == "closed" and activation.outcome == "关阀通风，无人员伤亡"
    assert shows(response, 'data-testid="outcome"')
    with refused("This response is closed; its record no longer changes."):
        services.callout_record(callout=activation.callouts.first(), by=safety_officer, called_at=at(-0.1))


def test_an_activation_for_a_closed_incident_is_refused(client_for, entry, safety_officer, gas_template):
    activation = services.activation_from_entry(entry=entry, by=safety_officer, template=gas_template)
    services.activation_close(activation=activation, by=safety_officer, outcome="处置完毕")
    before = state()
    response = client_for(safety_officer).post(
        f"/duty/activations/new/?incident={activation.incident_id}", {"template": gas_template.pk}
    )
    assert shows(response, _("This incident's response was closed; a closed incident is not activated again."))
    with refused("This incident's response was closed; a closed incident is not activated again."):
        services.activation_from_entry(entry=entry, by=safety_officer, template=gas_template)
    assert state() == before


def test_an_incident_is_not_activated_twice(entry, safety_officer, gas_template):
    activation = services.activation_from_entry(entry=entry, by=safety_officer, template=gas_template)
    with refused("This incident already has a response under way."):
        services.activation_open(incident=activation.incident, template=gas_template, by=safety_officer)
    assert ResponseActivation.objects.count() == 1


def test_an_incident_from_the_register_can_be_activated(client_for, shift_now, safety_officer, village_a, gas_template):
    incident = IncidentFactory(village=village_a)
    response = client_for(safety_officer).post(
        f"/duty/activations/new/?incident={incident.pk}", {"template": gas_template.pk}, follow=True
    )
    assert ResponseActivation.objects.get().incident == incident
    assert messages_of(response) == [_("The call-out list is open.")]


def this_years_count_on_the_dashboard(client) -> int:
    year = timezone.localdate().year
    page = client.get("/dashboard/").content.decode()
    found = re.search(rf'<tr data-year="{year}".*?data-figure="count">(\d+)</a>', page, re.S)
    return int(found.group(1)) if found else 0


def test_the_incident_appears_on_the_leadership_dashboard(
    client_for, entry, safety_officer, gas_template, leadership, village_a
):
    IncidentFactory(village=village_a, on=dt.date(timezone.localdate().year - 1, 6, 1))
    leader = client_for(leadership)
    before = this_years_count_on_the_dashboard(leader)
    activation = services.activation_from_entry(entry=entry, by=safety_officer, template=gas_template)
    assert this_years_count_on_the_dashboard(leader) == before + 1
    listed = leader.get(f"/incidents/?year={timezone.localdate().year}")
    assert shows(listed, f'data-incident="{activation.incident_id}"')


def test_called_now_and_arrived_now_take_the_servers_clock(client_for, entry, safety_officer, gas_template):
    activation = services.activation_from_entry(entry=entry, by=safety_officer, template=gas_template)
    gas = activation.callouts.get(unit_name="燃气公司")
    client = client_for(safety_officer)
    client.post(f"/duty/callouts/{gas.pk}/", {"called_at": "", "arrived_at": "", "note": "", "now": "called"})
    client.post(
        f"/duty/callouts/{gas.pk}/", {"called_at": "", "arrived_at": "", "note": "抢修车到场", "now": "arrived"}
    )
    gas.refresh_from_db()
    assert gas.called_at is not None and gas.arrived_at is not None
    assert abs((timezone.now() - gas.arrived_at).total_seconds()) < 120
    assert gas.note == "抢修车到场"


def test_a_response_to_an_incident_out_of_scope_or_unknown_answers_404(
    client_for, shift_now, safety_officer, village_b
):
    hidden = IncidentFactory(village=village_b)
    client = client_for(safety_officer)
    # the incident register keeps its own scope: an officer of zone A does not see village B's incidents
    assert client.get(f"/duty/activations/new/?incident={hidden.pk}").status_code == 404
    assert client.get("/duty/activations/new/?incident=abc").status_code == 404
    assert client.get("/duty/activations/new/").status_code == 404


def test_a_time_sent_back_as_shown_changes_nothing(entry, safety_officer, gas_template):
    activation = services.activation_from_entry(entry=entry, by=safety_officer, template=gas_template)
    police = activation.callouts.get(unit_name="公安分局")
    called = timezone.now() - dt.timedelta(minutes=3, seconds=17)
    services.callout_record(callout=police, by=safety_officer, called_at=called)
    shown = called.replace(second=0, microsecond=0)
    services.callout_record(callout=police, by=safety_officer, called_at=shown, note="已出警")
    police.refresh_from_db()
    assert police.called_at == called
    assert list(activation.events.filter(kind="called").values_list("at", flat=True)) == [called]
