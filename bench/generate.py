"""Load a city-sized findings ledger into the benchmark database: ``python -m bench.generate``.

1,000,000 findings over 10 years across the 18 villages and 2,000 sites, with the ~300,000
inspections they were found on. The town's structure (villages, zones, units, officers) is made
with the ORM; sites, inspections and findings with ``INSERT … SELECT generate_series``, with the
ledger's secondary indexes dropped during the load and rebuilt after it, and foreign-key triggers
off (the rows are consistent by construction). A database that already holds the data is reused;
``--force`` loads it again.

The database is ``BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/chashan_bench),
created and migrated when missing. It is never the portal's own database.
"""

from __future__ import annotations

import argparse
import time

from bench.common import migrate, setup_django

FINDINGS = 1_000_000
INSPECTIONS = 300_000
SITES = 2_000
YEARS = 10
#: the word the text-search benchmark looks for; only the rare hazard below contains it
RARE_WORD = "氨气泄漏"
RARE_SHARE = 0.001

HAZARDS = [
    "消防通道堵塞",
    "灭火器压力不足",
    "应急照明灯损坏",
    "电线私拉乱接",
    "疏散指示标志缺失",
    "液化气瓶未固定",
    "燃气软管老化",
    "安全出口上锁",
    "动火作业未审批",
    "化学品混存混放",
    "脚手架未设防护网",
    "高处作业未系安全带",
    "电动自行车室内充电",
    "配电箱未上锁",
    "消火栓被遮挡",
    "常闭式防火门常开",
    "货物堆放超高",
    "油烟管道未清洗",
    "特种作业人员无证上岗",
    "临时用电不规范",
    "员工宿舍与仓库未分隔",
    "砂轮机防护罩缺失",
    "粉尘清扫记录缺失",
    "有限空间无警示标识",
    "叉车司机无证驾驶",
    "防护栏杆缺失",
    "机械传动部位无防护",
    "危化品仓库通风不良",
    "消防水池缺水",
    "安全培训记录缺失",
]
LOCATIONS = ["一楼仓库", "二楼车间", "厨房", "配电房", "楼梯间", "员工宿舍", "办公区", "门口通道", "天台", "地下室"]
SUFFIXES = ["，已责令立即整改", "，现场督促整改", "，需限期整改", "", "，下发整改通知书"]
MEASURES = ["立即清理，保持畅通", "更换合格器材", "按规范重新敷设线路", "加强日常巡查", "完善制度并培训员工"]
SITE_KINDS = [
    "五金厂",
    "塑料制品厂",
    "印刷厂",
    "家具厂",
    "电子厂",
    "餐馆",
    "出租屋",
    "加油站",
    "液化气供应站",
    "物流仓库",
    "幼儿园",
    "酒店",
    "商场",
    "建筑工地",
    "纸品厂",
    "制衣厂",
    "模具厂",
    "食品厂",
    "农家乐",
    "汽修厂",
]
CATEGORIES = [
    "fire",
    "fire",
    "fire",
    "chemical",
    "gas",
    "traffic",
    "construction",
    "tourism",
    "illegal_construction",
    "other",
]
UNIT_NAMES = [
    "应急管理分局",
    "经济发展局",
    "综合行政执法办",
    "公共服务办",
    "自然资源分局",
    "生态环境分局",
    "规划建设办",
    "市场监督管理分局",
    "公安分局",
    "消防救援大队",
    "交警中队",
    "教育管理中心",
    "卫生健康办",
    "文化广电旅游体育办",
    "党政综合办",
    "财政分局",
    "供电所",
    "燃气公司",
]


def _array(values: list[str]) -> str:
    """A PostgreSQL text array literal of trusted constants."""
    return "ARRAY[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]::text[]"


def _step(message: str, started: float) -> float:
    now = time.perf_counter()
    print(f"  {message} ({now - started:.1f} s)", flush=True)
    return now


def load_structure() -> dict:
    """Villages, zones, units and the accounts the benchmark signs in as; returns their ids."""
    from chashan_safety.models import Role, User
    from inspections.demo import ZONES
    from inspections.models import Section, Zone, ZoneVillage
    from responsibility.models import Unit, Village

    officers = []
    order = 0
    for index, (zone_name, village_names, people) in enumerate(ZONES, start=1):
        section, _ = Section.objects.get_or_create(name=f"第{index}股（基准测试）", defaults={"order": index})
        zone, _ = Zone.objects.get_or_create(name=zone_name, defaults={"section": section, "order": index})
        for village_name in village_names:
            order += 1
            kind = Village.Kind.COMMUNITY if village_name.endswith("社区") else Village.Kind.VILLAGE
            village, _ = Village.objects.get_or_create(name=village_name, defaults={"kind": kind, "order": order})
            ZoneVillage.objects.get_or_create(village=village, defaults={"zone": zone})
        for username, full_name, phone in people:
            officer, created = User.objects.get_or_create(
                username=f"bench_{username}",
                defaults={"full_name": full_name, "phone": phone, "role": Role.SAFETY_OFFICER},
            )
            if created:
                officer.set_unusable_password()
                officer.save()
            officer.zones.add(zone)
            officers.append((officer.pk, zone.pk))
    for n in range(37):
        name = UNIT_NAMES[n] if n < len(UNIT_NAMES) else f"重点企业{n - len(UNIT_NAMES) + 1:02d}（基准测试）"
        Unit.objects.get_or_create(
            name=name, defaults={"kind": Unit.Kind.DEPARTMENT if n < 18 else Unit.Kind.ENTERPRISE}
        )
    for username, role, superuser in [("bench_admin", Role.TOWN_ADMIN, False), ("bench_super", Role.TOWN_ADMIN, True)]:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": username, "role": role, "is_staff": superuser, "is_superuser": superuser},
        )
        if created:
            user.set_unusable_password()
            user.save()
    return {
        "villages": list(Village.objects.order_by("order").values_list("pk", "zone_link__zone_id")),
        "units": list(Unit.objects.order_by("pk").values_list("pk", flat=True)),
        "officers": officers,
    }


