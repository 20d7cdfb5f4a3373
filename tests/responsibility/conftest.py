"""The year's letter templates and the letters issued to the test town's two villages and two units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from responsibility.models import LetterTemplate, PartyKind, ResponsibilityLetter, TargetItem
from responsibility.signing import drawn_signature, letter_sign, letters_issue

S = TargetItem.Section
R = TargetItem.Rule

#: (section, text, points, measure, rule, target)
ITEMS = [
    (S.ACCIDENT, "全年不发生造成人员死亡的生产安全事故", 40, "", R.MANUAL, None),
    (S.WORK, "每月至少开展 8 次安全检查", 15, "inspections.inspections_per_month", R.AT_LEAST, Decimal(8)),
    (S.WORK, "每季度召开安全生产工作会议", 15, "", R.MANUAL, None),
    (S.RATE, "隐患按期整改率达到 100%", 20, "inspections.findings_closed_on_time", R.PROPORTIONAL, None),
    (S.RATE, "按期签订安全生产责任书", 5, "responsibility.letter_signed_on_time", R.PROPORTIONAL, None),
    (S.RATE, "未被亮黄牌（每张扣 2 分）", 5, "responsibility.yellow_cards", R.DEDUCT, Decimal(2)),
    (S.VETO, "发生一次死亡 3 人以上的生产安全事故", 0, "", R.MANUAL, None),
]


def this_year() -> int:
    return timezone.localdate().year


def make_template(year: int, kind: str, items=ITEMS) -> LetterTemplate:
    template = LetterTemplate.objects.create(
        year=year,
        party_kind=kind,
        title=f"{year}年度安全生产目标管理责任书（{kind}）",
        body="为落实安全生产责任制，甲乙双方签订本责任书。\n乙方主要负责人是安全生产第一责任人。",
    )
    for order, (section, text, points, measure, rule, target) in enumerate(items, start=1):
        TargetItem.objects.create(
            template=template,
            section=section,
            text=text,
            points=Decimal(points),
            measure=measure,
            rule=rule,
            target=target,
            order=order,
        )
    return template


@pytest.fixture
def templates(db) -> dict[str, LetterTemplate]:
    year = this_year()
    return {kind: make_template(year, kind) for kind in PartyKind.values}


@pytest.fixture
def deadline():
    return timezone.localdate() + dt.timedelta(days=20)


@pytest.fixture
def letters(templates, town_admin, village_a, village_b, unit_a, unit_b, deadline) -> dict[str, ResponsibilityLetter]:
    letters_issue(year=this_year(), deadline=deadline, by=town_admin)
    found = ResponsibilityLetter.objects.filter(year=this_year())
    return {letter.party_key: letter for letter in found}


@pytest.fixture
def letter_a(letters, village_a) -> ResponsibilityLetter:
    return letters[f"village:{village_a.pk}"]


@pytest.fixture
def letter_b(letters, village_b) -> ResponsibilityLetter:
    return letters[f"village:{village_b.pk}"]


@pytest.fixture
def unit_letter(letters, unit_a) -> ResponsibilityLetter:
    return letters[f"unit:{unit_a.pk}"]


def sign_drawn(letter: ResponsibilityLetter, user) -> ResponsibilityLetter:
    from tests.responsibility.signatures import drawn_url

    return letter_sign(letter=letter, by=user, signature=drawn_signature(drawn_url()), signer_name="张建国")


@pytest.fixture
def signed_a(letter_a, village_office) -> ResponsibilityLetter:
    return sign_drawn(letter_a, village_office)
