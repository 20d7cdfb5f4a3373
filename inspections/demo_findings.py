"""Demo data: about 300 sites, and five years of inspections and findings on them.

Everything is invented (names, addresses, people, phones, hazards) but made to look like a real
town's ledger: factories, workshops, restaurants, rented houses, petrol and gas stations, building
sites and the 南社 old village's tourism, inspected by the zones' officers and their 1+N teams
(night and surprise rounds included), with findings that went through the lifecycle of
``inspections.services`` (recorded → fix submitted → verified → closed, a few failed checks and
reopened ones), and a present day with open, overdue and major findings.

The sites are upserted by (village, name) on every run. The inspections, findings and events are
written once, in bulk (no django-simple-history rows for them, and not through the services): the
first inspection carries a fixed ``client_token``, and when it exists the history is not loaded
again. The dates run back five years from the day of the first load; the rest is drawn from
``random.Random(2026)``, so the same rows come out every time.

It runs after ``chashan_safety.demo`` (order 30): the fixes of 横江村 and 塘角村 are submitted by
their demo logins, those of the gas company by the ``unit`` login, the others by the town admin.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import math
import random
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Max, Q
from django.utils import timezone
from PIL import Image, ImageDraw
from simple_history.utils import bulk_create_with_history

from chashan_safety.demo import DEMO_UNIT_NAME, Tally
from chashan_safety.models import Counter
from inspections.demo import CN_NUMBERS, GIVEN_NAMES, GRID_PREFIXES, SURNAMES, ZONES, _grid_count
from inspections.models import Finding, FindingEvent, FindingStatus, Grid, Inspection, PatrolTeam, Photo, Site
from inspections.photos import process_photo
from responsibility.models import Unit, Village

SEED = 2026
YEARS = 5
BATCH = 1000
PHOTO_FINDINGS = 30  # the most recent findings get placeholder photos

#: the first demo inspection's ``client_token``: when it exists, the history is loaded already
TOKEN_NAMESPACE = uuid.UUID("5b7c0e52-8c1e-4f0e-9a57-2026c4a54a00")


def demo_token(index: int) -> uuid.UUID:
    return uuid.uuid5(TOKEN_NAMESPACE, f"inspection-{index}")


S = FindingStatus
A = FindingEvent.Action
C = Finding.Category
K = Inspection.Kind


# ---------------------------------------------------------------------------------------------
# sites
# ---------------------------------------------------------------------------------------------

BRANDS = (
    "宏达恒兴永利富源鑫盛锦泰华昌德信联丰金辉盛元嘉华利丰新力东升美佳顺发荣兴祥和旺达卓越信达骏业创新高登伟业"
    "海达长荣振宇明辉康达丰泰瑞祥宝利源兴中天立信俊成力嘉汇通三和万丰精诚优力大成永盛合兴泰丰宏图志成建丰兴达"
    "隆昌百盛宇航裕华通达广源金城科锐凯达"
)
BRAND_WORDS = [BRANDS[i : i + 2] for i in range(0, len(BRANDS), 2)]
EATERIES = ["好味", "老友记", "福满楼", "聚缘", "粤香", "湘里人家", "蜀香", "客家王", "阿强", "九记", "荔湾", "添记"]
EATERIES += ["发记", "旺角", "渔家", "顺德", "陈记", "潮汕", "新桂", "福临", "强记", "莞香", "围仔", "茶香"]
DISHES = ["餐厅", "酒家", "茶餐厅", "烧腊店", "大排档", "粥粉面店", "火锅店", "快餐店", "牛肉店", "饭店"]
CRAFTS = ["五金加工", "制衣", "印花", "木器加工", "塑料回收", "豆制品", "纸箱加工", "电子配件"]
LANES = ["新村一巷", "新村二巷", "新村三巷", "新村四巷", "大街", "兴业路", "市场路", "沿河路", "村前路", "围仔路"]
PROJECTS = {
    "茶溪社区": "茶溪花园安置房项目工地",
    "下朗村": "下朗小学改扩建项目工地",
    "卢边村": "卢边旧村城市更新项目工地",
    "冲美村": "冲美工业园厂房新建项目工地",
    "寒溪水村": "寒溪水村道路改造项目工地",
    "茶山村": "茶山中心商住楼项目工地",
    "超朗村": "超朗工业区标准厂房项目工地",
    "横江村": "横江村文化广场项目工地",
}

UNIT_CHEMICALS = "东莞市茶山化工原料有限公司"
UNIT_PETROL = "东莞市茶山石油有限公司"
UNIT_BUILDER = "茶山建筑工程有限公司"
UNIT_TOURISM = "东莞市南社古村落旅游发展有限公司"
UNIT_TRAFFIC_POLICE = "交警中队"
UNIT_BUS = "茶山镇公共汽车有限公司"


@dataclass(frozen=True)
class SiteType:
    key: str
    kind: str
    industry: str
    tags: frozenset[str]
    risk: tuple[int, int, int, int]  # weights of risk levels 1-4
    area: int  # the grid (by its number) where such sites usually are
    night: float  # share of night inspections
    categories: dict[str, int]  # weights of finding categories
    rate: float = 1.0  # how many findings an inspection turns up, relative to others
    visits: float = 1.0  # how often it is inspected, relative to others of its risk level


E, P = Site.Kind.ENTERPRISE, Site.Kind.PLACE
FACTORY_MIX = {C.FIRE: 55, C.GAS: 4, C.TRAFFIC: 10, C.CHEMICAL: 10, C.ILLEGAL_CONSTRUCTION: 9, C.OTHER: 9}

TYPES = {
    t.key: t
    for t in [
        SiteType(
            "hardware", E, "金属制品加工", frozenset({"factory", "dust", "press"}), (3, 5, 2, 0), 2, 0.1, FACTORY_MIX
        ),
        SiteType(
            "furniture",
            E,
            "家具制造",
            frozenset({"factory", "dust", "paint"}),
            (1, 5, 3, 1),
            2,
            0.1,
            {**FACTORY_MIX, C.CHEMICAL: 16},
        ),
        SiteType("plastic", E, "塑料制品", frozenset({"factory", "paint"}), (3, 5, 2, 0), 2, 0.1, FACTORY_MIX),
        SiteType("electronics", E, "电子元器件制造", frozenset({"factory"}), (4, 5, 1, 0), 2, 0.08, FACTORY_MIX),
        SiteType(
            "food", E, "食品加工", frozenset({"factory", "food"}), (3, 5, 2, 0), 2, 0.08, {**FACTORY_MIX, C.GAS: 12}
        ),
        SiteType("packaging", E, "纸制品包装", frozenset({"factory"}), (3, 5, 2, 0), 2, 0.1, FACTORY_MIX),
        SiteType("garment", E, "服装制造", frozenset({"factory"}), (4, 5, 1, 0), 2, 0.15, FACTORY_MIX),
        SiteType(
            "workshop",
            E,
            "小作坊",
            frozenset({"workshop", "press"}),
            (4, 5, 1, 0),
            4,
            0.4,
            {C.FIRE: 60, C.GAS: 10, C.CHEMICAL: 4, C.ILLEGAL_CONSTRUCTION: 12, C.OTHER: 8},
            1.2,
        ),
        SiteType(
            "logistics",
            E,
            "仓储物流",
            frozenset({"logistics"}),
            (2, 5, 3, 0),
            2,
            0.1,
            {C.FIRE: 55, C.TRAFFIC: 30, C.OTHER: 15},
        ),
        SiteType(
            "restaurant",
            P,
            "餐饮",
            frozenset({"restaurant"}),
            (6, 4, 1, 0),
            3,
            0.35,
            {C.FIRE: 48, C.GAS: 44, C.ILLEGAL_CONSTRUCTION: 4, C.TRAFFIC: 2, C.OTHER: 2},
        ),
        SiteType(
            "rental",
            P,
            "出租屋",
            frozenset({"rental"}),
            (6, 4, 1, 0),
            4,
            0.5,
            {C.FIRE: 68, C.GAS: 12, C.ILLEGAL_CONSTRUCTION: 16, C.TRAFFIC: 2, C.OTHER: 2},
            1.1,
        ),
        SiteType(
            "retail",
            P,
            "商贸零售",
            frozenset({"public"}),
            (1, 5, 3, 1),
            3,
            0.15,
            {C.FIRE: 75, C.GAS: 8, C.TRAFFIC: 5, C.OTHER: 12},
        ),
        SiteType(
            "hotel",
            P,
            "住宿",
            frozenset({"public", "lodging"}),
            (2, 6, 2, 0),
            3,
            0.4,
            {C.FIRE: 80, C.GAS: 10, C.ILLEGAL_CONSTRUCTION: 5, C.OTHER: 5},
        ),
        SiteType(
            "entertainment",
            P,
            "文化娱乐场所",
            frozenset({"public"}),
            (2, 6, 2, 0),
            3,
            0.6,
            {C.FIRE: 85, C.GAS: 5, C.ILLEGAL_CONSTRUCTION: 5, C.OTHER: 5},
        ),
        SiteType(
            "market",
            P,
            "农贸市场",
            frozenset({"public", "market"}),
            (1, 6, 3, 0),
            3,
            0.1,
            {C.FIRE: 45, C.GAS: 25, C.TRAFFIC: 15, C.ILLEGAL_CONSTRUCTION: 10, C.OTHER: 5},
        ),
        SiteType(
            "school",
            P,
            "教育",
            frozenset({"public", "school"}),
            (3, 6, 1, 0),
            1,
            0.0,
            {C.FIRE: 45, C.GAS: 15, C.TRAFFIC: 25, C.CONSTRUCTION: 3, C.OTHER: 12},
            0.7,
        ),
        SiteType(
            "elderly", P, "养老机构", frozenset({"public"}), (0, 6, 4, 0), 1, 0.2, {C.FIRE: 75, C.GAS: 15, C.OTHER: 10}
        ),
        SiteType(
            "farmstay",
            P,
            "农家乐",
            frozenset({"tourism", "farm", "restaurant"}),
            (4, 5, 1, 0),
            5,
            0.1,
            {C.TOURISM: 35, C.FIRE: 30, C.GAS: 20, C.ILLEGAL_CONSTRUCTION: 10, C.TRAFFIC: 5},
        ),
        SiteType(
            "scenic",
            P,
            "旅游景区",
            frozenset({"tourism", "scenic", "public"}),
            (0, 2, 8, 0),
            1,
            0.1,
            {C.TOURISM: 50, C.FIRE: 35, C.TRAFFIC: 10, C.OTHER: 5},
            1.0,
            2.0,  # the old village draws crowds on holidays
        ),
        SiteType(
            "bus_station",
            P,
            "客运站场",
            frozenset({"public", "bus"}),
            (0, 4, 6, 0),
            3,
            0.2,
            {C.TRAFFIC: 55, C.FIRE: 35, C.OTHER: 10},
        ),
        SiteType(
            "petrol",
            E,
            "成品油零售（加油站）",
            frozenset({"station", "petrol"}),
            (0, 0, 2, 8),
            3,
            0.15,
            {C.CHEMICAL: 40, C.FIRE: 32, C.TRAFFIC: 18, C.OTHER: 10},
        ),
        SiteType(
            "gas_supply",
            E,
            "瓶装液化石油气供应",
            frozenset({"station", "gas_supply"}),
            (0, 1, 5, 4),
            3,
            0.15,
            {C.GAS: 72, C.FIRE: 20, C.TRAFFIC: 4, C.OTHER: 4},
        ),
        SiteType(
            "chemical",
            E,
            "危险化学品储存",
            frozenset({"station", "chemical"}),
            (0, 0, 3, 7),
            2,
            0.1,
            {C.CHEMICAL: 62, C.FIRE: 28, C.TRAFFIC: 5, C.OTHER: 5},
        ),
        SiteType(
            "construction",
            E,
            "建筑施工",
            frozenset({"site"}),
            (0, 3, 6, 1),
            0,
            0.05,
            {C.CONSTRUCTION: 78, C.FIRE: 10, C.TRAFFIC: 8, C.ILLEGAL_CONSTRUCTION: 2, C.OTHER: 2},
            1.3,
            3.0,  # building sites are checked about monthly while the work goes on
        ),
    ]
}

# (min, max) sites of a type in an ordinary village; the two communities have more shops and fewer factories
VILLAGE_MIX = {
    "hardware": (1, 2),
    "furniture": (0, 1),
    "plastic": (0, 1),
    "electronics": (0, 1),
    "food": (0, 1),
    "packaging": (0, 1),
    "garment": (0, 1),
    "workshop": (1, 2),
    "logistics": (0, 1),
    "restaurant": (1, 3),
    "rental": (1, 3),
    "retail": (0, 1),
    "hotel": (0, 1),
    "entertainment": (0, 1),
    "market": (0, 1),
    "school": (1, 1),
    "farmstay": (0, 1),
    "construction": (0, 1),
}
COMMUNITY_MIX = {
    **VILLAGE_MIX,
    "hardware": (0, 1),
    "workshop": (0, 1),
    "restaurant": (4, 6),
    "retail": (2, 3),
    "hotel": (1, 2),
    "entertainment": (1, 2),
    "farmstay": (0, 0),
}

# sites named outright: village, type, name, responsible unit (or "")
SPECIAL_SITES = [
    ("茶山圩社区", "petrol", "茶山石油东岳路加油站", UNIT_PETROL),
    ("上元村", "petrol", "茶山石油上元加油站", UNIT_PETROL),
    ("粟边村", "petrol", "茶山石油粟边加油站", UNIT_PETROL),
    ("京山村", "petrol", "茶山石油京山加油站", UNIT_PETROL),
    ("茶山村", "gas_supply", "茶山镇燃气有限公司茶山瓶装气供应站", DEMO_UNIT_NAME),
    ("横江村", "gas_supply", "茶山镇燃气有限公司横江瓶装气供应站", DEMO_UNIT_NAME),
    ("塘角村", "gas_supply", "茶山镇燃气有限公司塘角瓶装气供应站", DEMO_UNIT_NAME),
    ("刘黄村", "gas_supply", "茶山镇燃气有限公司刘黄瓶装气供应站", DEMO_UNIT_NAME),
    ("超朗村", "gas_supply", "茶山镇燃气有限公司超朗瓶装气供应站", DEMO_UNIT_NAME),
    ("增埗村", "chemical", "东莞市茶山化工原料有限公司增埗仓库", UNIT_CHEMICALS),
    ("孙屋村", "chemical", "东莞市永丰化工贸易有限公司孙屋仓库", ""),
    ("博头村", "chemical", "东莞市长盛化工贸易有限公司博头仓库", ""),
    ("南社村", "scenic", "南社古村景区", UNIT_TOURISM),
    ("南社村", "scenic", "南社古村游客服务中心", UNIT_TOURISM),
    ("南社村", "farmstay", "南社古村谢家农家乐", ""),
    ("南社村", "farmstay", "南社荷塘民宿", ""),
    ("茶山圩社区", "retail", "茶山商业广场", "茶山商业广场有限公司"),
    ("茶山圩社区", "bus_station", "茶山汽车客运站", "茶山汽车客运站"),
    ("茶山圩社区", "market", "茶山镇农产品批发市场", "茶山镇农产品批发市场有限公司"),
    ("茶山圩社区", "school", "茶山中学", ""),
    ("茶山村", "elderly", "茶山镇敬老院", ""),
    ("上元村", "food", "茶山食品工业园", "茶山食品工业园管理有限公司"),
    ("京山村", "logistics", "茶山物流园", "茶山物流园有限公司"),
    ("横江村", "workshop", "横江村新村三巷8号五金加工小作坊", ""),
    ("横江村", "hardware", "东莞市茶山精密五金制品有限公司", "东莞市茶山精密五金制品有限公司"),
    *(
        (village, "construction", name, UNIT_BUILDER if village in {"茶溪社区", "卢边村"} else "")
        for village, name in PROJECTS.items()
    ),
]


@dataclass
class SitePlan:
    village: str
    type: SiteType
    name: str
    unit: str
    address: str = ""
    risk: int = 2
    contact_name: str = ""
    contact_phone: str = ""
    grid_code: str | None = None
    notes: str = ""
    # the days (counted from the first day of the history) on which the site exists
    first_day: int = 0
    last_day: int | None = None
    lat: float = 0.0
    lon: float = 0.0
    index: int = 0

    def values(self, grid: Grid | None) -> dict:
        return {
            "kind": self.type.kind,
            "grid": grid,
            "address": self.address,
            "industry": self.type.industry,
            "risk_level": self.risk,
            "contact_name": self.contact_name,
            "contact_phone": self.contact_phone,
            "is_active": True,
            "notes": self.notes,
        }


def short_name(village: str) -> str:
    for suffix in ("社区", "村"):
        if village.endswith(suffix):
            return village[: -len(suffix)]
    return village


def _person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
    phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randrange(10**8):08d}"
    return name, phone


def _site_name(rng: random.Random, key: str, village: str) -> str:
    short = short_name(village)
    brand = rng.choice(BRAND_WORDS)
    match key:
        case "hardware":
            return rng.choice(
                [f"东莞市{brand}五金制品有限公司", f"东莞市{brand}精密五金有限公司", f"{short}{brand}五金厂"]
            )
        case "furniture":
            return rng.choice([f"东莞市{brand}家具有限公司", f"{brand}家具厂"])
        case "plastic":
            return rng.choice([f"东莞市{brand}塑胶制品有限公司", f"{brand}塑料制品厂"])
        case "electronics":
            return f"东莞市{brand}电子科技有限公司"
        case "food":
            return rng.choice([f"东莞市{brand}食品有限公司", f"{short}{brand}腊味加工厂", f"东莞市{brand}饼业有限公司"])
        case "packaging":
            return rng.choice([f"东莞市{brand}包装制品有限公司", f"{brand}纸品厂"])
        case "garment":
            return rng.choice([f"{brand}制衣厂", f"东莞市{brand}服饰有限公司"])
        case "workshop":
            return f"{village}{rng.choice(LANES)}{rng.randint(1, 60)}号{rng.choice(CRAFTS)}小作坊"
        case "logistics":
            return f"东莞市{brand}物流有限公司{short}仓库"
        case "restaurant":
            return f"{rng.choice(EATERIES)}{rng.choice(DISHES)}"
        case "rental":
            return f"{village}{rng.choice(LANES)}{rng.randint(1, 80)}号出租屋"
        case "retail":
            return rng.choice([f"{brand}购物广场", f"{brand}百货超市", f"{short}{brand}便利店"])
        case "hotel":
            return rng.choice([f"{brand}酒店", f"{brand}宾馆", f"{short}{brand}商务酒店"])
        case "entertainment":
            return rng.choice([f"{brand}网吧", f"{brand}KTV", f"{brand}沐足会所"])
        case "market":
            return f"{short}农贸市场"
        case "school":
            return rng.choice([f"茶山镇{short}小学", f"{short}{brand}幼儿园"])
        case "construction":
            works = ["安置房", "厂房新建", "商住楼", "道路改造", "学校改扩建", "旧村改造", "标准厂房", "污水管网"]
            return f"{short}{rng.choice(works)}项目工地"
        case "farmstay":
            return rng.choice([f"{short}{brand}农家乐", f"{short}生态农庄"])
    raise ValueError(key)


# the town centre, and where each village lies around it (invented, but within the town)
CENTRE = (23.0636, 113.8702)


def _village_point(index: int) -> tuple[float, float]:
    angle = index * 2.39996  # the golden angle spreads the 18 villages around the centre
    radius = 0.008 + 0.0022 * index
    return CENTRE[0] + radius * math.sin(angle), CENTRE[1] + radius * math.cos(angle) * 1.09


def site_plans() -> tuple[list[SitePlan], random.Random]:
    """The demo sites, the same every time; returns the generator too, to go on with the history."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    total_days = YEARS * 365
    plans: list[SitePlan] = []
    taken: set[tuple[str, str]] = set()
    specials: dict[str, list[tuple[str, str, str]]] = {}
    for village, key, name, unit in SPECIAL_SITES:
        specials.setdefault(village, []).append((key, name, unit))
    for village_index, village in enumerate(GRID_PREFIXES):
        wanted = [(key, name, unit) for key, name, unit in specials.get(village, [])]
        mix = COMMUNITY_MIX if village.endswith("社区") else VILLAGE_MIX
        for key, (low, high) in mix.items():
            wanted += [(key, "", "")] * rng.randint(low, high)
        lat0, lon0 = _village_point(village_index)
        grids = _grid_count(village_index)
        for key, name, unit in wanted:
            site_type = TYPES[key]
            for _attempt in range(20):
                name = name or _site_name(rng, key, village)
                if (village, name) not in taken:
                    break
                name = ""
            else:  # pragma: no cover - the name pools are far larger than a village's sites
                continue
            taken.add((village, name))
            plan = SitePlan(village=village, type=site_type, name=name, unit=unit, index=len(plans))
            plan.risk = rng.choices((1, 2, 3, 4), weights=site_type.risk)[0]
            if site_type.key in {"petrol", "chemical"}:
                plan.risk = max(plan.risk, 3)
            plan.contact_name, plan.contact_phone = _person(rng)
            short = short_name(village)
            if name.startswith(village) and ("号" in name):
                plan.address = f"东莞市茶山镇{name.split('号')[0]}号"
            elif site_type.tags & {"factory", "logistics", "station"}:
                plan.address = (
                    f"东莞市茶山镇{village}{short}工业区{rng.choice(['一', '二', '三', '四'])}路{rng.randint(1, 88)}号"
                )
            elif key == "construction":
                plan.address = (
                    f"东莞市茶山镇{village}{rng.choice(['村委会东侧', '大道北侧', '工业区南侧', '新村西侧'])}"
                )
            else:
                plan.address = f"东莞市茶山镇{village}{short}{rng.choice(LANES)}{rng.randint(1, 120)}号"
            area = site_type.area if site_type.area and site_type.area <= grids else rng.randint(1, grids)
            plan.grid_code = f"{GRID_PREFIXES[village]}-{area:02d}"
            if key == "construction":
                # a building site exists for a year or two somewhere in the five years
                length = rng.randint(300, 720)
                plan.first_day = rng.randint(0, total_days - 120)
                plan.last_day = min(total_days, plan.first_day + length)
                builder = unit or f"东莞市{rng.choice(BRAND_WORDS)}建设有限公司"
                plan.notes = f"施工许可已办理，工期约{length // 30}个月；总包单位：{builder}。"
            elif key in {"petrol", "chemical", "gas_supply"}:
                plan.notes = "重点监管单位：每月至少检查一次。"
            plan.lat = lat0 + rng.uniform(-0.004, 0.004)
            plan.lon = lon0 + rng.uniform(-0.004, 0.004)
            plans.append(plan)
    return plans, rng