def _secondary_indexes(cursor, tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes on ``tables`` that no constraint owns."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)
        ORDER BY i.indexname
        """,
        [tables],
    )
    return cursor.fetchall()


def load_findings(structure: dict, *, findings: int, inspections: int, sites: int) -> None:
    from django.db import connection

    started = time.perf_counter()
    tables = ["inspections_site", "inspections_inspection", "inspections_finding"]
    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(
            "TRUNCATE inspections_photo, inspections_findingevent, inspections_finding, inspections_inspection, "
            "inspections_site RESTART IDENTITY CASCADE"
        )
        indexes = _secondary_indexes(cursor, tables)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        started = _step(f"emptied the tables and dropped {len(indexes)} secondary indexes", started)
        # the rows are consistent by construction: no foreign-key trigger per row
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SELECT setseed(0.2026)")

        # where each site lies and who inspects it: a site → village → zone → one of its officers
        village_ids = [pk for pk, _zone in structure["villages"]]
        village_zones = [zone for _pk, zone in structure["villages"]]
        officer_ids = [pk for pk, _zone in structure["officers"]]
        officer_zones = [zone for _pk, zone in structure["officers"]]
        cursor.execute("DROP TABLE IF EXISTS bench_site")
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_site AS
            SELECT g AS site_id, v.village_id, v.village_name,
                   (SELECT o.officer_id FROM unnest(%s::bigint[], %s::bigint[]) AS o(officer_id, zone_id)
                     WHERE o.zone_id = v.zone_id ORDER BY o.officer_id OFFSET mod(g, 2) LIMIT 1) AS officer_id
            FROM generate_series(1, {sites}) g
            JOIN (SELECT ord, village_id, zone_id, r.name AS village_name
                    FROM unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY AS u(village_id, zone_id, ord)
                    JOIN responsibility_village r ON r.id = u.village_id) v
              ON v.ord = 1 + mod(g, {len(village_ids)})
            """,
            [officer_ids, officer_zones, village_ids, village_zones],
        )
        kinds = _array(SITE_KINDS)
        cursor.execute(
            f"""
            INSERT INTO inspections_site (id, name, kind, address, industry, risk_level, contact_name, contact_phone,
                                          is_active, notes, village_id, grid_id)
            SELECT s.site_id,
                   s.village_name || ({kinds})[1 + mod(s.site_id * 7, {len(SITE_KINDS)})]
                     || lpad(s.site_id::text, 4, '0') || '号',
                   CASE WHEN mod(s.site_id, 5) = 0 THEN 'place' ELSE 'enterprise' END,
                   '茶山镇' || s.village_name || '工业路' || s.site_id || '号',
                   ({kinds})[1 + mod(s.site_id * 7, {len(SITE_KINDS)})],
                   1 + mod(s.site_id, 4), '负责人' || s.site_id, '138' || lpad(s.site_id::text, 8, '0'),
                   true, '', s.village_id, NULL
            FROM bench_site s
            """
        )
        started = _step(f"{sites:,} sites", started)

        # inspections in the order they happened: ids rise with time, as they do in real use
        kinds_of_inspection = _array(["routine", "routine", "surprise", "night", "joint", "campaign", "follow_up"])
        cursor.execute(
            f"""
            INSERT INTO inspections_inspection (id, kind, started_at, ended_at, participants, notes, created_at,
                                                led_by_id, site_id, team_id)
            SELECT row_number() OVER (ORDER BY x.started_at, x.g), x.kind, x.started_at,
                   x.started_at + interval '80 minutes', '', '', x.started_at, s.officer_id, s.site_id, NULL
            FROM (SELECT g, 1 + floor(random() * {sites})::int AS site_id,
                         date_trunc('minute', now() - random() * interval '{YEARS * 365} days') AS started_at,
                         ({kinds_of_inspection})[1 + floor(random() * 7)::int] AS kind
                    FROM generate_series(1, {inspections}) g) x
            JOIN bench_site s ON s.site_id = x.site_id
            """
        )
        started = _step(f"{inspections:,} inspections", started)

        hazards, locations, suffixes, measures = (
            _array(HAZARDS),
            _array(LOCATIONS),
            _array(SUFFIXES),
            _array(MEASURES),
        )
        categories = _array(CATEGORIES)
        units = structure["units"]
        cursor.execute(
            f"""
            INSERT INTO inspections_finding (id, number, found_on, category, grade, location, description, measures,
                                             responsible_contact, responsible_phone, deadline, status, closed_at,
                                             reopen_count, created_at, updated_at, created_by_id, inspection_id,
                                             responsible_unit_id, responsible_village_id, site_id, village_id)
            SELECT y.id, 'YH' || extract(year FROM y.found_on) || '-' || lpad(y.id::text, 7, '0'),
                   y.found_on, y.category, y.grade, y.location, y.description, y.measures,
                   '整改责任人' || mod(y.id, 500), '139' || lpad(mod(y.id, 100000000)::text, 8, '0'),
                   y.deadline, y.status,
                   CASE WHEN y.status = 'closed'
                        THEN least(now(), (y.found_on + y.fix_days)::timestamp AT TIME ZONE 'Asia/Shanghai'
                                          + interval '10 hours') END,
                   0, y.started_at, y.started_at, y.led_by_id, y.inspection_id,
                   CASE WHEN y.r_party < 0.25 THEN (%s::bigint[])[1 + floor(y.r_party * 4 * %s)::int] END,
                   CASE WHEN y.r_party >= 0.25 THEN y.village_id END,
                   y.site_id, y.village_id
            FROM (
                SELECT row_number() OVER (ORDER BY i.started_at, i.id, x.g) AS id,
                       i.id AS inspection_id, i.site_id, i.led_by_id, i.started_at, s.village_id,
                       (i.started_at AT TIME ZONE 'Asia/Shanghai')::date AS found_on,
                       (i.started_at AT TIME ZONE 'Asia/Shanghai')::date + x.days_given AS deadline,
                       x.fix_days, x.r_party,
                       ({categories})[1 + floor(x.r1 * {len(CATEGORIES)})::int] AS category,
                       CASE WHEN x.r2 < 0.04 THEN 'major' ELSE 'general' END AS grade,
                       ({locations})[1 + floor(x.r3 * {len(LOCATIONS)})::int] AS location,
                       ({locations})[1 + floor(x.r3 * {len(LOCATIONS)})::int]
                         || CASE WHEN x.r4 < {RARE_SHARE} THEN '制冷机房{RARE_WORD}报警装置失效'
                                 ELSE ({hazards})[1 + floor(x.r4 * {len(HAZARDS)})::int]
                                      || '、' || ({hazards})[1 + floor(x.r5 * {len(HAZARDS)})::int] END
                         || ({suffixes})[1 + floor(x.r5 * {len(SUFFIXES)})::int] AS description,
                       ({measures})[1 + floor(x.r3 * {len(MEASURES)})::int] AS measures,
                       -- most findings older than a quarter are closed (销号); recent ones are still moving
                       CASE WHEN x.r6 < (CASE WHEN current_date - (i.started_at AT TIME ZONE 'Asia/Shanghai')::date > 90
                                              THEN 0.98
                                              WHEN current_date - (i.started_at AT TIME ZONE 'Asia/Shanghai')::date > 30
                                              THEN 0.85 ELSE 0.40 END) THEN 'closed'
                            WHEN x.r7 < 0.6 THEN 'open'
                            WHEN x.r7 < 0.85 THEN 'fix_submitted'
                            ELSE 'verified' END AS status
                FROM (SELECT g, 1 + floor(random() * {inspections})::int AS inspection_id,
                             3 + floor(random() * 28)::int AS days_given, floor(random() * 35)::int AS fix_days,
                             random() AS r_party, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                             random() AS r5, random() AS r6, random() AS r7
                        FROM generate_series(1, {findings}) g) x
                JOIN inspections_inspection i ON i.id = x.inspection_id
                JOIN bench_site s ON s.site_id = i.site_id
            ) y
            """,
            [units, len(units)],
        )
        started = _step(f"{findings:,} findings", started)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for name, definition in indexes:
            cursor.execute(definition)
            started = _step(f"rebuilt {name}", started)
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
            )
        cursor.execute("DROP TABLE bench_site")
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    _step("vacuumed and analysed", started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="load the data again even if it is there")
    parser.add_argument("--findings", type=int, default=FINDINGS)
    parser.add_argument("--inspections", type=int, default=INSPECTIONS)
    parser.add_argument("--sites", type=int, default=SITES)
    args = parser.parse_args()

    url = setup_django()
    from django.db import connection

    from inspections.models import Finding

    migrate()
    have = Finding.objects.count()
    if have >= args.findings and not args.force:
        print(f"{url}: reusing {have:,} findings (--force loads them again)")
        return
    print(
        f"{url}: loading {args.findings:,} findings, {args.inspections:,} inspections, {args.sites:,} sites", flush=True
    )
    began = time.perf_counter()
    structure = load_structure()
    load_findings(structure, findings=args.findings, inspections=args.inspections, sites=args.sites)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(f"done in {time.perf_counter() - began:.0f} s; the database now takes {size}")


if __name__ == "__main__":
    main()
