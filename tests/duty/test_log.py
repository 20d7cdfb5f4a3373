"""The duty log follows the four steps: 接 receive, 报 report (初报 → 续报 → 终报), 传 pass on, 跟 follow up,
with a handover note at the end of each shift."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from duty import services
from duty.models import DutyLogEntry, DutyLogStep, ShiftHandover
from tests.duty.conftest import at, refused
from tests.helpers import messages_of, shows


def log_call(client, village, **extra):
    data = {
        "received_at": f"{timezone.localtime(at(-0.5)):%Y-%m-%dT%H:%M}",
        "caller_name": "王师傅",
        "caller_unit": "餐馆店主",
        "caller_phone": "13800000203",
        "village": village.pk,
        "place": "商业街某餐馆",
        "what_happened": "后厨闻到燃气味",
        "casualties": "无",
        **extra,
    }
    return client.post("/duty/log/new/", data, follow=True)


@pytest.fixture
def entry(shift_now, safety_officer, village_a):
    return services.log_receive(
        by=safety_officer,
        received_at=at(-0.5),
        caller_name="王师傅",
        caller_phone="13800000203",
        village=village_a,
        place="商业街某餐馆",
        what_happened="后厨闻到燃气味",
    )


def test_the_officer_on_duty_logs_a_call_into_the_current_shift(client_for, shift_now, safety_officer, village_a):
    response = log_call(client_for(safety_officer), village_a)
    entry = DutyLogEntry.objects.get()
    assert entry.shift == shift_now and entry.recorded_by == safety_officer
    assert response.redirect_chain[-1][0] == f"/duty/log/{entry.pk}/"
    assert shows(response, "后厨闻到燃气味")


def test_an_officer_not_on_duty_cannot_log_a_call(client_for, shift_now, other_officer, village_a):
    assert client_for(other_officer).get("/duty/log/new/").status_code == 403
    assert log_call(client_for(other_officer), village_a).status_code == 403
    assert DutyLogEntry.objects.count() == 0


def test_a_call_without_caller_or_phone_is_refused_in_chinese(client_for, shift_now, safety_officer, village_a):
    response = log_call(client_for(safety_officer), village_a, caller_phone="", caller_name="")
    assert shows(response, "这个字段是必填项")
    assert DutyLogEntry.objects.count() == 0


def test_reports_go_initial_continued_final(entry, safety_officer):
    def report(kind, hours):
        return services.log_step(
            entry=entry,
            by=safety_officer,
            step="report",
            report_kind=kind,
            at=at(hours),
            counterpart="带班领导",
            content="报告",
        )

    with refused("The first report upward is the initial report (初报)."):
        report("continued", -0.4)
    report("initial", -0.4)
    with pytest.raises(ValidationError):
        report("initial", -0.3)
    report("continued", -0.3)
    report("continued", -0.2)
    report("final", -0.1)
    with refused("The final report (终报) was made; no report follows it."):
        report("continued", 0)
    kinds = list(entry.steps.values_list("report_kind", flat=True))
    assert kinds == ["initial", "continued", "continued", "final"]


def test_pass_on_and_follow_up_are_recorded_on_the_page(client_for, entry, safety_officer):
    client = client_for(safety_officer)
    when = f"{timezone.localtime(at(-0.3)):%Y-%m-%dT%H:%M}"
    client.post(
        f"/duty/log/{entry.pk}/step/",
        {"step": "report", "report_kind": "initial", "at": when, "counterpart": "带班领导", "content": "电话报告"},
    )
    client.post(
        f"/duty/log/{entry.pk}/step/",
        {"step": "pass_on", "at": when, "counterpart": "消防救援站", "content": "传达指示：立即出警"},
    )
    response = client.post(
        f"/duty/log/{entry.pk}/step/",
        {"step": "follow_up", "at": when, "counterpart": "村安全办", "content": "现场已关阀"},
        follow=True,
    )
    assert list(entry.steps.order_by("pk").values_list("step", flat=True)) == ["report", "pass_on", "follow_up"]
    assert shows(response, "传达指示：立即出警") and shows(response, "现场已关阀")


def test_the_step_form_offers_the_likely_next_step_and_names_the_leader_on_duty(
    client_for, entry, safety_officer, leadership
):
    client = client_for(safety_officer)
    leader = f"{leadership.display_name}（{leadership.title}）" if leadership.title else leadership.display_name
    when = f"{timezone.localtime(at(-0.3)):%Y-%m-%dT%H:%M}"

    first = client.get(entry.get_absolute_url()).context["step_form"]
    assert (first["step"].value(), first["report_kind"].value()) == ("report", "initial")
    assert first["counterpart"].value() == leader

    client.post(
        f"/duty/log/{entry.pk}/step/",
        {"step": "report", "report_kind": "initial", "at": when, "counterpart": leader, "content": "电话报告"},
    )
    after_report = client.get(entry.get_absolute_url()).context["step_form"]
    assert after_report["step"].value() == "pass_on" and not after_report["counterpart"].value()

    client.post(
        f"/duty/log/{entry.pk}/step/", {"step": "pass_on", "at": when, "counterpart": "消防", "content": "出警"}
    )
    after_orders = client.get(entry.get_absolute_url()).context["step_form"]
    assert (after_orders["step"].value(), after_orders["report_kind"].value()) == ("report", "continued")
    assert after_orders["counterpart"].value() == leader


def test_a_step_before_the_call_is_refused(client_for, entry, safety_officer):
    when = f"{timezone.localtime(at(-5)):%Y-%m-%dT%H:%M}"
    response = client_for(safety_officer).post(
        f"/duty/log/{entry.pk}/step/", {"step": "pass_on", "at": when, "counterpart": "x", "content": "y"}, follow=True
    )
    assert messages_of(response) == [_("A step cannot come before the call was received.")]
    assert DutyLogStep.objects.count() == 0


def test_a_report_without_its_kind_is_refused(client_for, entry, safety_officer):
    when = f"{timezone.localtime(at(-0.2)):%Y-%m-%dT%H:%M}"
    client_for(safety_officer).post(
        f"/duty/log/{entry.pk}/step/", {"step": "report", "at": when, "counterpart": "x", "content": "y"}
    )
    assert DutyLogStep.objects.count() == 0


def test_a_refused_step_keeps_what_was_typed_and_says_which_field_is_missing(client_for, entry, safety_officer):
    when = f"{timezone.localtime(at(-0.2)):%Y-%m-%dT%H:%M}"
    content = "已向带班领导报告，领导指示立即通知燃气公司和消防到场处置"

    response = client_for(safety_officer).post(
        f"/duty/log/{entry.pk}/step/", {"step": "report", "report_kind": "initial", "at": when, "content": content}
    )

    assert response.status_code == 200
    form = response.context["step_form"]
    assert list(form.errors) == ["counterpart"]
    assert shows(response, content)  # typed at two in the morning, not to be typed again
    assert shows(response, "invalid-feedback")  # the error stands beside the field
    assert DutyLogStep.objects.count() == 0


def test_a_late_initial_report_is_flagged(client_for, entry, safety_officer, settings):
    settings.DUTY_INITIAL_REPORT_MINUTES = 10
    assert shows(client_for(safety_officer).get(f"/duty/log/{entry.pk}/"), 'data-testid="initial-late"')
    settings.DUTY_INITIAL_REPORT_MINUTES = 120
    assert not shows(client_for(safety_officer).get(f"/duty/log/{entry.pk}/"), 'data-testid="initial-late"')


def test_the_handover_is_written_once_and_shown_to_the_next_shift(
    client_for, shift_now, safety_officer, town_admin, leadership, other_officer
):
    client_for(safety_officer).post(
        f"/duty/shifts/{shift_now.pk}/handover/", {"note": "京山村燃气泄漏已处置，明早回访"}
    )
    assert ShiftHandover.objects.get(shift=shift_now).by == safety_officer
    with refused("This shift was already handed over."):
        services.shift_handover(shift=shift_now, by=safety_officer, note="again")
    with pytest.raises(PermissionDenied):
        services.shift_handover(shift=shift_now, by=other_officer, note="not mine")
    services.shift_save(
        by=town_admin,
        starts_at=shift_now.ends_at,
        ends_at=at(24, base=shift_now.ends_at),
        leader=leadership,
        officers=[other_officer],
    )
    shift_now.refresh_from_db()
    with mock.patch("django.utils.timezone.now", return_value=shift_now.ends_at + dt.timedelta(hours=1)):
        desk = client_for(other_officer).get("/duty/")
    assert shows(desk, "京山村燃气泄漏已处置，明早回访")


def test_the_leader_on_duty_reads_the_log_but_writes_nothing(client_for, entry, leadership, shift_now):
    client = client_for(leadership)
    assert client.get(f"/duty/log/{entry.pk}/").status_code == 200
    assert client.get("/duty/log/new/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.shift_handover(shift=shift_now, by=leadership, note="领导交班")
    assert not ShiftHandover.objects.exists()