def load_sites(plans: list[SitePlan]) -> tuple[dict[int, Site], Tally]:
    """Upsert the demo sites by (village, name); an unchanged site is not written."""
    villages = {village.name: village for village in Village.objects.filter(name__in=GRID_PREFIXES)}
    grids = {(grid.village_id, grid.code): grid for grid in Grid.objects.filter(village__in=villages.values())}
    existing = {(site.village_id, site.name): site for site in Site.objects.filter(village__in=villages.values())}
    tally = Tally()
    missing: list[tuple[SitePlan, Site]] = []
    sites: dict[int, Site] = {}
    for plan in plans:
        village = villages[plan.village]
        values = plan.values(grids.get((village.pk, plan.grid_code)))
        site = existing.get((village.pk, plan.name))
        if site is None:
            site = Site(village=village, name=plan.name, **values)
            missing.append((plan, site))
        else:
            changed = []
            for name, value in values.items():
                attname = "grid_id" if name == "grid" else name
                wanted = value.pk if name == "grid" and value is not None else value
                if getattr(site, attname) != wanted:
                    setattr(site, attname, wanted)
                    changed.append(attname)
            if changed:
                site.save(update_fields=changed)
                tally.updated += 1
        sites[plan.index] = site
    if missing:
        bulk_create_with_history([site for _, site in missing], Site, batch_size=BATCH)
        tally.created += len(missing)
        if any(site.pk is None for _, site in missing):  # a backend that does not return keys
            keys = {(s.village_id, s.name): s for s in Site.objects.filter(village__in=villages.values())}
            for plan, site in missing:
                sites[plan.index] = keys[(site.village_id, site.name)]
    return sites, tally


