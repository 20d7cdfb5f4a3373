"""Demo responsibility letters: five years of templates and letters to all 55 parties, with scores.

Past years are all signed (a few after the deadline) and scored. This year three letters are still
unsigned past the deadline, among them 横江村's, which the ``village`` demo login can sign. Parties
with a demo login sign by hand in the browser; the others' signed paper copies were scanned in by
the town office. Signature images are drawn here with Pillow. Safe to run twice: a year that has
letters is left as it is.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from chashan_safety.demo import Tally
from chashan_safety.models import Role, User
from responsibility.models import LetterTemplate, PartyKind, ResponsibilityLetter, ScoreEntry, TargetItem, Unit, Village
from responsibility.signing import letters_issue, sha256

YEARS = 5
#: this year's letters left unsigned past the deadline (the ``village`` login's village first)
UNSIGNED_THIS_YEAR = ("横江村", "城市更新中心", "茶山物流园有限公司")

M = TargetItem.Rule.MANUAL
P = TargetItem.Rule.PROPORTIONAL
A = TargetItem.Rule.AT_LEAST
D = TargetItem.Rule.DEDUCT
S = TargetItem.Section

ON_TIME = "inspections.findings_closed_on_time"
PER_MONTH = "inspections.inspections_per_month"
SIGNED = "responsibility.letter_signed_on_time"
YELLOW = "responsibility.yellow_cards"

# the incidents app registers these; where it is absent the items keep their full points
DEATHS = "incidents.deaths"
INJURIES = "incidents.injuries"
FATAL = "incidents.fatal_accidents"

ACCIDENT_ITEMS = [
    (S.ACCIDENT, "全年不发生造成人员死亡的生产安全事故（每死亡 1 人扣 30 分）", 30, DEATHS, D, Decimal(30)),
    (S.ACCIDENT, "全年不发生造成人员受伤的生产安全事故（每受伤 1 人扣 5 分）", 10, INJURIES, D, Decimal(5)),
]
SHARED_RATES = [
    (S.RATE, "按期签订安全生产责任书", 5, SIGNED, P, None),
    (S.RATE, "全年未因隐患逾期未整改被亮黄牌（每张黄牌扣 2 分）", 5, YELLOW, D, Decimal(2)),
]
VETO_ITEMS = [
    (S.VETO, "发生一次死亡 2 人以上的生产安全事故", 0, FATAL, M, None),
    (S.VETO, "对重大事故隐患拒不整改、瞒报谎报迟报事故", 0, "", M, None),
]

TEMPLATES = {
    PartyKind.VILLAGE: (
        "{year}年度茶山镇村（社区）安全生产目标管理责任书",
        "为认真贯彻落实《中华人民共和国安全生产法》和省、市关于安全生产工作的部署，坚持“党政同责、一岗双责、"
        "齐抓共管、失职追责”和“管行业必须管安全、管业务必须管安全、管生产经营必须管安全”，压实属地管理责任，"
        "有效防范和遏制生产安全事故，经研究，镇人民政府（甲方）与各村（社区）（乙方）签订本责任书。\n"
        "乙方主要负责人是本辖区安全生产第一责任人，对本辖区安全生产工作全面负责；乙方应健全安全生产领导小组和"
        "村（社区）安全办，配齐网格员，落实网格化巡查，建立隐患排查整改闭环和安全生产台账。\n"
        "甲方按本责任书所列目标于年终进行考核，满分 100 分；90 分以上为优秀，70 分以下为不合格；"
        "发生一票否决事项的，考核结果直接评为不合格，并按规定追究责任。",
        [
            *ACCIDENT_ITEMS,
            (S.WORK, "成立安全生产领导小组，每季度至少召开一次安全生产工作会议，会议纪要存档", 10, "", M, None),
            (S.WORK, "每月至少开展 8 次安全检查（含夜查、突击检查）并录入平台", 15, PER_MONTH, A, Decimal(8)),
            (S.WORK, "全年组织安全生产宣传教育培训不少于 4 次", 5, "", M, None),
            (S.RATE, "隐患按期整改率达到 100%", 20, ON_TIME, P, None),
            *SHARED_RATES,
            *VETO_ITEMS,
        ],
    ),
    PartyKind.DEPARTMENT: (
        "{year}年度茶山镇部门安全生产目标管理责任书",
        "为落实“管行业必须管安全”的要求，压实行业部门安全生产监管责任，镇人民政府（甲方）与各部门（乙方）签订"
        "本责任书。乙方主要负责人对本部门及所监管行业领域的安全生产工作负领导责任，分管负责人负直接领导责任。\n"
        "乙方应每月开展行业领域安全检查，督促企业落实主体责任，对检查发现的隐患跟踪整改到位，及时准确报送"
        "安全生产信息。\n"
        "甲方按本责任书所列目标于年终进行考核，满分 100 分；90 分以上为优秀，70 分以下为不合格；"
        "发生一票否决事项的，考核结果直接评为不合格。",
        [
            *ACCIDENT_ITEMS,
            (S.WORK, "履行行业监管职责，每月开展行业领域安全检查并形成记录", 15, "", M, None),
            (S.WORK, "每季度研究部署本行业安全生产工作，组织行业安全培训", 10, "", M, None),
            (S.WORK, "安全生产信息报送及时、准确", 5, "", M, None),
            (S.RATE, "由本部门负责整改的隐患按期整改率达到 100%", 20, ON_TIME, P, None),
            *SHARED_RATES,
            *VETO_ITEMS,
        ],
    ),
    PartyKind.ENTERPRISE: (
        "{year}年度茶山镇重点企业安全生产目标管理责任书",
        "为落实生产经营单位安全生产主体责任，镇人民政府（甲方）与重点企业（乙方）签订本责任书。乙方法定代表人"
        "（实际控制人）是本单位安全生产第一责任人，对本单位安全生产工作全面负责。\n"
        "乙方应健全安全生产责任制和安全管理制度，保障安全投入，开展隐患自查自改，组织从业人员安全培训和应急演练。\n"
        "甲方按本责任书所列目标于年终进行考核，满分 100 分；90 分以上为优秀，70 分以下为不合格；"
        "发生一票否决事项的，考核结果直接评为不合格。",
        [
            *ACCIDENT_ITEMS,
            (S.WORK, "健全全员安全生产责任制和安全管理制度，保障安全生产投入", 10, "", M, None),
            (S.WORK, "全年开展应急演练不少于 2 次", 10, "", M, None),
            (S.WORK, "从业人员安全教育培训全覆盖，特种作业人员持证上岗", 5, "", M, None),
            (S.RATE, "本单位负责整改的隐患按期整改率达到 100%", 25, ON_TIME, P, None),
            *SHARED_RATES,
            *VETO_ITEMS,
        ],
    ),
}


def _template(year: int, kind: str) -> tuple[LetterTemplate, bool]:
    template = LetterTemplate.objects.filter(year=year, party_kind=kind).first()
    if template is not None:
        return template, False
    title, body, items = TEMPLATES[kind]
    template = LetterTemplate.objects.create(year=year, party_kind=kind, title=title.format(year=year), body=body)
    TargetItem.objects.bulk_create(
        [
            TargetItem(
                template=template,
                section=section,
                text=text,
                points=Decimal(points),
                measure=measure,
                rule=rule,
                target=target,
                order=order,
            )
            for order, (section, text, points, measure, rule, target) in enumerate(items, start=1)
        ]
    )
    return template, True


def drawn_png(seed: int) -> bytes:
    """A hand-drawn-looking signature: a few smooth strokes in dark ink on white."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    image = Image.new("L", (420, 140), 255)
    draw = ImageDraw.Draw(image)
    x = 20
    for _stroke in range(rng.randint(3, 4)):
        width, height = rng.randint(60, 100), rng.randint(40, 70)
        phase = rng.random() * math.pi
        points = [
            (x + t * width / 40, 70 + math.sin(phase + t / 4) * height / 2 + rng.uniform(-3, 3)) for t in range(41)
        ]
        draw.line(points, fill=20, width=4, joint="curve")
        x += width + rng.randint(5, 20)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def scanned_jpeg(seed: int, party: str) -> bytes:
    """A stand-in for a photo of the last page of the signed paper copy: text lines, a signature, a red seal."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    image = Image.new("RGB", (620, 860), (250, 249, 244))
    draw = ImageDraw.Draw(image)
    for row in range(14):
        y = 80 + row * 36
        draw.line([(70, y), (rng.randint(380, 550), y)], fill=(120, 120, 120), width=3)
    for side in (140, 440):
        draw.line([(side - 60, 700), (side + 60, 690 + rng.randint(-10, 10))], fill=(30, 30, 60), width=4)
        draw.ellipse([side - 55, 600, side + 55, 710], outline=(200, 30, 30), width=5)
    draw.text((70, 40), party.encode("ascii", "ignore").decode() or f"party {seed}", fill=(90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def _office_users() -> dict[str, User]:
    users = {}
    for user in User.objects.filter(is_active=True, role__in=[Role.VILLAGE_OFFICE, Role.UNIT_OFFICE]).order_by("pk"):
        key = f"village:{user.village_id}" if user.role == Role.VILLAGE_OFFICE else f"unit:{user.unit_id}"
        users.setdefault(key, user)
    return users


def _sign_all(year: int, admin: User, today: dt.date, rng: random.Random) -> int:
    offices = _office_users()
    heads = dict(Village.objects.values_list("name", "head")) | dict(Unit.objects.values_list("name", "head"))
    letters = list(ResponsibilityLetter.objects.filter(year=year, signed_at__isnull=True))
    signed = 0
    for letter in letters:
        if year == today.year and letter.party_name in UNSIGNED_THIS_YEAR:
            continue
        # most sign within the month; a few a week or two late
        late = rng.random() < 0.06
        day = (
            letter.deadline + dt.timedelta(days=rng.randint(2, 15))
            if late
            else letter.deadline - dt.timedelta(days=rng.randint(0, 40))
        )
        day = max(day, timezone.localdate(letter.issued_at))
        if day > today:
            day = today
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59))))
        office = offices.get(letter.party_key)
        if office is not None:
            image, content_type, method, by = (
                drawn_png(letter.pk),
                "image/png",
                ResponsibilityLetter.Method.DRAWN,
                office,
            )
        else:
            image = scanned_jpeg(letter.pk, letter.party_name)
            content_type, method, by = "image/jpeg", ResponsibilityLetter.Method.SCAN, admin
        ResponsibilityLetter.objects.filter(pk=letter.pk).update(
            signed_at=moment,
            signed_by=by,
            signer_name=heads.get(letter.party_name) or letter.party_name,
            signed_from=f"10.20.1.{rng.randint(10, 250)}",
            signed_agent="Mozilla/5.0 (Linux; Android 13) Chrome/120 Mobile"
            if office
            else "Mozilla/5.0 (Windows NT 10.0) Chrome/120",
            method=method,
            signature=image,
            signature_type=content_type,
            text_sha256=sha256(letter.text),
            signature_sha256=sha256(image),
        )
        signed += 1
    return signed


MANUAL_NOTES = ["查阅会议纪要及台账，符合要求", "现场抽查，资料基本齐全", "培训记录不全，酌情扣分", "年终考核组核查"]


def _score(year: int, admin: User, rng: random.Random, *, share: float) -> int:
    entries = []
    letters = ResponsibilityLetter.objects.filter(year=year).prefetch_related("template__items")
    scored = set(ScoreEntry.objects.filter(letter__year=year).values_list("letter_id", "item_id"))
    for letter in letters:
        if rng.random() > share:
            continue
        for item in letter.template.items.all():
            if item.measure or (letter.pk, item.pk) in scored:
                continue
            if item.is_veto:
                continue
            lost = Decimal(0) if rng.random() < 0.7 else Decimal(rng.choice([1, 2, 3, 5]))
            points = max(item.points - lost, Decimal(0))
            entries.append(
                ScoreEntry(
                    letter=letter,
                    item=item,
                    points=points,
                    note=rng.choice(MANUAL_NOTES[:2]) if not lost else rng.choice(MANUAL_NOTES[2:]),
                    scored_by=admin,
                    scored_at=timezone.make_aware(dt.datetime(year, 12, 20, 10, 0))
                    if year < timezone.localdate().year
                    else timezone.now(),
                )
            )
    if year == timezone.localdate().year - 3 and not ScoreEntry.objects.filter(letter__year=year, vetoed=True).exists():
        # one party that year reported an accident late: the veto fails it
        letter = letters.filter(village__name="下朗村").first()
        veto = letter.template.items.filter(section=TargetItem.Section.VETO, measure="").first() if letter else None
        if veto is not None:
            entries.append(
                ScoreEntry(
                    letter=letter,
                    item=veto,
                    vetoed=True,
                    note="7 月辖区内一起工亡事故迟报 3 天",
                    scored_by=admin,
                    scored_at=timezone.make_aware(dt.datetime(year, 12, 20, 10, 0)),
                )
            )
    ScoreEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return len(entries)


@transaction.atomic
def load(stdout=None) -> None:
    admin = User.objects.filter(username="admin").first() or User.objects.filter(role=Role.TOWN_ADMIN).first()
    if admin is None:
        if stdout is not None:
            stdout.write("letters: no town administrator to issue the letters; skipped")
        return
    today = timezone.localdate()
    templates, letters, signed, scores = Tally(), 0, 0, 0
    for year in range(today.year - YEARS + 1, today.year + 1):
        rng = random.Random(year)  # noqa: S311 - demo data, not security
        for kind in PartyKind.values:
            _template_obj, created = _template(year, kind)
            templates.add("created" if created else "unchanged")
        if not ResponsibilityLetter.objects.filter(year=year).exists():
            issued_on = dt.date(year, 1, 6)
            result = letters_issue(
                year=year,
                deadline=dt.date(year, 2, 28),
                by=admin,
                issued_at=timezone.make_aware(dt.datetime.combine(issued_on, dt.time(9, 30))),
            )
            letters += result.issued
            signed += _sign_all(year, admin, today, rng)
            # past years are scored in full; this year's scoring has begun for some parties
            scores += _score(year, admin, rng, share=1.0 if year < today.year else 0.3)
    if stdout is not None:
        stdout.write(
            f"letters: templates ({templates}), {letters} letters issued, {signed} signed, {scores} scores recorded"
        )
