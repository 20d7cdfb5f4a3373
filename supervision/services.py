"""Writes of the supervision app: plans, follow-ups and rounds, campaigns, the planner, notices.

The finding lifecycle stays in ``inspections.services``; this app takes part through its hooks:
``guard_move`` refuses to let a major finding's fix be submitted before its 五落实 plan is complete,
and ``after_move`` schedules the 回头看 when a finding is closed and withdraws it when the finding
is reopened.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chashan_safety.models import Counter, User
from inspections.models import Finding, FindingEvent, FindingStatus, Inspection, PatrolTeam, Site
from inspections.photos import ProcessedPhoto
from inspections.services import finding_move, finding_note_event, is_responsible_office, is_zone_officer
from supervision.models import (
    Campaign,
    FollowUp,
    FollowUpRound,
    InspectionPlan,
    PlannedVisit,
    RectificationNotice,
    RectificationPlan,
)

DEFAULT_FOLLOW_UP_DAYS = 30
DEFAULT_NOTICE_NUMBER_FORMAT = "茶应急责改〔{year}〕{n}号"
#: how much a site's risk level weighs in the planner: blue, yellow, orange, red
RISK_WEIGHTS = {1: 1.0, 2: 2.0, 3: 4.0, 4: 8.0}
#: days since the last inspection count up to this many (a site never inspected counts as this)
MAX_DAYS_COUNTED = 365
MAX_PLAN_SIZE = 20


def follow_up_days() -> int:
    return int(getattr(settings, "SUPERVISION_FOLLOW_UP_DAYS", DEFAULT_FOLLOW_UP_DAYS))


def notice_number_format() -> str:
    return getattr(settings, "SUPERVISION_NOTICE_NUMBER_FORMAT", DEFAULT_NOTICE_NUMBER_FORMAT)


# --- listed supervision: the 五落实 plan --------------------------------------------------------------


def may_edit_plan(user: User, finding: Finding) -> bool:
    """The town, the zone's officers and the office that must fix it write a major finding's plan."""
    if not finding.is_major or finding.is_closed:
        return False
    return user.is_town_admin or is_zone_officer(user, finding) or is_responsible_office(user, finding)


PLAN_FIELDS = ("responsible_person", "responsible_phone", "funds", "deadline", "measures", "contingency_plan")


@transaction.atomic
def plan_save(*, finding: Finding, by: User, **values) -> RectificationPlan:
    """Write the 五落实 plan of a major finding; parts may be left for later, the plan then counts as incomplete."""
    unknown = set(values) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"not plan fields: {sorted(unknown)}")
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if not locked.is_major:
        raise ValidationError(_("Only a major hazard is under listed supervision with a rectification plan."))
    if locked.is_closed:
        raise ValidationError(_("This finding is closed; its plan is kept as it was."))
    if not may_edit_plan(by, locked):
        raise PermissionDenied
    deadline = values.get("deadline")
    if deadline is not None and deadline < locked.found_on:
        raise ValidationError(_("The plan's time limit cannot be before the day the hazard was found."))
    funds = values.get("funds")
    if funds is not None and funds < Decimal(0):
        raise ValidationError(_("The funds cannot be negative."))
    plan = RectificationPlan.objects.filter(finding=locked).first() or RectificationPlan(finding=locked)
    for name, value in values.items():
        setattr(plan, name, value if value is not None or name in {"funds", "deadline"} else "")
    plan.updated_by = by
    plan._history_user = by
    plan.save()
    return plan


def plan_initial(finding: Finding) -> dict:
    """What the finding already says, so that nobody types it twice."""
    return {
        "responsible_person": finding.responsible_contact,
        "responsible_phone": finding.responsible_phone,
        "deadline": finding.deadline,
        "measures": finding.measures,
    }


def guard_move(*, finding: Finding, move: str, by: User) -> None:
    """A major finding's fix is submitted only once its 五落实 plan is complete."""
    if move != "submit_fix" or not finding.is_major:
        return
    plan = RectificationPlan.objects.filter(finding_id=finding.pk).first() or RectificationPlan()
    missing = plan.missing()
    if missing:
        raise ValidationError(
            _(
                "This is a major hazard under listed supervision: complete its rectification plan (五落实) "
                "before submitting the fix. Missing: %(parts)s."
            )
            % {"parts": "、".join(missing)}
        )