# ---------------------------------------------------------------------------------------------
# hazards: (description, measures, chance of being major, the site tags it fits or None for any)
# ---------------------------------------------------------------------------------------------

T = tuple[str, str, float, frozenset[str] | None]


def _t(text: str, measures: str, major: float = 0.0, tags: str | None = None) -> T:
    return (text, measures, major, frozenset(tags.split()) if tags else None)


HAZARDS: dict[str, list[T]] = {
    C.FIRE: [
        _t("{loc}安全出口被杂物堵塞", "立即清理杂物，保持安全出口畅通，落实每日防火巡查"),
        _t("{loc}疏散通道堆放纸箱等可燃物", "清理疏散通道内的可燃物，划定物品堆放区域"),
        _t(
            "电动车在{loc}停放充电",
            "禁止在楼道、室内停放和充电电动自行车，引导至集中充电点",
            0.02,
            "rental workshop lodging public factory",
        ),
        _t("{loc}消防栓被遮挡", "移除遮挡物，保持消防栓取用便利并设置明显标识"),
        _t("{loc}电线私拉乱接", "由持证电工规范敷设线路并穿管保护，拆除私拉乱接线路", 0.02),
        _t("{loc}{n}具灭火器压力不足", "更换或充装灭火器，每月检查并做好记录"),
        _t("{loc}灭火器过期未维修", "送有资质单位维修检测或更换灭火器"),
        _t("{loc}应急照明灯损坏不亮", "维修或更换应急照明灯，定期进行功能测试"),
        _t("{loc}疏散指示标志缺失", "按规范补设疏散指示标志"),
        _t(
            "消防车通道被车辆占用",
            "清理占道车辆，施划消防车通道标线并设置禁停标志",
            0.01,
            "factory public logistics station",
        ),
        _t("{loc}防火门常开，闭门器损坏", "维修闭门器，保持常闭式防火门处于关闭状态", 0.0, "factory public logistics"),
        _t(
            "{loc}住人，住宿与生产、仓储场所未有效分隔（“三合一”）",
            "立即撤出住宿人员，住宿场所与生产、仓储场所进行防火分隔，不得在厂房内住人",
            0.3,
            "factory workshop",
        ),
        _t("{loc}货物堆放过高，距灯具不足0.5米", "降低堆垛高度，保持与灯具的安全距离", 0.0, "factory logistics public"),
        _t(
            "自动喷水灭火系统末端试水压力不足",
            "委托维保单位检修消防设施，恢复正常运行",
            0.04,
            "factory public logistics",
        ),
        _t("消防控制室值班人员无证上岗", "安排持证人员24小时双人值班", 0.02, "public logistics"),
        _t("{loc}油烟管道油污积聚，未定期清洗", "委托专业单位清洗油烟管道，建立清洗记录", 0.0, "restaurant"),
        _t(
            "{loc}未配置灭火器和独立式烟感报警器",
            "每层配置不少于2具灭火器，安装独立式烟感报警器",
            0.0,
            "rental workshop restaurant",
        ),
        _t("{loc}电气线路老化，绝缘层破损", "更换老化线路，加装漏电保护装置", 0.01),
        _t("{loc}配电箱周围堆放可燃物", "清理配电箱周边可燃物，保持1米以上安全距离"),
        _t("{loc}防盗网未设置逃生出口", "改造防盗网，每层设置可从内部开启的逃生出口", 0.01, "rental workshop lodging"),
        _t(
            "员工不会使用灭火器，消防培训记录缺失",
            "组织全员消防安全培训和疏散演练，建立培训档案",
            0.0,
            "factory public restaurant logistics",
        ),
        _t("{loc}使用大功率电器，存在超负荷用电", "停止使用大功率电器，按用电负荷改造线路"),
        _t("{loc}有人吸烟，未设置禁烟标志", "设置禁烟标志，落实禁烟管理", 0.0, "factory logistics station"),
    ],
    C.GAS: [
        _t(
            "{loc}液化气瓶未放置在通风处",
            "将气瓶移至通风良好处，与灶具保持安全距离",
            0.01,
            "restaurant rental workshop food public",
        ),
        _t(
            "{loc}液化气瓶连接软管老化开裂",
            "更换为符合标准的金属波纹管，定期检查接口",
            0.01,
            "restaurant rental workshop food public",
        ),
        _t("{loc}未安装可燃气体报警装置", "安装可燃气体报警器并与紧急切断阀联动", 0.01, "restaurant food public"),
        _t(
            "使用无标签、无充装记录的来历不明气瓶",
            "立即停用并退回，向有资质的供应站购气",
            0.15,
            "restaurant rental workshop food",
        ),
        _t("{loc}液化气瓶超期未检验", "更换检验合格的气瓶", 0.01),
        _t("{loc}存放液化气瓶{n}瓶，超过规定数量", "清理多余气瓶，存放数量不超过规定", 0.04, "restaurant food public"),
        _t("{loc}液化气瓶卧放使用", "气瓶直立使用，严禁卧放、倒置或加热", 0.02, "restaurant rental workshop"),
        _t("{loc}燃气管道穿越卧室", "由燃气公司改造管道走向", 0.05, "rental lodging"),
        _t("{loc}燃气灶具周边堆放可燃物", "清理灶具周边可燃物", 0.0, "restaurant rental food"),
        _t("{loc}灶具未安装熄火保护装置", "更换带熄火保护装置的灶具", 0.0, "restaurant rental food"),
        _t("气瓶充装、配送台账不全，无法追溯", "建立气瓶充装、配送、回收台账，做到一瓶一码可追溯", 0.0, "gas_supply"),
        _t("送气人员未持证上岗", "送气人员须经培训取得上岗证", 0.01, "gas_supply"),
        _t("{loc}使用非防爆电器", "储瓶间更换为防爆电器", 0.03, "gas_supply"),
        _t("{loc}实瓶与空瓶未分区存放", "划分实瓶区、空瓶区并设置标识", 0.0, "gas_supply"),
        _t("{loc}燃气管道被违章占压", "拆除占压物，恢复管道安全间距", 0.12, "market public factory"),
    ],
    C.CONSTRUCTION: [
        _t("{loc}脚手架未设置防护网", "立即按规范挂设密目式安全立网", 0.03),
        _t("{loc}高处作业人员未系安全带", "停止作业，教育作业人员正确系挂安全带", 0.02),
        _t("{loc}临边洞口未设置防护栏杆", "设置1.2米防护栏杆和挡脚板，洞口加盖板", 0.03),
        _t("{loc}临时用电未按“三级配电、两级保护”设置", "按规范设置配电箱和漏电保护器", 0.02),
        _t("塔吊司机和信号工无证上岗", "更换持证人员，核查特种作业人员资格", 0.1),
        _t("基坑周边堆土过近，未设置排水沟", "清运堆土，基坑边1米内不得堆载，设置截排水沟", 0.12),
        _t("{loc}{n}名施工人员未佩戴安全帽", "加强进场教育，督促作业人员正确佩戴安全帽"),
        _t("施工升降机防坠安全器超期未检测", "停止使用，委托检测合格后方可使用", 0.1),
        _t("{loc}高支模支撑体系未按专项方案搭设", "停止浇筑，按专项方案整改并组织验收", 0.3),
        _t("工人宿舍私拉电线，使用大功率电器", "拆除私拉电线，宿舍统一配置限流插座"),
        _t("{loc}动火作业未办理审批，无人监护", "办理动火审批，配备灭火器材和监护人员", 0.02),
        _t("{loc}钢筋加工机械未设防护罩", "加装防护罩，机械操作人员持证上岗"),
    ],
    C.TRAFFIC: [
        _t("厂区出入口未设置减速带和警示标志", "设置减速带、凸面镜和限速标志", 0.0, "factory logistics station"),
        _t("接送学生车辆超员", "立即停止超员运营，核定载客人数", 0.2, "school"),
        _t("校门口路段交通标志标线缺失", "协调交警部门补设标志标线和减速带", 0.0, "school"),
        _t("货车超载运输", "卸载至核定载质量，建立车辆出场检查制度", 0.05, "factory logistics site"),
        _t("施工车辆未冲洗，带泥上路", "完善洗车槽，车辆冲洗后方可出场", 0.0, "site"),
        _t("{loc}道路施工未设置警示标志和围蔽", "设置围蔽和夜间警示灯", 0.02, "site"),
        _t("危险货物运输车辆未按规定停放", "设置专用停车位，车辆停放远离人员密集区", 0.08, "station"),
        _t("停车场未设置人车分流通道", "施划人行通道，设置限速和引导标志", 0.0, "public tourism market"),
        _t("村道急弯处缺少警示标志和凸面镜", "增设警示标志和凸面镜", 0.0),
        _t("门前电动自行车违规加装遮阳棚", "拆除违规加装的遮阳棚", 0.0, "rental market restaurant"),
        _t("客运车辆未配备安全锤", "按规定配齐安全锤和灭火器", 0.02, "bus"),
        _t("{loc}叉车在人员通道行驶，未设置限速标志", "划分叉车通道，设置限速标志", 0.0, "factory logistics market"),
    ],
    C.CHEMICAL: [
        _t("危险化学品仓库未使用防爆灯具", "更换防爆型灯具和开关", 0.05, "chemical factory"),
        _t(
            "{loc}化学品未分类分区存放，禁忌物混放",
            "按化学品性质分区分类储存，设置隔离",
            0.2,
            "chemical factory workshop",
        ),
        _t("未建立危险化学品出入库台账", "建立出入库登记台账，专人管理", 0.0, "chemical factory"),
        _t("{loc}化学品安全技术说明书（MSDS）缺失", "索取并张贴MSDS，培训作业人员", 0.0, "chemical factory"),
        _t("{loc}喷漆作业场所通风设施不足", "安装机械通风设施，作业人员佩戴防毒口罩", 0.03, "paint"),
        _t("{loc}油漆、天那水等易燃液体超量存放", "清理超量易燃液体，存放不超过一昼夜用量", 0.06, "factory workshop"),
        _t("储罐区防火堤破损", "修复防火堤，确保有效容积", 0.1, "chemical petrol"),
        _t("{loc}静电接地装置失效", "修复静电接地装置并检测合格", 0.05, "station"),
        _t("卸油作业时未连接静电接地线", "严格执行卸油操作规程，专人监护", 0.05, "petrol"),
        _t("废弃化学品及包装物随意堆放", "交有资质单位处置，建立处置台账", 0.02, "chemical factory workshop"),
        _t("{loc}化学品容器无标签", "补贴安全标签，注明品名和危险特性", 0.0, "chemical factory workshop"),
        _t("加油机油气回收装置故障", "停用故障加油机，维修并检测合格", 0.03, "petrol"),
    ],
    C.ILLEGAL_CONSTRUCTION: [
        _t("天面违规搭建铁皮房", "限期拆除违规搭建，恢复原状", 0.05),
        _t("{loc}利用彩钢夹芯板违规搭建临时建筑", "限期拆除，不得用于住人或仓储", 0.1),
        _t("厂房之间违规搭建雨棚，占用防火间距", "拆除雨棚，恢复防火间距", 0.08, "factory logistics workshop"),
        _t("违规加建一层用于住人", "停止使用，限期拆除", 0.25, "rental workshop"),
        _t("占用消防车通道搭建简易棚", "拆除简易棚，恢复消防车通道", 0.05, "factory market public"),
        _t("门前违规搭建雨棚，占用人行道", "拆除雨棚，恢复人行道", 0.0, "restaurant rental market tourism"),
        _t("鱼塘边违规搭建简易住所", "拆除违建，劝离居住人员", 0.05, "tourism"),
    ],
    C.TOURISM: [
        _t("节假日游客高峰期未落实限流措施", "制定限流方案，设置游客流量监测和疏导人员", 0.06, "tourism"),
        _t("古建筑内违规使用明火（香烛）", "禁止明火，设置专用焚香炉并安排专人看护", 0.03, "scenic"),
        _t("{loc}电线私拉乱接，未穿管保护", "由持证电工整改线路，木结构建筑内线路穿金属管保护", 0.04, "scenic"),
        _t("{loc}护栏松动", "加固或更换护栏", 0.0, "tourism"),
        _t("游船未配备足够救生衣", "按核定载客数配备救生衣", 0.05, "tourism"),
        _t("{loc}应急疏散指示不清", "补设疏散指示和景区导览图", 0.0, "tourism"),
        _t("水塘边未设置“水深危险”警示标志和救生圈", "设置警示标志、护栏和救生圈", 0.0, "tourism"),
        _t("古建筑消防水池水位不足", "补充水源，定期检查消防水池水位", 0.02, "scenic"),
        _t("讲解员和保安未接受安全培训", "组织安全和应急疏散培训", 0.0, "scenic"),
        _t("游乐设施未张贴安全须知，无专人看管", "张贴安全须知，安排专人看管", 0.0, "farm"),
    ],
    C.OTHER: [
        _t("{loc}机械设备传动部位防护罩缺失", "加装防护罩，开展设备安全检查", 0.01, "factory workshop"),
        _t("叉车司机无证驾驶", "停止无证人员驾驶，安排持证上岗", 0.05, "factory logistics market"),
        _t("有限空间作业未审批，未配备气体检测仪", "落实有限空间作业审批，配备检测仪和防护用品", 0.3, "factory food"),
        _t("{loc}粉尘清扫记录缺失，除尘系统未定期清理", "每班清扫粉尘并记录，定期清理除尘系统", 0.15, "dust"),
        _t("未建立全员安全生产责任制", "建立健全全员安全生产责任制并公示", 0.0),
        _t("安全生产教育培训记录不全", "补齐培训，建立培训档案", 0.0),
        _t("{loc}压力容器超期未检验", "停止使用，委托特种设备检验机构检验", 0.08, "factory food"),
        _t("{loc}冲床未安装光电保护装置", "加装光电保护装置或双手操作按钮", 0.05, "press"),
        _t("{loc}员工未佩戴劳动防护用品", "配发并督促佩戴防护用品", 0.0, "factory workshop site logistics"),
        _t("未制定生产安全事故应急预案，未组织演练", "制定应急预案并每年组织演练", 0.0),
        _t("{loc}电梯超期未年检", "停止使用，报检合格后方可使用", 0.05, "public"),
    ],
}

