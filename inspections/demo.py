"""Demo data of the inspections app: the "1+4+4" structure and the "1+N" patrol teams.

The names of the 4 sections and 4 zones, the grids, the officers and the team members are
not public: everything below is invented for demonstration (the zone descriptions say so).
It needs the villages of ``responsibility.demo``, which runs first.
"""

from __future__ import annotations

from simple_history.utils import bulk_create_with_history

from chashan_safety.demo import Tally, demo_user, upsert
from inspections.models import Grid, PatrolTeam, PatrolTeamMember, Section, Zone, ZoneVillage
from responsibility.models import Village

CN_NUMBERS = "一二三四五六七八九十"

# section name, duties, head: (username, full name, phone)
SECTIONS = [
    (
        "综合股",
        "承担镇安委办日常工作：安全生产责任书签订与考核、统计分析、值班值守、宣传教育；指导第一片区。",
        ("section1", "黎淑贞", "13802561837"),
    ),
    (
        "安全生产监督管理股",
        "负责建筑施工、人员密集场所、道路交通等行业领域的综合监管与专项整治；指导第二片区。",
        ("section2", "张伟雄", "13902673418"),
    ),
    (
        "应急救援与防灾减灾股",
        "负责应急预案、\u201c1+4+N\u201d联动处置、三防和防灾减灾、应急演练；指导第三片区。",
        ("section3", "莫俊峰", "13712486059"),
    ),
    (
        "危险化学品与工贸监管股",
        "负责危险化学品、燃气、工贸企业和有限空间、粉尘涉爆等重点领域监管；指导第四片区。",
        ("section4", "钟文涛", "13650947281"),
    ),
]

# zone name, villages (each village in exactly one zone), its 2 full-time safety officers
ZONES = [
    (
        "第一片区",
        ["茶山圩社区", "茶溪社区", "上元村", "茶山村", "下朗村"],
        [("officer1a", "李国华", "13829547162"), ("officer1b", "黄秀英", "13925618340")],
    ),
    (
        "第二片区",
        ["横江村", "卢边村", "寒溪水村", "增埗村", "南社村"],
        [("officer", "陈志强", "13826417395"), ("officer2b", "袁浩然", "13580264719")],
    ),
    (
        "第三片区",
        ["塘角村", "京山村", "博头村", "冲美村"],
        [("officer3a", "卢振宇", "13712839406"), ("officer3b", "何敏仪", "13902745168")],
    ),
    (
        "第四片区",
        ["粟边村", "刘黄村", "孙屋村", "超朗村"],
        [("officer4a", "谢永强", "13823690574"), ("officer4b", "叶志锋", "13631570928")],
    ),
]

# grid code prefix of each village (pinyin initials)
GRID_PREFIXES = {
    "茶山圩社区": "CSX",
    "茶溪社区": "CX",
    "上元村": "SY",
    "茶山村": "CS",
    "下朗村": "XL",
    "横江村": "HJ",
    "卢边村": "LB",
    "寒溪水村": "HXS",
    "增埗村": "ZB",
    "南社村": "NS",
    "塘角村": "TJ",
    "京山村": "JS",
    "博头村": "BT",
    "冲美村": "CM",
    "粟边村": "SB",
    "刘黄村": "LH",
    "孙屋村": "SW",
    "超朗村": "CL",
}

VILLAGE_INDEX = {name: index for index, name in enumerate(GRID_PREFIXES)}

GRID_AREAS = ["村委会及周边居民区", "工业区及厂房", "商业街及农贸市场", "新村住宅及出租屋", "农田、鱼塘及沿河地带"]

SURNAMES = "袁卢谢黎钟刘陈李黄何叶莫张王邓梁罗郭曾麦"
_GIVEN = "伟明秀珍志华丽娟国平嘉欣永康美玲俊杰淑仪锦辉少芳建新慧敏德华晓燕耀光凤英振华碧霞文亮月娥家豪巧玲"
GIVEN_NAMES = [_GIVEN[i : i + 2] for i in range(0, len(_GIVEN), 2)]


def _person(seed: int) -> tuple[str, str]:
    """An invented name and mobile number, the same for the same seed."""
    # 97 is prime to the number of combinations, so seeds below it give distinct names
    combination = (seed * 97 + 13) % (len(SURNAMES) * len(GIVEN_NAMES))
    surname, given = divmod(combination, len(GIVEN_NAMES))
    name = SURNAMES[surname] + GIVEN_NAMES[given]
    phone = f"13{[5, 6, 7, 8, 9][seed % 5]}{(seed * 48271 + 20260101) % 10**8:08d}"
    return name, phone


def _grid_count(village_index: int) -> int:
    return 3 + village_index % 3  # 3, 4 or 5 grids