def after_move(*, finding: Finding, move: str, by: User, event: FindingEvent) -> None:
    """Closing schedules the 回头看; reopening withdraws the one still waiting."""
    if move == "close":
        closed_on = timezone.localdate(finding.closed_at or event.at)
        if not FollowUp.objects.pending().filter(finding=finding).exists():
            FollowUp.objects.create(
                finding=finding,
                source=FollowUp.Source.SCHEDULED,
                due_on=closed_on + dt.timedelta(days=follow_up_days()),
            )
    elif move in {"reopen", "relapse"}:
        FollowUp.objects.pending().filter(finding=finding).update(cancelled_at=timezone.now())


# --- 回头看 -------------------------------------------------------------------------------------------


def may_follow_up(user: User, finding: Finding) -> bool:
    return user.is_town_admin or is_zone_officer(user, finding)


@transaction.atomic
def follow_up_schedule(*, finding: Finding, by: User, due_on: dt.date | None = None) -> FollowUp:
    """Schedule a 回头看 of a closed finding now (or on ``due_on``); one waits per finding at most."""
    if not may_follow_up(by, finding):
        raise PermissionDenied
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if not locked.is_closed:
        raise ValidationError(
            _("This finding is not closed: a follow-up (回头看) looks back at a finding after its close-out.")
        )
    pending = FollowUp.objects.pending().filter(finding=locked).first()
    if pending is not None:
        raise ValidationError(
            _("A follow-up of this finding is already waiting, due on %(date)s.") % {"date": pending.due_on.isoformat()}
        )
    return FollowUp.objects.create(
        finding=locked, source=FollowUp.Source.SCHEDULED, due_on=due_on or timezone.localdate()
    )


@transaction.atomic
def follow_up_record(
    *,
    follow_up: FollowUp,
    by: User,
    result: str,
    note: str = "",
    deadline: dt.date | None = None,
    photos: Iterable[ProcessedPhoto] = (),
) -> FollowUp:
    """Record what a 回头看 found: the fix held, or the hazard is back and the finding reopens with a new deadline."""
    # lock: two officers may record the same follow-up at once; the second finds it done
    locked = FollowUp.objects.select_for_update().select_related("finding").get(pk=follow_up.pk)
    finding = locked.finding
    if not may_follow_up(by, finding):
        raise PermissionDenied
    if locked.is_done:
        raise ValidationError(_("This follow-up was already recorded."))
    if locked.cancelled_at is not None:
        raise ValidationError(_("This follow-up was withdrawn because the finding was reopened."))
    if not finding.is_closed:
        raise ValidationError(
            _("This finding is not closed: a follow-up (回头看) looks back at a finding after its close-out.")
        )
    if result not in FollowUp.Result.values:
        raise ValidationError(_("Say whether the fix held or the hazard is back."))
    note = note.strip()
    locked.done_at = timezone.now()
    locked.done_by = by
    locked.result = result
    locked.note = note
    locked.save()
    if result == FollowUp.Result.HELD:
        event = finding_note_event(
            finding=finding, by=by, action=FindingEvent.Action.FOLLOW_UP_HELD, note=note, photos=photos
        )
    else:
        event = finding_move(finding=finding, move="relapse", by=by, note=note, deadline=deadline, photos=photos)
    locked.event = event
    locked.save(update_fields=["event"])
    return locked


def draw_sample(population: dict[int, list[int]], share: Decimal | float, seed: int) -> list[int]:
    """A random sample of ``share`` per cent of each village's findings (at least one from each village).

    ``population`` maps a village's id to the ids of its findings. The same population, share and
    seed give the same sample, whatever order the ids came in.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible from its seed, not a secret
    chosen: list[int] = []
    for village_id in sorted(population):
        ids = sorted(population[village_id])
        if not ids:
            continue
        count = min(len(ids), math.ceil(len(ids) * float(share) / 100))
        chosen.extend(rng.sample(ids, count))
    return sorted(chosen)


def round_population(*, user: User, closed_from: dt.date | None, closed_to: dt.date | None, villages=None):
    """The closed findings a round may draw from: in the user's scope, closed in the period, none waiting."""
    findings = Finding.objects.visible_to(user).filter(status=FindingStatus.CLOSED)
    if closed_from:
        findings = findings.filter(closed_at__date__gte=closed_from)
    if closed_to:
        findings = findings.filter(closed_at__date__lte=closed_to)
    if villages:
        findings = findings.filter(village__in=villages)
    waiting = FollowUp.objects.pending().values("finding_id")
    return findings.exclude(pk__in=waiting)