LOCATIONS = {
    "factory": [
        "一楼车间",
        "二楼车间",
        "三楼车间",
        "成品仓库",
        "原料仓库",
        "员工宿舍",
        "配电房",
        "厂区通道",
        "包装车间",
    ],
    "workshop": ["作坊内", "二楼加工区", "门口", "阁楼", "楼梯间", "后院"],
    "restaurant": ["厨房", "后厨", "大堂", "二楼包间", "后门通道", "储物间"],
    "rental": ["一楼楼梯间", "二楼走廊", "三楼走廊", "天面", "首层架空层", "楼道"],
    "public": ["一楼大厅", "二楼", "三楼", "地下车库", "后勤通道", "仓储区", "员工餐厅"],
    "petrol": ["卸油区", "加油区", "站房", "便利店", "罐区", "配电房"],
    "gas_supply": ["储瓶间", "营业厅", "送气车辆停放区", "值班室", "配电房"],
    "chemical": ["甲类仓库", "乙类仓库", "装卸区", "值班室", "配电房"],
    "site": [
        "1#楼",
        "2#楼",
        "3#楼",
        "基坑东侧",
        "钢筋加工区",
        "工人生活区",
        "塔吊作业区",
        "施工升降机口",
        "临时配电房",
    ],
    "scenic": ["古建筑群", "谢氏大宗祠", "百岁翁祠", "游客服务中心", "游览步道", "荷塘边", "停车场", "古村巷道"],
    "farm": ["餐厅", "厨房", "鱼塘边", "游乐区", "停车场", "客房"],
    "logistics": ["一号仓", "二号仓", "装卸平台", "分拣区", "办公楼"],
}
LOCATION_ORDER = [
    "site",
    "petrol",
    "gas_supply",
    "chemical",
    "scenic",
    "farm",
    "restaurant",
    "rental",
    "workshop",
    "logistics",
    "factory",
    "public",
]


