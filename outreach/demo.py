"""Demo data of the outreach app: the "2+6" carriers over the 18 villages and a year of activities.

The two main bases and the kinds of carriers are the article's; the carriers' names, addresses, the
activities and the visitor figures are invented for demonstration. Two villages are left with gaps on
purpose, so that the coverage matrix has something to show: 博头村 has no publicity board and, like
横江村 (the ``village`` login's), no drill yet this year.

Rows are found by their natural keys (village and name; village, title and date), so a second run
changes nothing. Dates are counted back from today, so the demo always shows "this year".
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from chashan_safety.demo import Tally, upsert
from outreach.models import Activity, Carrier, CarrierType, VisitorCount
from responsibility.models import Village

#: carrier types of the "2+6" system, as migration 0002 seeds them: (name, tier, venue, expected in every
#: village, description); the first five are the article's
CARRIER_TYPES = [
    ("安全文化公园", "base", True, False, "“2”之一：镇级安全文化主阵地"),
    ("消防微型宣教馆", "base", True, False, "“2”之一：消防安全体验与宣教场馆"),
    ("文化室", "everyday", True, True, "村（社区）文化室内的安全宣教角"),
    ("宣传栏", "everyday", False, True, "村（社区）安全宣传栏"),
    ("路口标识", "everyday", False, True, "路口安全警示标识"),
    ("安全文化墙", "everyday", False, False, "村道、工业区的安全文化墙"),
    ("电子显示屏", "everyday", False, False, "滚动播放安全提示的电子屏"),
    ("应急广播", "everyday", False, False, "村（社区）应急广播点"),
]

#: the main bases: (type, village, name, address, lat, lng, opening hours, capacity)
MAIN_BASES = [
    (
        "安全文化公园",
        "茶山圩社区",
        "茶山镇安全文化公园",
        "茶山镇茶山圩社区文化广场东侧",
        "23.072410",
        "113.869320",
        "全天开放；讲解预约 周二至周日 9:00–17:00",
        500,
    ),
    (
        "消防微型宣教馆",
        "上元村",
        "上元村消防微型宣教馆",
        "上元村委会旁综合楼一楼",
        "23.081560",
        "113.853870",
        "周二至周日 9:00–12:00，14:30–17:30",
        60,
    ),
    (
        "消防微型宣教馆",
        "南社村",
        "南社村消防微型宣教馆",
        "南社古村游客中心北侧",
        "23.063920",
        "113.889140",
        "周三至周日 9:00–17:00",
        40,
    ),
]

#: villages left without a publicity board, without an intersection sign, and without a drill this year
NO_BOARD = {"博头村"}
NO_SIGN = {"博头村", "冲美村"}
NO_DRILL = {"博头村", "横江村"}

ORGANISERS = ["{village}安全办", "茶山消防救援站、{village}安全办", "应急管理分局综合股", "{village}党委"]

TITLES = {
    Activity.Kind.TRAINING: "{village}企业安全管理人员培训",
    Activity.Kind.DRILL: "{village}消防应急疏散演练",
    Activity.Kind.PUBLICITY_DAY: "{village}安全宣传进万家",
    Activity.Kind.EXHIBITION_VISIT: "{village}居民参观消防宣教馆",
    Activity.Kind.FIRST_AGENDA: "{village}党委会“第一议题”学习安全生产",
    Activity.Kind.SAFETY_MONTH: "{village}“安全生产月”主题宣传",
}


def _carriers(tally: Tally, villages: dict[str, Village], types: dict[str, CarrierType]) -> list[Carrier]:
    carriers = []
    for type_name, village_name, name, address, lat, lng, hours, capacity in MAIN_BASES:
        carrier, outcome = upsert(
            Carrier,
            {"village": villages[village_name], "name": name},
            {
                "type": types[type_name],
                "address": address,
                "latitude": Decimal(lat),
                "longitude": Decimal(lng),
                "status": Carrier.Status.IN_USE,
                "opening_hours": hours,
                "capacity": capacity,
            },
        )
        tally.add(outcome)
        carriers.append(carrier)
    for index, village in enumerate(villages.values()):
        everyday = [("文化室", f"{village.name}文化室", "周一至周六 8:30–21:00", 80)]
        if village.name not in NO_BOARD:
            everyday.append(("宣传栏", f"{village.name}村委会安全宣传栏", "", None))
        if village.name not in NO_SIGN:
            everyday.append(("路口标识", f"{village.name}主路口安全标识", "", None))
        if index % 3 == 0:
            everyday.append(("安全文化墙", f"{village.name}工业区安全文化墙", "", None))
        if index % 4 == 1:
            everyday.append(("电子显示屏", f"{village.name}广场电子显示屏", "", None))
        if index % 5 == 2:
            everyday.append(("应急广播", f"{village.name}应急广播点", "", None))
        for type_name, name, hours, capacity in everyday:
            status = Carrier.Status.UNDER_REPAIR if index == 7 and type_name == "路口标识" else Carrier.Status.IN_USE
            carrier, outcome = upsert(
                Carrier,
                {"village": village, "name": name},
                {
                    "type": types[type_name],
                    "address": f"{village.name}{'村委会' if type_name != '路口标识' else '主干道路口'}",
                    "status": status,
                    "opening_hours": hours,
                    "capacity": capacity,
                },
            )
            tally.add(outcome)
            carriers.append(carrier)
    # an old board replaced by the new one: retired, so that no activity may be held there
    _old, outcome = upsert(
        Carrier,
        {"village": villages["茶山村"], "name": "茶山村旧宣传栏"},
        {"type": types["宣传栏"], "address": "茶山村旧村委会门前", "status": Carrier.Status.RETIRED},
    )
    tally.add(outcome)
    return carriers


def _activity_plan(villages: dict[str, Village], carriers: list[Carrier], today: dt.date):
    """(village, kind, day, carrier, audience, score) of the last twelve months and a few weeks to come."""
    rng = random.Random(2026)  # noqa: S311 - the same plan on every run: the upserts find the same rows
    by_village: dict[int, list[Carrier]] = {}
    for carrier in carriers:
        if carrier.status == Carrier.Status.IN_USE:
            by_village.setdefault(carrier.village_id, []).append(carrier)
    hall = next(c for c in carriers if c.name == "上元村消防微型宣教馆")
    park = next(c for c in carriers if c.name == "茶山镇安全文化公园")
    year_start = dt.date(today.year, 1, 1)
    june = dt.date(today.year if today.month >= 7 else today.year - 1, 6, 16)
    plan = []
    for village in villages.values():
        own = by_village.get(village.pk, [])
        room = next((c for c in own if c.type.name == "文化室"), None)
        board = next((c for c in own if c.type.name == "宣传栏"), None)
        # the quarterly "first agenda item" study of the village's party committee
        for months_back in (1, 4, 7, 10):
            day = today - dt.timedelta(days=30 * months_back + rng.randint(0, 10))
            plan.append((village, Activity.Kind.FIRST_AGENDA, day, room, rng.randint(9, 15), None))
        plan.append((village, Activity.Kind.SAFETY_MONTH, june, board or room, rng.randint(80, 300), "4.5"))
        for _ in range(2):
            day = today - dt.timedelta(days=rng.randint(10, 330))
            plan.append((village, Activity.Kind.TRAINING, day, room, rng.randint(20, 60), "4.2"))
        day = today - dt.timedelta(days=rng.randint(20, 300))
        plan.append((village, Activity.Kind.PUBLICITY_DAY, day, board or room, rng.randint(50, 200), None))
        if village.name not in NO_DRILL:
            span = max((today - year_start).days, 1)
            day = year_start + dt.timedelta(days=rng.randint(0, span - 1))
            plan.append((village, Activity.Kind.DRILL, day, room, rng.randint(40, 150), "4.6"))
        if rng.random() < 0.85:
            day = today - dt.timedelta(days=rng.randint(5, 200))
            plan.append((village, Activity.Kind.EXHIBITION_VISIT, day, hall, rng.randint(15, 40), "4.8"))
        if rng.random() < 0.3:
            day = today + dt.timedelta(days=rng.randint(3, 45))
            plan.append((village, Activity.Kind.TRAINING, day, room, None, None))
    for weeks in (1, 3, 6):
        day = today + dt.timedelta(days=7 * weeks)
        plan.append((park.village, Activity.Kind.PUBLICITY_DAY, day, park, None, None))
    return [(v, k, d, c if c is None or c.village_id == v.pk else None, a, s) for v, k, d, c, a, s in plan] + [
        (hall.village, Activity.Kind.EXHIBITION_VISIT, today - dt.timedelta(days=12), hall, 35, "4.9")
    ]


def load(stdout=None) -> None:
    tally = Tally()
    types = {}
    for order, (name, tier, venue, expected, description) in enumerate(CARRIER_TYPES, start=1):
        kind, outcome = upsert(
            CarrierType,
            {"name": name},
            {
                "tier": tier,
                "is_venue": venue,
                "expected_in_every_village": expected,
                "description": description,
                "order": order,
                "is_active": True,
            },
        )
        types[name] = kind
        tally.add(outcome)
    villages = {village.name: village for village in Village.objects.order_by("order", "name")}
    if not villages:
        if stdout is not None:
            stdout.write("outreach: no villages, nothing loaded")
        return
    carriers = _carriers(tally, villages, types)
    today = timezone.localdate()
    activities = 0
    for village, kind, day, carrier, audience, score in _activity_plan(villages, carriers, today):
        title = TITLES.get(kind, "{village}安全宣教活动").format(village=village.name)
        if kind == Activity.Kind.EXHIBITION_VISIT and carrier is not None and carrier.village_id != village.pk:
            carrier = None
        organiser = ORGANISERS[(village.pk + day.toordinal()) % len(ORGANISERS)].format(village=village.name)
        _activity, outcome = upsert(
            Activity,
            {"village": village, "title": title, "held_on": day},
            {
                "kind": kind,
                "carrier": carrier,
                "organiser": organiser,
                "audience_count": audience,
                "feedback_score": Decimal(score) if score else None,
                "notes": "演示数据",
            },
        )
        tally.add(outcome)
        activities += 1
    venues = [carrier for carrier in carriers if carrier.type.is_venue]
    first = today.replace(day=1)
    for carrier in venues:
        base = (carrier.capacity or 50) * 4
        month = first
        for step in range(12):
            visitors = base + (carrier.pk * 37 + step * 53) % (base // 2 + 1)
            _visit, outcome = upsert(VisitorCount, {"carrier": carrier, "month": month}, {"visitors": visitors})
            tally.add(outcome)
            month = (month - dt.timedelta(days=1)).replace(day=1)
    if stdout is not None:
        stdout.write(
            f"outreach: {len(types)} carrier types, {len(carriers) + 1} carriers, {activities} activities, "
            f"visitors of {len(venues)} venues ({tally})"
        )