@transaction.atomic
def round_draw(
    *,
    by: User,
    name: str,
    share: Decimal,
    due_on: dt.date,
    seed: int | None = None,
    closed_from: dt.date | None = None,
    closed_to: dt.date | None = None,
    villages=None,
) -> FollowUpRound:
    """Draw a round of 回头看: ``share`` per cent of the closed findings of each village, as follow-ups."""
    if not (by.is_town_admin or by.is_safety_officer):
        raise PermissionDenied
    if share is None or share <= 0 or share > 100:
        raise ValidationError(_("The share sampled must be more than 0 % and at most 100 %."))
    if closed_from and closed_to and closed_to < closed_from:
        raise ValidationError(_("The end of the close-out period cannot be before its start."))
    if due_on < timezone.localdate():
        raise ValidationError(_("The round cannot be due in the past."))
    seed = seed if seed is not None else secrets.randbelow(10**9)
    population: dict[int, list[int]] = {}
    rows = round_population(user=by, closed_from=closed_from, closed_to=closed_to, villages=villages)
    for village_id, pk in rows.values_list("village_id", "pk"):
        population.setdefault(village_id, []).append(pk)
    total = sum(len(ids) for ids in population.values())
    if not total:
        raise ValidationError(
            _("There are no closed findings without a waiting follow-up to draw from in this period.")
        )
    chosen = draw_sample(population, share, seed)
    drawn = FollowUpRound.objects.create(
        name=name.strip(),
        share=share,
        seed=seed,
        closed_from=closed_from,
        closed_to=closed_to,
        due_on=due_on,
        population=total,
        created_by=by,
    )
    FollowUp.objects.bulk_create(
        [FollowUp(finding_id=pk, source=FollowUp.Source.SAMPLED, round=drawn, due_on=due_on) for pk in chosen]
    )
    return drawn


# --- campaigns -------------------------------------------------------------------------------------


def may_link_to_campaign(user: User, inspection: Inspection) -> bool:
    return user.is_town_admin or (user.is_safety_officer and inspection.site.village_id in user.zone_village_ids)


@transaction.atomic
def campaign_link_inspection(*, campaign: Campaign, inspection: Inspection, by: User) -> bool:
    """Link an inspection (and so its findings) to a campaign; False when it already was."""
    if not may_link_to_campaign(by, inspection):
        raise PermissionDenied
    day = timezone.localdate(inspection.started_at)
    if not campaign.starts_on <= day <= campaign.ends_on:
        raise ValidationError(
            _("This inspection (%(day)s) lies outside the campaign's period, %(start)s to %(end)s.")
            % {"day": day.isoformat(), "start": campaign.starts_on.isoformat(), "end": campaign.ends_on.isoformat()}
        )
    if campaign.inspections.filter(pk=inspection.pk).exists():
        return False
    campaign.inspections.add(inspection)
    return True


@transaction.atomic
def campaign_link_matching(*, campaign: Campaign, by: User) -> int:
    """Link every finding of the campaign's hazard category found in its period; returns how many were new."""
    if not by.is_town_admin:
        raise PermissionDenied
    if not campaign.finding_category:
        raise ValidationError(_("Set the hazard category the campaign targets first."))
    matching = Finding.objects.filter(
        category=campaign.finding_category, found_on__gte=campaign.starts_on, found_on__lte=campaign.ends_on
    ).exclude(pk__in=campaign.findings.through.objects.filter(campaign=campaign).values("finding_id"))
    through = Campaign.findings.through
    links = [through(campaign_id=campaign.pk, finding_id=pk) for pk in matching.values_list("pk", flat=True)]
    through.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
    return len(links)


# --- the inspection planner --------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    site_id: int
    weight: float
    days_since: int | None  # None: never inspected