def _location_pool(site_type: SiteType) -> list[str]:
    for tag in LOCATION_ORDER:
        if tag in site_type.tags:
            return LOCATIONS[tag]
    return LOCATIONS["public"]


# ---------------------------------------------------------------------------------------------
# the history
# ---------------------------------------------------------------------------------------------

# (first month, first day, last month, last day, name): special campaigns of the year
CAMPAIGNS = [
    (1, 10, 2, 10, "春节前后安全生产大检查"),
    (3, 1, 3, 31, "燃气安全专项整治"),
    (6, 1, 6, 30, "“安全生产月”专项检查"),
    (9, 20, 10, 7, "国庆节前安全生产检查"),
    (11, 1, 11, 30, "“119”消防宣传月消防安全检查"),
]
VISITS_A_YEAR = {1: 2.0, 2: 3.0, 3: 5.0, 4: 9.0}
FINDINGS_PER_VISIT = {1: 1.4, 2: 2.0, 3: 2.6, 4: 3.0}
ROLE_LABELS = {"village_safety_office": "村安全办", "grid_worker": "网格员", "enterprise_safety_manager": "企业安全员"}
JOINT_PARTNERS = [
    "镇消防救援大队",
    "市场监督管理分局",
    "综合行政执法办",
    "交警中队",
    "规划建设办",
    "文化广电旅游体育办",
]

FIX_NOTES = [
    "已按要求完成整改，附整改后照片。",
    "已整改完毕，并落实专人每日检查。",
    "已组织整改，并对员工进行了安全教育。",
]
PASS_NOTES = ["复查合格，同意销号。", "现场核查已整改到位。", "已整改，复查通过。", ""]
FAIL_NOTES = [
    "现场复查仍未整改到位，请按要求重新整改。",
    "整改照片与现场不符，需重新整改。",
    "仅部分整改，仍存在隐患。",
]
REOPEN_NOTES = [
    "回头看复查发现隐患反弹，重新整改。",
    "复查发现整改不彻底，隐患仍然存在。",
    "群众再次反映，现场核实隐患复现。",
]
MAJOR_CLOSE_NOTE = "经复核，重大隐患已整改到位，予以销号。"


@dataclass
class Visit:
    site: SitePlan
    kind: str
    started_at: dt.datetime
    ended_at: dt.datetime
    leader_id: int
    team_id: int | None
    participants: str
    notes: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy: int | None = None
    index: int = 0
    obj: Inspection | None = None


@dataclass
class Event:
    action: str
    from_status: str
    to_status: str
    by_id: int
    at: dt.datetime
    note: str = ""
    deadline: dt.date | None = None


@dataclass
class Plan:
    visit: Visit
    category: str
    grade: str
    location: str
    description: str
    measures: str
    village: str  # the responsible village, or ""
    unit: str  # the responsible unit, or ""
    contact: str
    phone: str
    deadline: dt.date
    found_on: dt.date
    major_chance: float = 0.0
    events: list[Event] = field(default_factory=list)
    number: str = ""
    forced: bool = False

    @property
    def measures_text(self) -> str:
        days = (self.current_deadline - self.found_on).days
        if days <= 0:
            return f"{self.measures}；已责令现场立即整改。"
        return f"{self.measures}；限{days}日内整改完毕。"

    @property
    def status(self) -> str:
        return self.events[-1].to_status

    @property
    def current_deadline(self) -> dt.date:
        return next(event.deadline for event in reversed(self.events) if event.deadline is not None)


