"""Demo incidents: 2016 to this year, with the five years of double decline (双下降) the 2022
article reports for 2017–2021, then realistic figures (a year where only one of the two fell).

Every figure is drawn from a generator seeded by the year, so a second run finds every incident
in place and writes nothing. This year's incidents are those of a fixed plan that fall before today.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from chashan_safety.demo import Tally, upsert
from incidents.models import Incident
from inspections.models import Site
from responsibility.models import Unit, Village

#: (incidents, casualties) by year: 2017–2021 both fall every year; 2022 only casualties fall,
#: 2023 only the count, 2024 and 2025 both again
PLAN = {
    2016: (23, 31),
    2017: (20, 26),
    2018: (17, 21),
    2019: (14, 17),
    2020: (12, 13),
    2021: (9, 10),
    2022: (10, 8),
    2023: (8, 9),
    2024: (7, 7),
    2025: (6, 5),
}
FIRST_YEAR = 2016

CATEGORY_WEIGHTS = [
    (Incident.Category.ROAD_TRAFFIC, 5),
    (Incident.Category.PRODUCTION, 4),
    (Incident.Category.FIRE, 3),
    (Incident.Category.OTHER, 1),
]
STORIES = {
    Incident.Category.PRODUCTION: [
        ("五金加工", "冲床防护装置被拆除，员工违规操作", "员工在冲压作业时手部被冲床压伤，送医救治。"),
        ("建筑施工", "高处作业未系安全带，临边防护缺失", "施工人员在二楼临边作业时坠落受伤。"),
        ("塑料制品", "设备检修未断电挂牌", "维修人员检修注塑机时被误启动的设备夹伤。"),
        ("仓储物流", "叉车司机无证驾驶，倒车未观察", "叉车倒车时撞到搬运工人，致其受伤。"),
        ("家具制造", "有限空间作业未通风检测", "工人进入胶水储罐清理时出现中毒窒息症状。"),
    ],
    Incident.Category.FIRE: [
        ("餐饮", "油烟管道长期未清洗，油垢遇明火起火", "餐馆厨房油烟管道起火，过火面积约20平方米。"),
        ("出租屋", "电动自行车室内充电引发火灾", "出租屋一楼楼梯间电动自行车充电时起火，烟气蔓延至楼上。"),
        ("电子", "电线私拉乱接，线路短路", "厂房二楼车间电气线路短路起火，员工及时疏散。"),
        ("纸品", "仓库内违规动火作业", "纸品仓库焊接作业火星引燃纸箱，烧毁部分货物。"),
    ],
    Incident.Category.ROAD_TRAFFIC: [
        ("交通运输", "货车转弯未让行", "重型货车在路口右转时与电动自行车发生碰撞。"),
        ("交通运输", "摩托车超速行驶", "摩托车在村道弯道处失控侧翻。"),
        ("交通运输", "夜间行车视线不良，未减速", "小型客车夜间与横过道路的行人相撞。"),
        ("交通运输", "电动自行车逆行", "电动自行车逆行与小汽车相撞。"),
    ],
    Incident.Category.OTHER: [
        ("农业", "鱼塘边无防护栏及警示标识", "村民在鱼塘边作业时不慎落水。"),
        ("物业管理", "广告牌固定件锈蚀", "台风天气中广告牌脱落砸伤路人。"),
    ],
}
LOCATIONS = ["工业区", "村道路口", "厂房二楼", "出租屋", "商业街", "仓库", "东部快速路辅道", "农贸市场旁"]


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` people over ``parts`` incidents: several carry none, as real registers show."""
    counts = [0] * parts
    for _ in range(total):
        counts[rng.randrange(parts)] += 1
    return counts


def _year_plan(year: int) -> tuple[int, int]:
    if year in PLAN:
        return PLAN[year]
    rng = random.Random(year)  # noqa: S311 - demo data, not security
    return rng.randint(5, 8), rng.randint(4, 9)


def planned_incidents(today: dt.date) -> list[dict]:
    """Every demo incident up to ``today``, deterministic for a year and a day."""
    villages = list(Village.objects.order_by("order", "name"))
    if not villages:
        return []
    sites: dict[int, list[Site]] = {}
    for site in Site.objects.filter(village__in=villages).order_by("pk")[:2000]:
        sites.setdefault(site.village_id, []).append(site)
    unit = Unit.objects.filter(name__contains="燃气").first()
    categories = [category for category, weight in CATEGORY_WEIGHTS for _ in range(weight)]
    plans = []
    for year in range(FIRST_YEAR, today.year + 1):
        count, casualties = _year_plan(year)
        rng = random.Random(f"incidents-{year}")  # noqa: S311
        deaths = _split(rng, max(1, casualties // 6) if year < 2022 else casualties // 5, count)
        injured = _split(rng, casualties - sum(deaths), count)
        days = sorted(rng.randrange(365) for _ in range(count))
        for index in range(count):
            occurred = dt.datetime(year, 1, 1, rng.randrange(6, 23), rng.choice((0, 10, 20, 30, 40, 50)))
            occurred += dt.timedelta(days=days[index])
            if occurred.date() >= today:  # this year: only what lies before today
                continue
            village = villages[rng.randrange(len(villages))]
            category = rng.choice(categories)
            industry, cause, story = rng.choice(STORIES[category])
            serious = sum(1 for _ in range(injured[index]) if rng.random() < 0.4)
            site_list = sites.get(village.pk, [])
            site = site_list[rng.randrange(len(site_list))] if site_list and category != "road_traffic" else None
            plans.append(
                {
                    "occurred_at": timezone.make_aware(occurred),
                    "village": village,
                    "summary": f"{village.name}{story}",
                    "defaults": {
                        "site": site,
                        "unit": unit if category == Incident.Category.FIRE and "燃气" in cause else None,
                        "location": f"{village.name}{rng.choice(LOCATIONS)}",
                        "category": category,
                        "industry": industry,
                        "deaths": deaths[index],
                        "serious_injuries": serious,
                        "minor_injuries": injured[index] - serious,
                        "direct_loss": Decimal(rng.randrange(20, 3000) * 500),
                        "cause": cause,
                    },
                }
            )
    return plans


def load(stdout=None) -> None:
    tally = Tally()
    plans = planned_incidents(timezone.localdate())
    for plan in plans:
        _incident, outcome = upsert(
            Incident,
            {"occurred_at": plan["occurred_at"], "village": plan["village"], "summary": plan["summary"]},
            plan["defaults"],
        )
        tally.add(outcome)
    if stdout is not None:
        stdout.write(f"incidents: {len(plans)} from {FIRST_YEAR} to date ({tally})")
