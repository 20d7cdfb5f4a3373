"""Demo duty data: the 1+4+N roster with its contacts and templates, five weeks of daily shifts around
today plus the Spring Festival holiday duty planned ahead, one approved swap, log entries and two
activations (one closed, one under way). Every row is found by a natural key, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from chashan_safety.demo import Tally, upsert
from duty.models import (
    ActivationEvent,
    CallOut,
    DutyAssignment,
    DutyLogEntry,
    DutyLogStep,
    DutyShift,
    ResponseActivation,
    ResponseContact,
    ResponseTemplate,
    ResponseUnit,
    ShiftHandover,
    SwapRequest,
    TemplateUnit,
)
from duty.services import contacts_for
from incidents.models import Incident
from responsibility.models import Village

DEMO = "（演示数据）"

# name, core role, duties, contacts (name, post, phone) in order of call
UNITS = [
    (
        "茶山镇应急管理分局",
        "emergency",
        "统筹指挥、信息报送、组织联动处置和善后",
        [("值班室", "24小时值班电话", "0769-86641110"), ("莫俊峰", "应急救援与防灾减灾股股长", "13712486059")],
    ),
    (
        "东莞市公安局茶山分局",
        "police",
        "现场警戒、交通管制、人员疏散、调查取证",
        [("指挥中心", "24小时值班", "0769-86642110"), ("周警官", "值班副所长", "13600000101")],
    ),
    (
        "茶山消防救援站",
        "fire",
        "灭火救援、危化品泄漏处置、抢险救人",
        [("站值班室", "24小时值班", "0769-86643119"), ("梁站长", "站长", "13600000102")],
    ),
    ("属地村（社区）", "village", "先期处置、人员疏散、现场看护、善后安抚；联系人取自事发村（社区）", []),
    (
        "茶山镇燃气有限公司",
        "",
        "燃气泄漏抢修、关阀断气、管网巡查",
        [("抢修热线", "24小时抢修", "0769-86653300"), ("谢国栋", "安全生产部经理", "0769-86653320")],
    ),
    (
        "茶山供电所",
        "",
        "紧急断电、恢复供电、电力设施抢修",
        [("供电抢修", "24小时", "0769-86654400"), ("黎工", "值班长", "13600000104")],
    ),
    (
        "茶山镇卫生健康办（120分站）",
        "",
        "伤员救治、医疗转运",
        [("120分站", "24小时", "0769-86645120"), ("罗医生", "急诊科主任", "13600000105")],
    ),
    (
        "茶山镇住房和城乡建设办",
        "",
        "建筑施工事故处置、房屋安全鉴定",
        [("值班室", "24小时", "0769-86646200"), ("钟工", "质安站站长", "13600000106")],
    ),
    (
        "茶山交通管理中队",
        "",
        "道路交通事故处置、交通疏导",
        [("中队值班", "24小时", "0769-86647122"), ("陈队长", "中队长", "13600000107")],
    ),
    (
        "茶山生态环境分局",
        "",
        "环境监测、污染处置",
        [("值班室", "24小时", "0769-86648300"), ("何工", "监测站站长", "13600000108")],
    ),
]

# type of incident, category in the register, units called in order
TEMPLATES = [
    ("燃气泄漏", "other", ["emergency", "police", "fire", "village", "茶山镇燃气有限公司", "茶山供电所"]),
    ("火灾", "fire", ["fire", "emergency", "police", "village", "茶山镇卫生健康办（120分站）", "茶山供电所"]),
    (
        "道路交通事故",
        "road_traffic",
        ["police", "茶山交通管理中队", "茶山镇卫生健康办（120分站）", "emergency", "village"],
    ),
    (
        "危险化学品泄漏",
        "production",
        ["fire", "emergency", "police", "village", "茶山生态环境分局", "茶山镇卫生健康办（120分站）"],
    ),
    (
        "建筑施工事故",
        "production",
        ["emergency", "fire", "police", "village", "茶山镇住房和城乡建设办", "茶山镇卫生健康办（120分站）"],
    ),
]

LEADERS = ["leader", "admin"]
OFFICERS = ["section1", "officer", "section3", "officer1a", "officer3a", "officer4a"]
DAYS_BEFORE = 14
DAYS_AFTER = 35


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _spring_festival_eve(today: dt.date) -> dt.date:
    # 除夕 of the coming Spring Festivals (lunar dates looked up once; the demo needs only the next one)
    eves = [dt.date(2026, 2, 16), dt.date(2027, 2, 5), dt.date(2028, 1, 25), dt.date(2029, 2, 12), dt.date(2030, 2, 2)]
    return next((eve for eve in eves if eve >= today), eves[-1])


def _load_roster(tally: Tally) -> dict[str, ResponseUnit]:
    units = {}
    for order, (name, core_role, duties, contacts) in enumerate(UNITS, start=1):
        unit, outcome = upsert(
            ResponseUnit, {"name": name}, {"core_role": core_role, "duties": duties + DEMO, "order": order}
        )
        tally.add(outcome)
        units[core_role or name] = unit
        for call_order, (contact, post, phone) in enumerate(contacts, start=1):
            _, outcome = upsert(
                ResponseContact, {"unit": unit, "order": call_order}, {"name": contact, "post": post, "phone": phone}
            )
            tally.add(outcome)
    for order, (name, category, called) in enumerate(TEMPLATES, start=1):
        template, outcome = upsert(
            ResponseTemplate, {"name": name}, {"category": category, "order": order, "description": DEMO}
        )
        tally.add(outcome)
        for call_order, key in enumerate(called, start=1):
            _, outcome = upsert(TemplateUnit, {"template": template, "unit": units[key]}, {"order": call_order})
            tally.add(outcome)
    return units


def _shift(day: dt.date, leader, officers, holiday: str, tally: Tally) -> DutyShift:
    shift, outcome = upsert(
        DutyShift,
        {"starts_at": _at(day, 8, 30)},
        {"ends_at": _at(day + dt.timedelta(days=1), 8, 30), "holiday": holiday},
    )
    tally.add(outcome)
    if not shift.assignments.exists():
        DutyAssignment.objects.create(shift=shift, person=leader, position=DutyAssignment.Position.LEADER)
        for officer in officers:
            DutyAssignment.objects.create(shift=shift, person=officer, position=DutyAssignment.Position.OFFICER)
    return shift


def _load_shifts(today: dt.date, tally: Tally) -> dict[dt.date, DutyShift]:
    User = get_user_model()
    people = {u.username: u for u in User.objects.filter(username__in=LEADERS + OFFICERS)}
    leaders = [people[name] for name in LEADERS if name in people]
    officers = [people[name] for name in OFFICERS if name in people]
    if not leaders or len(officers) < 2:
        return {}
    days = [today + dt.timedelta(days=offset) for offset in range(-DAYS_BEFORE, DAYS_AFTER)]
    holidays = {dt.date(today.year + 1, 1, 1): "元旦"}
    eve = _spring_festival_eve(today)
    festival = [eve + dt.timedelta(days=offset) for offset in range(0, 8)]
    for day in festival:
        holidays[day] = "春节"
    # the shift on duty now began at 08:30 today, or yesterday before 08:30
    duty_day = (timezone.localtime() - dt.timedelta(hours=8, minutes=30)).date()
    shifts = {}
    for index, day in enumerate(sorted(set(days) | set(festival))):
        # the officers take turns in pairs; the demo `officer` login is on duty today
        offset = (day - duty_day).days
        first = officers[(offset * 2 + 1) % len(officers)]
        second = officers[(offset * 2 + 2) % len(officers)]
        if offset == 0:
            first, second = people.get("officer", first), people.get("section1", second)
        pair = [first] if first == second else [first, second]
        shifts[day] = _shift(day, leaders[index % len(leaders)], pair, holidays.get(day, ""), tally)
    return shifts


def _load_swap(shifts: dict[dt.date, DutyShift], tally: Tally) -> None:
    """One officer swapped a Spring Festival shift, approved by the office (as story 7 has it)."""
    holiday = [shift for shift in shifts.values() if shift.holiday == "春节"]
    if len(holiday) < 2 or SwapRequest.objects.exists():
        return
    User = get_user_model()
    admin = User.objects.filter(username="admin").first()
    shift = holiday[0]
    requester = shift.officers[0]
    officer_ids = shift.assignments.values_list("person_id", flat=True)
    busy = DutyAssignment.objects.filter(shift__in=DutyShift.objects.overlapping(shift.starts_at, shift.ends_at))
    colleague = (
        User.objects.filter(role="safety_officer", is_active=True)
        .exclude(pk__in=officer_ids)
        .exclude(pk__in=busy.values("person_id"))
        .order_by("username")
        .first()
    )
    if colleague is None or admin is None:
        return
    swap = SwapRequest.objects.create(
        shift=shift,
        requester=requester,
        colleague=colleague,
        reason="除夕需回乡照顾老人" + DEMO,
        status=SwapRequest.Status.APPROVED,
        decided_by=admin,
        decided_at=timezone.now(),
        decision_note="同意，已报安委办备案",
    )
    DutyAssignment.objects.filter(shift=shift, person=requester).update(person=colleague, swap=swap)
    tally.add("created")


# (days before today, hour, minute, caller, unit, phone, village, place, template, what, casualties, activation)
ENTRIES = [
    (
        9,
        14,
        20,
        "刘先生",
        "群众",
        "13800000201",
        "茶山村",
        "茶山村工业区一号路",
        "道路交通事故",
        "货车与电动车碰撞，电动车驾驶人腿部受伤",
        "1人轻伤",
        "closed",
    ),
    (
        5,
        2,
        40,
        "陈女士",
        "超朗村网格员",
        "13800000202",
        "超朗村",
        "超朗村某五金厂",
        "火灾",
        "厂房配电箱冒烟，员工已用灭火器扑灭",
        "无",
        "",
    ),
    (
        1,
        21,
        5,
        "王师傅",
        "京山村某餐馆店主",
        "13800000203",
        "京山村",
        "京山村商业街某餐馆",
        "燃气泄漏",
        "后厨闻到燃气味，已关闭总阀并疏散顾客",
        "无",
        "open",
    ),
]


def _load_log(shifts: dict[dt.date, DutyShift], today: dt.date, tally: Tally) -> None:
    templates = {t.name: t for t in ResponseTemplate.objects.all()}
    villages = {v.name: v for v in Village.objects.all()}
    for days, hour, minute, caller, unit, phone, village, place, kind, what, casualties, state in ENTRIES:
        received = _at(today - dt.timedelta(days=days), hour, minute)
        shift = DutyShift.objects.covering(received).first()
        if shift is None or village not in villages:
            continue
        leader = shift.leader
        officer = shift.officers[0]
        entry, outcome = upsert(
            DutyLogEntry,
            {"received_at": received, "caller_phone": phone},
            {
                "shift": shift,
                "caller_name": caller,
                "caller_unit": unit,
                "event_type": templates[kind],
                "village": villages[village],
                "place": place,
                "what_happened": what + DEMO,
                "casualties": casualties,
                "recorded_by": officer,
            },
        )
        tally.add(outcome)
        if outcome == "created":
            minutes = dt.timedelta(minutes=1)
            DutyLogStep.objects.create(
                entry=entry,
                step="report",
                report_kind="initial",
                at=received + 8 * minutes,
                counterpart=f"带班领导 {leader}",
                content="电话报告情况",
                by=officer,
            )
            DutyLogStep.objects.create(
                entry=entry,
                step="pass_on",
                at=received + 12 * minutes,
                counterpart=f"{village}安全办",
                content="传达带班领导指示：立即到场先期处置，核实情况",
                by=officer,
            )
            DutyLogStep.objects.create(
                entry=entry,
                step="follow_up",
                at=received + 60 * minutes,
                counterpart=f"{village}安全办",
                content="回访：现场已处置完毕",
                by=officer,
            )
        if state and entry.incident_id is None:
            _activate(entry, templates[kind], officer, closed=state == "closed")
            tally.add("created")
    for shift in shifts.values():
        if shift.ends_at <= timezone.now() and not hasattr(shift, "handover") and shift.assignments.exists():
            ShiftHandover.objects.create(
                shift=shift, by=shift.officers[0], at=shift.ends_at, note="本班无遗留事项，设备正常。" + DEMO
            )


def _activate(entry: DutyLogEntry, template: ResponseTemplate, by, *, closed: bool) -> None:
    incident = Incident.objects.create(
        occurred_at=entry.received_at,
        village=entry.village,
        location=entry.place,
        category=template.category,
        summary=entry.what_happened,
        minor_injuries=1 if "轻伤" in entry.casualties else 0,
        recorded_by=by,
    )
    entry.incident = incident
    entry.save(update_fields=["incident"])
    activation = ResponseActivation.objects.create(
        incident=incident,
        template=template,
        log_entry=entry,
        opened_by=by,
        opened_at=entry.received_at + dt.timedelta(minutes=15),
    )
    ActivationEvent.objects.create(
        activation=activation, kind="opened", at=activation.opened_at, by=by, text=str(template)
    )
    for order, tu in enumerate(template.template_units.select_related("unit").order_by("order"), start=1):
        called = activation.opened_at + dt.timedelta(minutes=order)
        arrived = called + dt.timedelta(minutes=10 + 3 * order)
        callout = CallOut.objects.create(
            activation=activation,
            unit=tu.unit,
            unit_name=str(incident.village) if tu.unit.is_territorial else tu.unit.name,
            contacts=contacts_for(tu.unit, incident.village),
            order=order,
            called_at=called,
            arrived_at=arrived if closed or order <= 2 else None,
        )
        ActivationEvent.objects.create(
            activation=activation, callout=callout, kind="called", at=called, by=by, text=callout.unit_name
        )
        if callout.arrived_at:
            ActivationEvent.objects.create(
                activation=activation, callout=callout, kind="arrived", at=arrived, by=by, text=callout.unit_name
            )
    if closed:
        activation.status = ResponseActivation.Status.CLOSED
        activation.closed_at = activation.opened_at + dt.timedelta(hours=2)
        activation.closed_by = by
        activation.outcome = "现场处置完毕，伤者送医，道路恢复通行。" + DEMO
        activation.save()
        ActivationEvent.objects.create(
            activation=activation, kind="closed", at=activation.closed_at, by=by, text=activation.outcome
        )


def load(stdout=None) -> None:
    tally = Tally()
    today = timezone.localdate()
    _load_roster(tally)
    shifts = _load_shifts(today, tally)
    _load_swap(shifts, tally)
    _load_log(shifts, today, tally)
    if stdout is not None:
        stdout.write(
            f"duty: {ResponseUnit.objects.count()} response units, {DutyShift.objects.count()} shifts, "
            f"{DutyLogEntry.objects.count()} log entries, {ResponseActivation.objects.count()} activations ({tally})"
        )