class People:
    """The accounts that act in the history, found in the database."""

    def __init__(self) -> None:
        User = get_user_model()
        admin = User.objects.filter(username="admin", is_active=True, role="town_admin").first()
        admin = admin or User.objects.filter(is_active=True).filter(Q(role="town_admin") | Q(is_superuser=True)).first()
        if admin is None:
            raise RuntimeError("the accounts demo data must be loaded first: no active town administrator")
        self.admin_id = admin.pk
        offices = User.objects.filter(is_active=True).order_by("username")
        self.village_office = {}
        for user in offices.filter(role="village_office", village__isnull=False).select_related("village"):
            self.village_office.setdefault(user.village.name, user.pk)
        self.unit_office = {}
        for user in offices.filter(role="unit_office", unit__isnull=False).select_related("unit"):
            self.unit_office.setdefault(user.unit.name, user.pk)

        teams = {team.name: team for team in PatrolTeam.objects.filter(is_active=True).select_related("zone")}
        members: dict[int, list[str]] = {}
        for team in teams.values():
            members[team.pk] = [f"{ROLE_LABELS.get(m.role, '')}{m.name}" for m in team.members.order_by("role", "name")]
        self.team_of = {}  # village name -> (team id, leader id, other officer id, section head id, members)
        for zone_name, village_names, _officers in ZONES:
            zone_teams = [teams.get(f"{zone_name}巡查{CN_NUMBERS[n]}队") for n in range(2)]
            zone_teams = [team for team in zone_teams if team is not None]
            officers = list(
                User.objects.filter(zones__name=zone_name, is_active=True, role="safety_officer")
                .order_by("username")
                .values_list("pk", flat=True)
            )
            if not officers:
                raise RuntimeError(f"the inspections demo data must be loaded first: {zone_name} has no officer")
            section_head = (
                User.objects.filter(headed_sections__zone__name=zone_name, is_active=True)
                .values_list("pk", flat=True)
                .first()
            )
            half = (len(village_names) + 1) // 2
            for position, village_name in enumerate(village_names):
                team = zone_teams[min(position // half, len(zone_teams) - 1)] if zone_teams else None
                leader = team.leader_id if team else officers[0]
                other = next((pk for pk in officers if pk != leader), leader)
                self.team_of[village_name] = (
                    team.pk if team else None,
                    leader,
                    other,
                    section_head or leader,
                    members.get(team.pk, []) if team else [],
                )

    def fixer(self, plan: Plan) -> int:
        if plan.unit:
            return self.unit_office.get(plan.unit, self.admin_id)
        return self.village_office.get(plan.village, self.admin_id)

    def officer(self, plan: Plan, rng: random.Random) -> int:
        _team, leader, other, _head, _members = self.team_of[plan.visit.site.village]
        return leader if rng.random() < 0.8 else other


class History:
    """Draws the visits and the findings, with their lives up to now."""

    def __init__(self, rng: random.Random, sites: list[SitePlan], people: People, units: dict[str, Unit]) -> None:
        self.rng = rng
        self.sites = sites
        self.people = people
        self.units = units
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.first = self.today - dt.timedelta(days=YEARS * 365)
        self.total_days = YEARS * 365
        self.visits: list[Visit] = []
        self.plans: list[Plan] = []

    # --- time ---------------------------------------------------------------------------------

    def at(self, day: dt.date, minute: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=self.tz) + dt.timedelta(minutes=minute)

    def office_hours(self, day: dt.date, after: dt.datetime | None = None) -> dt.datetime:
        """A moment in office hours on ``day``, later than ``after``; or shortly after ``after``."""
        moment = self.at(day, self.rng.randint(8 * 60 + 30, 17 * 60 + 30))
        if after is not None and moment <= after + dt.timedelta(minutes=10):
            moment = after + dt.timedelta(minutes=self.rng.randint(20, 180))
        return moment

    def day(self, index: int) -> dt.date:
        return self.first + dt.timedelta(days=index)

    # --- visits -------------------------------------------------------------------------------

    def campaign(self, day: dt.date) -> str | None:
        for m1, d1, m2, d2, name in CAMPAIGNS:
            if (m1, d1) <= (day.month, day.day) <= (m2, d2):
                return name
        return None

    def draw_visits(self) -> None:
        rng = self.rng
        last = self.total_days - 1  # up to yesterday
        for site in self.sites:
            first_day = site.first_day
            last_day = min(site.last_day if site.last_day is not None else last, last)
            years = (last_day - first_day + 1) / 365
            count = max(1, round(VISITS_A_YEAR[site.risk] * site.type.visits * years * rng.uniform(0.75, 1.25)))
            days = []
            for _ in range(count):
                index = rng.randint(first_day, last_day)
                if self.day(index).weekday() >= 5 and rng.random() < 0.8:
                    index = max(first_day, min(last_day, index + rng.choice([-2, -1, 1, 2])))
                days.append(index)
            previous_with_findings: dt.date | None = None
            for index in sorted(days):
                visit = self.draw_visit(site, self.day(index), previous_with_findings)
                count = self.finding_count(site, visit, index)
                for _ in range(count):
                    self.draw_finding(visit)
                previous_with_findings = visit.started_at.date() if count else None
                self.visits.append(visit)
        # the last three weeks in the villages of the demo logins, so that their home pages have news
        for village in DEMO_VILLAGES:
            active = [
                site
                for site in self.sites
                if site.village == village and site.first_day <= last and (site.last_day or last) >= last
            ]
            for days_ago, site in zip((2, 6, 11, 17), rng.sample(active, 4), strict=True):
                visit = self.draw_visit(site, self.day(self.total_days - days_ago), None)
                for _ in range(rng.randint(2, 4)):
                    self.draw_finding(visit)
                self.visits.append(visit)

    def draw_visit(self, site: SitePlan, day: dt.date, followed: dt.date | None) -> Visit:
        rng = self.rng
        team_id, leader, other, head, members = self.people.team_of[site.village]
        campaign = self.campaign(day)
        roll = rng.random()
        if followed is not None and (day - followed).days <= 90 and rng.random() < 0.15:
            kind = K.FOLLOW_UP
        elif campaign and rng.random() < 0.4:
            kind = K.CAMPAIGN
        elif roll < site.type.night:
            kind = K.NIGHT
        elif roll < site.type.night + 0.15:
            kind = K.SURPRISE
        elif roll < site.type.night + 0.22:
            kind = K.JOINT
        else:
            kind = K.ROUTINE
        if kind == K.NIGHT:
            start = self.at(day, rng.randint(20 * 60, 23 * 60 + 30))
            length = rng.randint(20, 50)
        else:
            start = self.at(day, rng.choice([rng.randint(8 * 60 + 30, 11 * 60 + 30), rng.randint(14 * 60, 17 * 60)]))
            length = rng.randint(30, 120)
        led_by, team = (leader, team_id) if rng.random() < 0.82 else (other, None)
        if kind == K.CAMPAIGN and rng.random() < 0.3:
            led_by, team = head, team_id
        chosen = rng.sample(members, k=min(len(members), rng.randint(1, 3))) if team and members else []
        notes = ""
        match kind:
            case K.NIGHT:
                notes = rng.choice(
                    [
                        "夜查：重点检查电动车停放充电和住人情况。",
                        "夜间突击检查“三小”场所和出租屋。",
                        "夜查：检查值班值守和消防设施运行情况。",
                    ]
                )
            case K.SURPRISE:
                notes = "“四不两直”突击检查：不发通知、不打招呼、不听汇报、不用陪同接待，直奔基层、直插现场。"
            case K.JOINT:
                partner = rng.choice(JOINT_PARTNERS)
                chosen = [partner, *chosen]
                notes = f"联合{partner}开展检查。"
            case K.CAMPAIGN:
                notes = f"{campaign or '专项整治'}。"
            case K.FOLLOW_UP:
                notes = f"回头看：复查{followed:%Y年%m月%d日}检查发现隐患的整改情况。"
            case _:
                notes = rng.choice(["", "", "日常巡查，检查消防设施和用电安全。", "按网格巡查计划开展日常检查。"])
        visit = Visit(
            site=site,
            kind=kind,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=length),
            leader_id=led_by,
            team_id=team,
            participants="、".join(chosen)[:200],
            notes=notes,
        )
        # the portal's phones record where the inspection was; older visits came from paper ledgers
        if (self.today - day).days < 2 * 365 and rng.random() < 0.75:
            visit.latitude = Decimal(f"{site.lat + rng.uniform(-0.0004, 0.0004):.6f}")
            visit.longitude = Decimal(f"{site.lon + rng.uniform(-0.0004, 0.0004):.6f}")
            visit.accuracy = rng.randint(5, 60 if kind == K.NIGHT else 30)
        return visit

    def finding_count(self, site: SitePlan, visit: Visit, day_index: int) -> int:
        # fewer hazards as the years go by; a follow-up visit finds fewer
        trend = 1.2 - 0.4 * day_index / self.total_days
        rate = FINDINGS_PER_VISIT[site.risk] * site.type.rate * trend
        if visit.kind == K.FOLLOW_UP:
            rate *= 0.4
        elif visit.kind == K.NIGHT:
            rate *= 1.1
        threshold, count, product = math.exp(-rate), 0, self.rng.random()
        while product > threshold and count < 7:  # Poisson
            count += 1
            product *= self.rng.random()
        return count

    # --- findings -----------------------------------------------------------------------------

    def draw_finding(self, visit: Visit) -> None:
        rng = self.rng
        site = visit.site
        tags = site.type.tags
        categories, cumulative = CATEGORY_WEIGHTS[site.type.key]
        taken = {plan.description for plan in self.plans[-8:] if plan.visit is visit}
        for _attempt in range(8):
            category = rng.choices(categories, cum_weights=cumulative)[0]
            fitting = [h for h in HAZARDS[category] if h[3] is None or h[3] & tags]
            if not fitting:
                continue
            text, measures, major, _tags = rng.choice(fitting)
            location = rng.choice(_location_pool(site.type))
            description = text.format(loc=location, n=rng.randint(2, 5))
            if description not in taken:
                break
        else:
            return
        grade = Finding.Grade.MAJOR if rng.random() < major + 0.004 else Finding.Grade.GENERAL
        found_on = timezone.localdate(visit.started_at)
        if grade == Finding.Grade.MAJOR:
            days = rng.randint(20, 90)
        else:
            days = rng.choices(DEADLINE_DAYS, cum_weights=DEADLINE_WEIGHTS)[0]
        deadline = found_on + dt.timedelta(days=days)

        unit = ""
        if site.unit and rng.random() < 0.8:
            unit = site.unit
        elif category == C.GAS and rng.random() < 0.25:
            unit = DEMO_UNIT_NAME
        elif category == C.TRAFFIC and "site" not in tags and rng.random() < 0.3:
            unit = UNIT_BUS if "bus" in tags else UNIT_TRAFFIC_POLICE
        if unit and unit not in self.units:
            unit = ""
        if unit:
            head = self.units[unit]
            contact, phone = head.head, head.phone
        else:
            contact, phone = site.contact_name, site.contact_phone
        plan = Plan(
            visit=visit,
            category=category,
            grade=grade,
            location=location if "{loc}" in text else "",
            description=description,
            measures=measures,
            village="" if unit else site.village,
            unit=unit,
            contact=contact,
            phone=phone,
            deadline=deadline,
            found_on=found_on,
            major_chance=major,
        )
        self.live(plan)
        self.plans.append(plan)

    def live(self, plan: Plan) -> None:
        """The finding's life as it would go, cut off at the present moment."""
        rng, people = self.rng, self.people
        visit = plan.visit
        events = [Event(A.CREATED, "", S.OPEN, visit.leader_id, visit.started_at, deadline=plan.deadline)]
        moment, deadline, found = visit.started_at, plan.deadline, plan.found_on
        reopened = False
        while True:
            # the fix: mostly in time, sometimes late, now and then very late
            roll = rng.random()
            if roll < 0.83:  # in time, mostly towards the deadline
                span = max(0, (deadline - found).days)
                fix_day = max(found + dt.timedelta(days=round(span * rng.triangular(0.2, 1.0, 0.95))), moment.date())
            elif roll < 0.97:
                fix_day = max(deadline, moment.date()) + dt.timedelta(days=rng.randint(1, 20))
            else:
                fix_day = max(deadline, moment.date()) + dt.timedelta(days=rng.randint(21, 150))
            fix_at = self.office_hours(fix_day, after=moment)
            events.append(
                Event(A.FIX_SUBMITTED, S.OPEN, S.FIX_SUBMITTED, people.fixer(plan), fix_at, rng.choice(FIX_NOTES))
            )
            officer = people.officer(plan, rng)
            check_at = self.office_hours(fix_at.date() + dt.timedelta(days=rng.randint(1, 9)), after=fix_at)
            if rng.random() < 0.06:
                deadline = check_at.date() + dt.timedelta(days=rng.randint(5, 10))
                events.append(
                    Event(
                        A.VERIFIED_FAILED, S.FIX_SUBMITTED, S.OPEN, officer, check_at, rng.choice(FAIL_NOTES), deadline
                    )
                )
                moment, found = check_at, check_at.date()
                continue
            events.append(
                Event(A.VERIFIED_PASSED, S.FIX_SUBMITTED, S.VERIFIED, officer, check_at, rng.choice(PASS_NOTES))
            )
            if plan.grade == Finding.Grade.MAJOR:
                close_at = self.office_hours(check_at.date() + dt.timedelta(days=rng.randint(2, 15)), after=check_at)
                events.append(Event(A.CLOSED, S.VERIFIED, S.CLOSED, people.admin_id, close_at, MAJOR_CLOSE_NOTE))
            else:
                close_at = check_at + dt.timedelta(seconds=1)
                events.append(Event(A.CLOSED, S.VERIFIED, S.CLOSED, officer, close_at))
            if reopened or rng.random() >= 0.022:
                break
            # 回头看: the hazard is back
            reopened = True
            reopen_at = self.office_hours(close_at.date() + dt.timedelta(days=rng.randint(15, 120)), after=close_at)
            deadline = reopen_at.date() + dt.timedelta(days=rng.randint(7, 15))
            events.append(
                Event(
                    A.REOPENED,
                    S.CLOSED,
                    S.OPEN,
                    people.officer(plan, rng),
                    reopen_at,
                    rng.choice(REOPEN_NOTES),
                    deadline,
                )
            )
            moment, found = reopen_at, reopen_at.date()
        plan.events = [event for event in events if event.at <= self.now]

    # --- the present day ------------------------------------------------------------------------

    def overdue(self, plan: Plan) -> bool:
        return plan.status != S.CLOSED and plan.current_deadline < self.today

    def due_soon(self, plan: Plan) -> bool:
        return plan.status == S.OPEN and 0 <= (plan.current_deadline - self.today).days <= 2

    def recent(
        self, village: str | None = None, *, days: int = 45, zone: set[str] | None = None, unit: str = ""
    ) -> list[Plan]:
        """Recent general findings, neither overdue nor due soon, that may be reshaped for the present day."""
        since = self.today - dt.timedelta(days=days)
        chosen = [
            plan
            for plan in self.plans
            if since <= plan.found_on < self.today
            and not plan.forced
            and not self.overdue(plan)
            and not self.due_soon(plan)
            and plan.status != S.FIX_SUBMITTED
            and plan.grade == Finding.Grade.GENERAL
            and (village is None or plan.village == village)
            and (zone is None or plan.visit.site.village in zone)
            and (not unit or plan.unit == unit)
        ]
        return sorted(chosen, key=lambda plan: plan.visit.started_at, reverse=True)

    def force_open(self, plan: Plan, deadline: dt.date) -> None:
        created = plan.events[0]
        created.deadline = deadline
        plan.deadline = deadline
        plan.events = [created]
        plan.forced = True

    def force_fix_submitted(self, plan: Plan) -> None:
        created = plan.events[0]
        day = max(plan.found_on, self.today - dt.timedelta(days=self.rng.randint(0, 3)))
        fix_at = min(self.office_hours(day, after=created.at), self.now - dt.timedelta(minutes=5))
        fix_at = max(fix_at, created.at + dt.timedelta(minutes=1))
        plan.events = [
            created,
            Event(A.FIX_SUBMITTED, S.OPEN, S.FIX_SUBMITTED, self.people.fixer(plan), fix_at, FIX_NOTES[0]),
        ]
        plan.forced = True

    def shape_present(self) -> None:
        """Make sure the demo's present day has what the demo logins should see."""
        rng = self.rng
        yesterday = self.today - dt.timedelta(days=1)
        # the village offices of 横江村 and 塘角村: some overdue (red), some due within two days (amber)
        for village in DEMO_VILLAGES:
            mine = [plan for plan in self.plans if plan.village == village and plan.status == S.OPEN]
            candidates = iter(self.recent(village, days=60))
            for _ in range(max(0, 4 - sum(self.overdue(plan) for plan in mine))):
                plan = next(candidates, None)
                if plan is not None:
                    self.force_open(plan, max(plan.found_on, self.today - dt.timedelta(days=rng.randint(1, 6))))
            for _ in range(max(0, 3 - sum(self.due_soon(plan) for plan in mine))):
                plan = next(candidates, None)
                if plan is not None:
                    self.force_open(plan, self.today + dt.timedelta(days=rng.randint(0, 2)))
            for _ in range(2):  # and some with time to spare
                plan = next(candidates, None)
                if plan is not None:
                    self.force_open(plan, self.today + dt.timedelta(days=rng.randint(5, 14)))
        # the officer of 第二片区: fixes waiting for his check
        zone_two = set(ZONES[1][1])
        waiting = [
            plan for plan in self.plans if plan.visit.site.village in zone_two and plan.status == S.FIX_SUBMITTED
        ]
        candidates = iter(self.recent(zone=zone_two, days=30))
        for _ in range(max(0, 6 - len(waiting))):
            plan = next(candidates, None)
            if plan is not None:
                self.force_fix_submitted(plan)
        # the gas company: open findings to fix
        gas = [plan for plan in self.plans if plan.unit == DEMO_UNIT_NAME and plan.status == S.OPEN]
        candidates = iter(self.recent(unit=DEMO_UNIT_NAME, days=60))
        for number in range(max(0, 3 - len(gas))):
            plan = next(candidates, None)
            if plan is not None:
                self.force_open(plan, self.today + dt.timedelta(days=number - 1) if number else yesterday)
        # at least 24 overdue over the town, in 8 villages or more
        villages = sorted({site.village for site in self.sites}, key=lambda name: VILLAGE_ORDER[name])
        pools = {village: iter(self.recent(village, days=90)) for village in villages}
        late = {plan.visit.site.village for plan in self.plans if self.overdue(plan)}
        for village in villages:
            if len(late) >= 8:
                break
            plan = next((p for p in pools[village] if p.found_on < yesterday), None) if village not in late else None
            if plan is not None:
                self.force_open(plan, max(plan.found_on, self.today - dt.timedelta(days=rng.randint(1, 20))))
                late.add(village)
        overdue = sum(self.overdue(plan) for plan in self.plans)
        while overdue < 24 and pools:
            for village in list(pools):
                plan = next(pools[village], None)
                if plan is None:
                    del pools[village]
                    continue
                if plan.found_on < yesterday:
                    self.force_open(plan, max(plan.found_on, self.today - dt.timedelta(days=rng.randint(1, 20))))
                    overdue += 1
                if overdue >= 24:
                    break
        # a few major findings open
        open_major = sum(1 for plan in self.plans if plan.grade == Finding.Grade.MAJOR and plan.status != S.CLOSED)
        serious = [plan for plan in self.recent(days=120) if plan.major_chance >= 0.1]
        for plan in serious[: max(0, 4 - open_major)]:
            plan.grade = Finding.Grade.MAJOR
            self.force_open(plan, max(plan.found_on + dt.timedelta(days=60), yesterday))

    def number(self, start: dict[int, int]) -> dict[int, int]:
        """Number the findings in the order they were found, after what each year's counter holds."""
        used = dict(start)
        order = {id(plan): position for position, plan in enumerate(self.plans)}
        for plan in sorted(self.plans, key=lambda p: (p.visit.started_at, p.visit.site.index, order[id(p)])):
            year = plan.found_on.year
            used[year] = used.get(year, 0) + 1
            plan.number = f"YH{year}-{used[year]:05d}"
        return used


VILLAGE_ORDER = {name: index for index, name in enumerate(GRID_PREFIXES)}
# drawn thousands of times: the cumulative weights are summed once
CATEGORY_WEIGHTS = {key: (list(t.categories), list(accumulate(t.categories.values()))) for key, t in TYPES.items()}
DEADLINE_DAYS, DEADLINE_WEIGHTS = [0, 3, 7, 15, 30], list(accumulate([10, 20, 35, 20, 15]))
DEMO_VILLAGES = ("横江村", "塘角村")  # the villages of the ``village`` and ``village2`` logins


# ---------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _own_timestamps(model, *names):
    """Let ``bulk_create`` keep the historical times we set on auto_now(_add) fields."""
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _write(history: History, sites: dict[int, Site]) -> tuple[list[Finding], dict[int, list[FindingEvent]]]:
    villages = {village.name: village for village in Village.objects.all()}
    visits = sorted(history.visits, key=lambda v: (v.started_at, v.site.index))
    inspections = []
    for index, visit in enumerate(visits):
        visit.index = index
        visit.obj = Inspection(
            kind=visit.kind,
            site_id=sites[visit.site.index].pk,
            team_id=visit.team_id,
            led_by_id=visit.leader_id,
            started_at=visit.started_at,
            ended_at=visit.ended_at,
            latitude=visit.latitude,
            longitude=visit.longitude,
            location_accuracy=visit.accuracy,
            participants=visit.participants,
            notes=visit.notes,
            client_token=demo_token(index),
            created_at=min(visit.ended_at, history.now),
        )
        inspections.append(visit.obj)
    with _own_timestamps(Inspection, "created_at"):
        Inspection.objects.bulk_create(inspections, batch_size=BATCH)

    plans = sorted(history.plans, key=lambda p: p.number)
    findings = []
    for plan in plans:
        events = plan.events
        status = plan.status
        site = sites[plan.visit.site.index]
        findings.append(
            Finding(
                number=plan.number,
                inspection_id=plan.visit.obj.pk,
                site_id=site.pk,
                village_id=site.village_id,
                found_on=plan.found_on,
                category=plan.category,
                grade=plan.grade,
                location=plan.location,
                description=plan.description,
                measures=plan.measures_text,
                responsible_village_id=villages[plan.village].pk if plan.village else None,
                responsible_unit_id=history.units[plan.unit].pk if plan.unit else None,
                responsible_contact=plan.contact,
                responsible_phone=plan.phone,
                deadline=plan.current_deadline,
                status=status,
                closed_at=events[-1].at if status == S.CLOSED else None,
                reopen_count=sum(event.action == A.REOPENED for event in events),
                created_by_id=plan.visit.leader_id,
                created_at=events[0].at,
                updated_at=events[-1].at,
            )
        )
    with _own_timestamps(Finding, "created_at", "updated_at"):
        Finding.objects.bulk_create(findings, batch_size=BATCH)

    rows = []
    for plan, finding in zip(plans, findings, strict=True):
        for event in plan.events:
            rows.append(
                FindingEvent(
                    finding_id=finding.pk,
                    action=event.action,
                    from_status=event.from_status,
                    to_status=event.to_status,
                    by_id=event.by_id,
                    at=event.at,
                    note=event.note,
                    deadline=event.deadline,
                )
            )
    FindingEvent.objects.bulk_create(rows, batch_size=BATCH * 2)
    by_finding: dict[int, list[FindingEvent]] = {}
    for row in rows:
        by_finding.setdefault(row.finding_id, []).append(row)
    return findings, by_finding


# ---------------------------------------------------------------------------------------------
# photos
# ---------------------------------------------------------------------------------------------

PALETTES = {
    C.FIRE: ((214, 200, 172), (196, 38, 30)),
    C.GAS: ((196, 204, 210), (226, 120, 24)),
    C.CONSTRUCTION: ((168, 198, 224), (238, 186, 32)),
    C.TRAFFIC: ((96, 98, 104), (245, 245, 240)),
    C.CHEMICAL: ((188, 198, 180), (40, 84, 160)),
    C.ILLEGAL_CONSTRUCTION: ((176, 204, 226), (150, 154, 160)),
    C.TOURISM: ((124, 162, 112), (150, 92, 60)),
    C.OTHER: ((190, 190, 186), (70, 120, 90)),
}


@functools.cache
def _noise(width: int, height: int) -> Image.Image:
    """Grain, so that the pictures look less flat; made once, it is the slow part."""
    return Image.effect_noise((width, height), 24).convert("RGB")


def placeholder_jpeg(rng: random.Random, category: str, *, after: bool) -> bytes:
    """An 800×600 picture of a scene made of simple shapes: cluttered before, tidy after."""
    width, height = 800, 600
    wall, accent = PALETTES.get(category, PALETTES[C.OTHER])
    image = Image.new("RGB", (width, height), wall)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.58, 0.7))
    floor = tuple(max(0, c - 60) for c in wall)
    draw.rectangle((0, horizon, width, height), fill=floor)
    for x in range(0, width, 80):  # floor tiles or road markings
        draw.line((x, horizon, x - 120, height), fill=tuple(max(0, c - 25) for c in floor), width=2)
    # a door or window on the wall
    door_x = rng.randint(40, width - 200)
    draw.rectangle((door_x, horizon - 260, door_x + 140, horizon), fill=(90, 110, 100), outline=(40, 40, 40), width=4)
    draw.rectangle((door_x + 20, horizon - 240, door_x + 120, horizon - 150), fill=(170, 210, 200))
    if category == C.CONSTRUCTION:  # scaffolding
        for x in range(60, width, 90):
            draw.line((x, 40, x, horizon), fill=(120, 120, 120), width=6)
        for y in range(60, horizon, 70):
            draw.line((40, y, width - 40, y), fill=(120, 120, 120), width=5)
    # the accent: extinguishers, cylinders, drums, cones
    for _ in range(1 if after else rng.randint(2, 4)):
        x = rng.randint(60, width - 120)
        top = horizon - rng.randint(80, 180)
        draw.rounded_rectangle((x, top, x + 60, horizon + 30), radius=18, fill=accent, outline=(30, 30, 30), width=3)
        draw.ellipse((x + 18, top - 20, x + 42, top + 4), fill=(40, 40, 40))
    if not after:  # clutter: boxes and a tangle of wires
        for _ in range(rng.randint(5, 9)):
            x, y = rng.randint(0, width - 120), rng.randint(horizon - 40, height - 60)
            w, h = rng.randint(60, 140), rng.randint(40, 100)
            brown = (rng.randint(140, 180), rng.randint(100, 130), rng.randint(60, 80))
            draw.rectangle((x, y - h, x + w, y), fill=brown, outline=(70, 50, 30), width=3)
        points = [(rng.randint(0, width), rng.randint(20, horizon)) for _ in range(6)]
        draw.line(points, fill=(20, 20, 20), width=4)
    else:  # a green tick: fixed
        draw.line(((width - 170, 110), (width - 130, 150), (width - 60, 60)), fill=(30, 150, 60), width=14)
    image = Image.blend(image, _noise(width, height), 0.08)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _add_photos(
    rng: random.Random, findings: list[Finding], events: dict[int, list[FindingEvent]], forced: set[str]
) -> int:
    """Before-photos on the most recent findings (the ones the demo logins see first), after-photos on fixed ones."""
    newest = sorted(findings, key=lambda f: (f.created_at, f.number), reverse=True)
    chosen = [f for f in newest if f.number in forced][: PHOTO_FINDINGS * 2 // 3]
    chosen += [f for f in newest if f.number not in forced][: PHOTO_FINDINGS - len(chosen)]
    saved: list[Photo] = []
    after_photos = 0
    try:
        with _own_timestamps(Photo, "uploaded_at"):
            for finding in sorted(chosen, key=lambda f: f.number):
                timeline = events[finding.pk]
                shots = [(Photo.Kind.BEFORE, timeline[0], False)] * rng.choice([1, 1, 2])
                fixed = next((e for e in timeline if e.action == A.FIX_SUBMITTED), None)
                if fixed is not None and after_photos < 8:
                    shots.append((Photo.Kind.AFTER, fixed, True))
                    after_photos += 1
                for kind, event, after in shots:
                    data = placeholder_jpeg(rng, finding.category, after=after)
                    processed = process_photo(SimpleUploadedFile("demo.jpg", data, content_type="image/jpeg"))
                    photo = Photo(
                        kind=kind,
                        finding=finding,
                        event=event,
                        uploaded_by_id=event.by_id,
                        uploaded_at=event.at,
                        width=processed.width,
                        height=processed.height,
                        size=processed.size,
                    )
                    photo.image.save("photo.jpg", processed.image, save=False)
                    photo.thumbnail.save("thumb.jpg", processed.thumbnail, save=False)
                    saved.append(photo)
                    photo.save()
    except BaseException:
        for photo in saved:  # the transaction rolls back; the files must go too
            photo.image.delete(save=False)
            photo.thumbnail.delete(save=False)
        raise
    return len(saved)


# ---------------------------------------------------------------------------------------------


def _summary(sites: int, tally: Tally, photos: int | None = None) -> str:
    today = timezone.localdate()
    inspections = Inspection.objects.aggregate(total=Count("pk"), night=Count("pk", filter=Q(kind=K.NIGHT)))
    counts = Finding.objects.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~Q(status=S.CLOSED)),
        overdue=Count("pk", filter=~Q(status=S.CLOSED) & Q(deadline__lt=today)),
        major=Count("pk", filter=Q(grade=Finding.Grade.MAJOR)),
        major_open=Count("pk", filter=Q(grade=Finding.Grade.MAJOR) & ~Q(status=S.CLOSED)),
        reopened=Count("pk", filter=Q(reopen_count__gt=0)),
    )
    if photos is None:
        photos = Photo.objects.filter(finding__isnull=False).count()
    return (
        f"{sites} sites ({tally}), {inspections['total']:,} inspections ({inspections['night']:,} at night), "
        f"{counts['total']:,} findings ({counts['open']} open, {counts['overdue']} overdue, {counts['major']} major "
        f"of which {counts['major_open']} open, {counts['reopened']} reopened), {photos} photos"
    )