def site_weight(risk_level: int, days_since: int | None) -> float:
    """Riskier sites, and sites not seen for longer, are likelier to be drawn.

    The weight is the risk level's (1, 2, 4, 8 from blue to red) times one plus the months since
    the last inspection (a site never inspected counts as a year).
    """
    days = MAX_DAYS_COUNTED if days_since is None else min(max(days_since, 0), MAX_DAYS_COUNTED)
    return RISK_WEIGHTS.get(risk_level, 1.0) * (1 + days / 30)


def candidates_for(team: PatrolTeam, *, by: User, day: dt.date | None = None) -> list[Candidate]:
    """The sites in operation in the team's zone that ``by`` may inspect, with their weights."""
    day = day or timezone.localdate()
    sites = (
        Site.objects.visible_to(by)
        .filter(is_active=True, village__zone_link__zone_id=team.zone_id)
        .annotate(last_inspected=Max("inspections__started_at"))
        .order_by("pk")
        .values_list("pk", "risk_level", "last_inspected")
    )
    result = []
    for pk, risk, last in sites:
        days = (day - timezone.localdate(last)).days if last else None
        result.append(Candidate(pk, site_weight(risk, days), days))
    return result


def weighted_draw(candidates: list[Candidate], count: int, rng: random.Random) -> list[Candidate]:
    """``count`` candidates without replacement, each likelier in proportion to its weight.

    Efraimidis and Spirakis: each gets the key ``u ** (1 / weight)`` for a uniform ``u``; the
    largest keys win. Deterministic for a given random generator and candidate order.
    """
    keyed = [(rng.random() ** (1 / c.weight), c) for c in candidates if c.weight > 0]
    keyed.sort(key=lambda item: item[0], reverse=True)
    return [c for _key, c in keyed[:count]]


def may_plan_for(user: User, team: PatrolTeam) -> bool:
    return user.is_town_admin or (user.is_safety_officer and team.zone_id in user.zone_ids)


def _draw_visits(plan: InspectionPlan, by: User) -> None:
    candidates = candidates_for(plan.team, by=by, day=plan.planned_for)
    if not candidates:
        raise ValidationError(
            _("There are no sites in operation in %(zone)s to draw from: add sites first.") % {"zone": plan.team.zone}
        )
    chosen = weighted_draw(candidates, plan.size, random.Random(plan.seed))  # noqa: S311 - reproducible draw
    PlannedVisit.objects.bulk_create(
        [
            PlannedVisit(
                plan=plan,
                site_id=c.site_id,
                position=index,
                weight=round(c.weight, 3),
                days_since_inspected=c.days_since,
            )
            for index, c in enumerate(chosen, start=1)
        ]
    )


@transaction.atomic
def plan_draw(
    *, by: User, team: PatrolTeam, kind: str, planned_for: dt.date, size: int, seed: int | None = None
) -> InspectionPlan:
    """Propose ``size`` targets for a surprise or night inspection by ``team`` on ``planned_for``."""
    if not may_plan_for(by, team):
        raise PermissionDenied
    if kind not in InspectionPlan.Kind.values:
        raise ValidationError(_("The planner draws targets for surprise and night inspections only."))
    if planned_for < timezone.localdate():
        raise ValidationError(_("A plan cannot be made for a day in the past."))
    if not 1 <= size <= MAX_PLAN_SIZE:
        raise ValidationError(_("Draw between 1 and %(max)d targets.") % {"max": MAX_PLAN_SIZE})
    plan = InspectionPlan.objects.create(
        kind=kind,
        planned_for=planned_for,
        team=team,
        size=size,
        seed=seed if seed is not None else secrets.randbelow(10**9),
        created_by=by,
    )
    _draw_visits(plan, by)
    return plan


def _locked_draft(plan: InspectionPlan, by: User) -> InspectionPlan:
    locked = InspectionPlan.objects.select_for_update().select_related("team").get(pk=plan.pk)
    if not may_plan_for(by, locked.team):
        raise PermissionDenied
    if not locked.is_draft:
        raise ValidationError(_("This plan was accepted; its targets no longer change."))
    return locked