def _load_grids(villages: list[Village]) -> Tally:
    tally = Tally()
    existing = {(grid.village_id, grid.code): grid for grid in Grid.objects.all()}
    missing = []
    for village in villages:
        index = VILLAGE_INDEX[village.name]
        for number in range(1, _grid_count(index) + 1):
            code = f"{GRID_PREFIXES[village.name]}-{number:02d}"
            worker, phone = _person(index * 10 + number)
            values = {
                "name": f"第{CN_NUMBERS[number - 1]}网格",
                "worker_name": worker,
                "worker_phone": phone,
                "description": f"{village.name}{GRID_AREAS[number - 1]}",
            }
            grid = existing.get((village.pk, code))
            if grid is None:
                missing.append(Grid(village=village, code=code, **values))
                continue
            changed = [name for name, value in values.items() if getattr(grid, name) != value]
            if changed:
                for name in changed:
                    setattr(grid, name, values[name])
                grid.save(update_fields=changed)
                tally.updated += 1
    if missing:
        bulk_create_with_history(missing, Grid)
        tally.created += len(missing)
    return tally


def load(stdout=None) -> None:
    villages = {village.name: village for village in Village.objects.filter(name__in=GRID_PREFIXES)}
    absent = set(GRID_PREFIXES) - set(villages)
    if absent:
        raise RuntimeError(f"the responsibility demo data must be loaded first; missing villages: {sorted(absent)}")

    tally = Tally()

    sections = []
    for order, (name, duties, (username, full_name, phone)) in enumerate(SECTIONS, start=1):
        head = demo_user(
            username,
            tally,
            role="safety_officer",
            full_name=full_name,
            title=f"{name}股长",
            phone=phone,
            email=f"{username}@chashan.example",
            is_staff=False,
            is_active=True,
        )
        head.zones.clear()  # a section head guides a zone through the section, not as its officer
        section, outcome = upsert(Section, {"name": name}, {"head": head, "duties": duties, "order": order})
        tally.add(outcome)
        sections.append(section)

    officer_count = team_count = member_count = 0
    ordered_villages = []
    for order, ((zone_name, village_names, officers), section) in enumerate(zip(ZONES, sections, strict=True), 1):
        zone, outcome = upsert(
            Zone,
            {"name": zone_name},
            {
                "section": section,
                "order": order,
                "description": f"演示数据（片区划分未公开，为虚构）：由{section.name}指导，"
                f"覆盖{'、'.join(village_names)}，由专职安全员分格巡查。",
            },
        )
        tally.add(outcome)
        for village_name in village_names:
            _, outcome = upsert(ZoneVillage, {"village": villages[village_name]}, {"zone": zone})
            tally.add(outcome)
            ordered_villages.append(villages[village_name])

        leaders = []
        for username, full_name, phone in officers:
            officer = demo_user(
                username,
                tally,
                role="safety_officer",
                full_name=full_name,
                title=f"专职安全员（{zone_name}）",
                phone=phone,
                email=f"{username}@chashan.example",
                is_staff=False,
                is_active=True,
            )
            officer.zones.set([zone])
            leaders.append(officer)
            officer_count += 1

        # two 1+N teams per zone, each led by one of its officers and patrolling half of its villages
        half = (len(village_names) + 1) // 2
        for team_number, (leader, team_villages) in enumerate(
            zip(leaders, [village_names[:half], village_names[half:]], strict=True), 1
        ):
            team, outcome = upsert(
                PatrolTeam,
                {"name": f"{zone_name}巡查{CN_NUMBERS[team_number - 1]}队"},
                {
                    "zone": zone,
                    "leader": leader,
                    "is_active": True,
                    "notes": f"演示数据：“1+N”巡查队，负责{'、'.join(team_villages)}的分格巡查和夜查。",
                },
            )
            tally.add(outcome)
            team_count += 1
            seed = 200 + order * 20 + team_number * 10
            members = [(PatrolTeamMember.Role.VILLAGE_SAFETY_OFFICE, team_villages[0], *_person(seed))]
            for village_name in team_villages[:2]:
                # the grid worker of the village's first grid
                seed_of_grid = VILLAGE_INDEX[village_name] * 10 + 1
                members.append((PatrolTeamMember.Role.GRID_WORKER, village_name, *_person(seed_of_grid)))
            members.append((PatrolTeamMember.Role.ENTERPRISE_SAFETY_MANAGER, team_villages[-1], *_person(seed + 1)))
            for role, village_name, name, phone in members:
                _, outcome = upsert(
                    PatrolTeamMember,
                    {"team": team, "name": name, "role": role},
                    {"phone": phone, "village": villages[village_name]},
                )
                tally.add(outcome)
                member_count += 1

    grids = _load_grids(ordered_villages)
    tally.created += grids.created
    tally.updated += grids.updated
    if stdout is not None:
        stdout.write(
            f"inspections: {len(SECTIONS)} sections, {len(ZONES)} zones ({len(ordered_villages)} villages), "
            f"{sum(_grid_count(i) for i in VILLAGE_INDEX.values())} grids, "
            f"{officer_count} zone officers + {len(SECTIONS)} section heads, "
            f"{team_count} teams with {member_count} members ({tally})"
        )