def load(stdout=None) -> None:
    started = time.monotonic()
    plans, rng = site_plans()
    sites, tally = load_sites(plans)
    if Inspection.objects.filter(client_token=demo_token(0)).exists():
        if stdout is not None:
            stdout.write(f"findings: already loaded, nothing added — {_summary(len(plans), tally)}")
        return

    units = {unit.name: unit for unit in Unit.objects.all()}
    history = History(rng, plans, People(), units)
    history.draw_visits()
    history.shape_present()
    counters = {c.year: c for c in Counter.objects.filter(key="finding")}
    start = {year: counter.last_value for year, counter in counters.items()}
    # never reuse a number a real finding holds, even if the counter fell behind
    for plan_year in {plan.found_on.year for plan in history.plans}:
        top = Finding.objects.filter(number__startswith=f"YH{plan_year}-").aggregate(top=Max("number"))["top"]
        if top:
            start[plan_year] = max(start.get(plan_year, 0), int(top.rsplit("-", 1)[1]))
    used = history.number(start)
    findings, events = _write(history, sites)
    for year, last in used.items():
        counter = counters.get(year) or Counter(key="finding", year=year)
        if counter.pk is None or counter.last_value < last:
            counter.last_value = last
            counter.save()
    forced = {plan.number for plan in history.plans if plan.forced}
    photos = _add_photos(rng, findings, events, forced)
    if stdout is not None:
        stdout.write(f"findings: {_summary(len(plans), tally, photos)} in {time.monotonic() - started:.1f} s")
