"""Demo data of the supervision app: 五落实 plans of the major findings, 回头看 done and due, two
campaigns and the officer's plans. Needs the findings of ``inspections.demo_findings``.

Safe to run twice: what exists is found by its natural key (a finding's plan, a finding's
follow-up, a campaign's name, a plan's team and day) and left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from chashan_safety.models import User
from inspections.models import Finding, FindingEvent, FindingStatus, Inspection, PatrolTeam
from supervision import services
from supervision.models import Campaign, CampaignCategory, FollowUp, InspectionPlan, RectificationPlan

SEED = 20261129
CAMPAIGNS = [
    # name, category, hazard category, months back it started, months ahead it ends, aims
    (
        "违章搭建专项整治行动",
        "违章搭建",
        Finding.Category.ILLEGAL_CONSTRUCTION,
        8,
        4,
        "全面排查厂房、出租屋、农贸市场周边违章搭建，拆除占用消防通道和安全间距的搭建物，逐宗建立台账、限期销号。",
    ),
    (
        "消防技防改造专项整治",
        "消防技防改造",
        Finding.Category.FIRE,
        5,
        7,
        "推动“三小”场所和出租屋安装独立式烟感、简易喷淋和电动车充电设施，整治安全出口堵塞、电线乱拉乱接。",
    ),
]
CONTINGENCY = "整改期间设置警戒区和警示标志，安排专人值守巡查；配备灭火器材，制定应急疏散预案并告知作业人员。"
FUNDS = [Decimal("12000"), Decimal("35000"), Decimal("8500"), Decimal("120000"), Decimal("46000")]
DONE_FOLLOW_UPS = 80
RELAPSES = 2


def _plans(admin: User) -> int:
    """Every major finding gets a plan; the open ones are left incomplete now and then, as in real life."""
    majors = list(
        Finding.objects.major()
        .filter(rectification_plan__isnull=True)
        .order_by("pk")
        .values_list("pk", "status", "responsible_contact", "responsible_phone", "deadline", "measures")
    )
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    plans = []
    for index, (pk, status, contact, phone, deadline, measures) in enumerate(majors):
        complete = status != FindingStatus.OPEN or index % 3 != 0
        plans.append(
            RectificationPlan(
                finding_id=pk,
                responsible_person=contact or "企业主要负责人",
                responsible_phone=phone,
                funds=rng.choice(FUNDS) if complete else None,
                deadline=deadline,
                measures=measures or "按规范完成整改，并委托有资质的单位检测验收。",
                contingency_plan=CONTINGENCY if complete else "",
                updated_by=admin,
            )
        )
    RectificationPlan.objects.bulk_create(plans)
    return len(plans)


def _follow_ups(admin: User) -> tuple[int, int]:
    """Follow-ups: due for the findings closed lately; done (the fix held) for a sample of older ones."""
    today = timezone.localdate()
    days = services.follow_up_days()
    has_follow_up = FollowUp.objects.values("finding_id")
    closed = Finding.objects.filter(status=FindingStatus.CLOSED).exclude(pk__in=has_follow_up)
    recent = closed.filter(closed_at__gte=timezone.now() - dt.timedelta(days=days + 10))
    due = [
        FollowUp(finding_id=pk, due_on=timezone.localdate(closed_at) + dt.timedelta(days=days))
        for pk, closed_at in recent.values_list("pk", "closed_at")
    ]
    FollowUp.objects.bulk_create(due)
    if FollowUp.objects.filter(result=FollowUp.Result.HELD).exists():
        return len(due), 0
    older = list(
        closed.filter(closed_at__lt=timezone.now() - dt.timedelta(days=days + 10), closed_at__year__gte=today.year - 1)
        .select_related("village")
        .order_by("-closed_at")[:DONE_FOLLOW_UPS]
    )
    officers = {}
    for user in User.objects.officers().prefetch_related("zones__village_links"):
        for zone in user.zones.all():
            for link in zone.village_links.all():
                officers.setdefault(link.village_id, user)
    done = 0
    for finding in older:
        by = officers.get(finding.village_id, admin)
        due_on = timezone.localdate(finding.closed_at) + dt.timedelta(days=days)
        at = timezone.make_aware(dt.datetime.combine(min(due_on, today), dt.time(10, 30)))
        note = "回头看：现场整改措施保持到位，未发现反弹。"
        event = FindingEvent.objects.create(
            finding=finding,
            action=FindingEvent.Action.FOLLOW_UP_HELD,
            from_status=FindingStatus.CLOSED,
            to_status=FindingStatus.CLOSED,
            by=by,
            at=at,
            note=note,
        )
        FollowUp.objects.create(
            finding=finding, due_on=due_on, done_at=at, done_by=by, result=FollowUp.Result.HELD, note=note, event=event
        )
        done += 1
    return len(due), done


def _relapses(admin: User) -> int:
    """Two follow-ups found the hazard back: their findings are open again, with a new deadline."""
    if FollowUp.objects.filter(result=FollowUp.Result.RELAPSED).exists():
        return 0
    waiting = list(FollowUp.objects.pending().select_related("finding").order_by("due_on", "pk")[:RELAPSES])
    for follow_up in waiting:
        services.follow_up_record(
            follow_up=follow_up,
            by=admin,
            result=FollowUp.Result.RELAPSED,
            note="回头看发现隐患反弹：整改后又恢复原状，责令重新整改。",
            deadline=timezone.localdate() + dt.timedelta(days=7),
        )
    return len(waiting)


def _campaigns(admin: User) -> int:
    today = timezone.localdate()
    created = 0
    for name, category_name, hazard, back, ahead, aims in CAMPAIGNS:
        if Campaign.objects.filter(name=name).exists():
            continue
        category, _ = CampaignCategory.objects.get_or_create(name=category_name, defaults={"order": 100})
        starts_on = (today.replace(day=1) - dt.timedelta(days=30 * back)).replace(day=1)
        ends_on = today + dt.timedelta(days=30 * ahead)
        campaign = Campaign.objects.create(
            name=name,
            category=category,
            finding_category=hazard,
            starts_on=starts_on,
            ends_on=ends_on,
            description=aims,
            created_by=admin,
        )
        services.campaign_link_matching(campaign=campaign, by=admin)
        inspections = Inspection.objects.filter(
            kind__in=[Inspection.Kind.CAMPAIGN, Inspection.Kind.NIGHT],
            started_at__date__gte=starts_on,
            started_at__date__lte=today,
            findings__category=hazard,
        ).values_list("pk", flat=True)
        campaign.inspections.add(*set(inspections))
        created += 1
    return created


def _inspection_plans() -> int:
    officer = User.objects.filter(username="officer").first()
    team = PatrolTeam.objects.filter(leader=officer, is_active=True).order_by("pk").first() if officer else None
    if team is None:
        return 0
    today = timezone.localdate()
    made = 0
    for kind, day, accept in (
        (InspectionPlan.Kind.NIGHT, today, True),
        (InspectionPlan.Kind.SURPRISE, today + dt.timedelta(days=2), False),
    ):
        if InspectionPlan.objects.filter(team=team, planned_for=day, kind=kind).exists():
            continue
        plan = services.plan_draw(by=officer, team=team, kind=kind, planned_for=day, size=3, seed=SEED + made)
        if accept:
            services.plan_accept(plan=plan, by=officer)
        made += 1
    return made


@transaction.atomic
def load(stdout=None) -> None:
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return
    plans = _plans(admin)
    due, done = _follow_ups(admin)
    relapses = _relapses(admin)
    campaigns = _campaigns(admin)
    inspection_plans = _inspection_plans()
    if stdout is not None:
        stdout.write(
            f"supervision: {plans} new rectification plans, {due} follow-ups due, {done} done, "
            f"{relapses} relapses, {campaigns} new campaigns, {inspection_plans} new inspection plans"
        )