@transaction.atomic
def plan_redraw(*, plan: InspectionPlan, by: User) -> InspectionPlan:
    """Draw all the targets again, from a new seed."""
    locked = _locked_draft(plan, by)
    locked.seed = secrets.randbelow(10**9)
    locked.save(update_fields=["seed"])
    locked.visits.all().delete()
    _draw_visits(locked, by)
    return locked


@transaction.atomic
def plan_swap(*, plan: InspectionPlan, visit: PlannedVisit, by: User) -> PlannedVisit:
    """Replace one target by another drawn the same way from the sites not in the plan."""
    locked = _locked_draft(plan, by)
    if visit.plan_id != locked.pk:
        raise ValidationError(_("That target is not part of this plan."))
    taken = set(locked.visits.values_list("site_id", flat=True))
    others = [c for c in candidates_for(locked.team, by=by, day=locked.planned_for) if c.site_id not in taken]
    if not others:
        raise ValidationError(_("There is no other site in this zone to swap in."))
    (chosen,) = weighted_draw(others, 1, random.Random(secrets.randbelow(10**9)))  # noqa: S311 - a draw, not a secret
    visit.site_id = chosen.site_id
    visit.weight = round(chosen.weight, 3)
    visit.days_since_inspected = chosen.days_since
    visit.save(update_fields=["site", "weight", "days_since_inspected"])
    return visit


def visits_with_progress(plans_or_plan):
    """Planned visits with whether an inspection of their site was logged on or after the plan's day."""
    logged = Inspection.objects.filter(site=OuterRef("site"), started_at__date__gte=OuterRef("plan__planned_for"))
    return (
        PlannedVisit.objects.filter(plan__in=plans_or_plan)
        .select_related("site__village")
        .annotate(done=Exists(logged))
        .order_by("plan", "position")
    )


@transaction.atomic
def plan_accept(*, plan: InspectionPlan, by: User) -> InspectionPlan:
    """The plan becomes the team's inspections for its day: it shows on the officers' home pages."""
    locked = _locked_draft(plan, by)
    if not locked.visits.exists():
        raise ValidationError(_("This plan has no targets."))
    locked.status = InspectionPlan.Status.ACCEPTED
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["status", "accepted_at"])
    return locked


# --- rectification notices ------------------------------------------------------------------------


def may_issue_notice(user: User, inspection: Inspection) -> bool:
    return user.is_town_admin or (user.is_safety_officer and inspection.site.village_id in user.zone_village_ids)


def may_read_inspection_notice(user: User, inspection: Inspection) -> bool:
    """The notice of a whole inspection lists all its findings: it is for those who may read every one.

    A unit office reads an inspection that found something it must fix, but only its own findings on it.
    """
    if user.sees_whole_town:
        return True
    # from the table, not ``inspection.findings``: a page may have prefetched only the findings the user reads
    hidden = Finding.objects.filter(inspection=inspection).exclude(pk__in=Finding.objects.visible_to(user).values("pk"))
    return not hidden.exists()


@transaction.atomic
def notice_issue(*, inspection: Inspection, by: User, finding: Finding | None = None) -> RectificationNotice:
    """The notice of a finding or of a whole inspection, numbered 茶应急责改〔year〕N号 the first time."""
    lookup = {"inspection": inspection, "finding": finding}
    existing = RectificationNotice.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    if not may_issue_notice(by, inspection):
        raise PermissionDenied
    if finding is None and not inspection.findings.exists():
        raise ValidationError(_("This inspection found no hazards: there is nothing to order rectified."))
    now = timezone.now()
    year = timezone.localdate(now).year
    number = notice_number_format().format(year=year, n=Counter.next_value("rectification_notice", year))
    return RectificationNotice.objects.create(**lookup, number=number, issued_by=by, issued_at=now)


def notice_findings(notice: RectificationNotice):
    if notice.finding_id:
        return Finding.objects.filter(pk=notice.finding_id)
    return notice.inspection.findings.order_by("pk")


def campaign_findings_q(campaign: Campaign) -> Q:
    """The findings of a campaign: linked to it, or found on one of its inspections."""
    return Q(pk__in=campaign.all_findings().values("pk"))


def campaign_findings_q_for(finding: Finding) -> Q:
    """The campaigns a finding counts in: linked to it, or to its inspection."""
    return Q(findings=finding) | Q(inspections=finding.inspection_id)
