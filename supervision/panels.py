"""What the supervision app adds to the home page, the navigation, and the finding and inspection pages."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chashan_safety.registry import HomePanel, NavItem, register_nav, register_panel
from inspections.models import Finding, FindingStatus
from inspections.sections import FINDING, INSPECTION, DetailSection, register_detail_section
from supervision import services
from supervision.forms import CampaignLinkForm
from supervision.models import Campaign, FollowUp, InspectionPlan, RectificationNotice, RectificationPlan

ALL = frozenset({"town_admin", "safety_officer", "leadership", "village_office", "unit_office"})
FIELD = frozenset({"town_admin", "safety_officer"})
FOLLOW_UPS_SHOWN = 8
FOLLOW_UP_WINDOW_DAYS = 7


# --- home panels ---------------------------------------------------------------------------------------


def _todays_plan(user) -> dict:
    """Today's accepted plans of the teams the officer leads or planned, with each target's progress."""
    today = timezone.localdate()
    plans = list(
        InspectionPlan.objects.visible_to(user)
        .filter(planned_for=today, status=InspectionPlan.Status.ACCEPTED)
        .filter(Q(team__leader=user) | Q(created_by=user))
        .select_related("team")
        .order_by("pk")
    )
    visits = list(services.visits_with_progress(plans)) if plans else []
    for plan in plans:
        plan.day_visits = [visit for visit in visits if visit.plan_id == plan.pk]
    return {"plans": plans, "today": today}


def _follow_ups_due(user) -> dict:
    today = timezone.localdate()
    soon = today + dt.timedelta(days=FOLLOW_UP_WINDOW_DAYS)
    waiting = FollowUp.objects.visible_to(user).pending()
    counts = waiting.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        this_week=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon)),
    )
    due = (
        waiting.filter(due_on__lte=soon)
        .select_related("finding__site", "finding__village")
        .order_by("due_on", "pk")[:FOLLOW_UPS_SHOWN]
    )
    return {"counts": counts, "due": list(due), "today": today}


def _listed(user) -> dict:
    today = timezone.localdate()
    listed = Finding.objects.visible_to(user).major().exclude(status=FindingStatus.CLOSED)
    complete = RectificationPlan.objects.complete().values("finding_id")
    counts = listed.aggregate(
        listed=Count("pk"),
        overdue=Count("pk", filter=Q(deadline__lt=today)),
        plan_missing=Count("pk", filter=~Q(pk__in=complete)),
    )
    return {"counts": counts}


# --- sections of the finding and inspection pages ------------------------------------------------------


def _finding_section(request, finding: Finding) -> dict | None:
    user = request.user
    plan = RectificationPlan.objects.filter(finding=finding).first() if finding.is_major else None
    follow_ups = list(FollowUp.objects.filter(finding=finding).select_related("done_by", "round").order_by("-pk")[:5])
    notice = RectificationNotice.objects.filter(finding=finding).first()
    campaigns = list(
        Campaign.objects.filter(services.campaign_findings_q_for(finding)).distinct().order_by("-starts_on")
    )
    may_issue = services.may_issue_notice(user, finding.inspection)
    pending = next((f for f in follow_ups if f.is_pending), None)
    return {
        "plan": plan,
        "plan_missing": plan.missing() if plan else None,
        "may_edit_plan": services.may_edit_plan(user, finding),
        "follow_ups": follow_ups,
        "pending_follow_up": pending,
        "may_follow_up": finding.is_closed and pending is None and services.may_follow_up(user, finding),
        "notice": notice,
        "may_issue_notice": may_issue,
        "campaigns": campaigns,
    }


def _inspection_section(request, inspection) -> dict | None:
    user = request.user
    notice = None
    if services.may_read_inspection_notice(user, inspection):
        notice = RectificationNotice.objects.filter(inspection=inspection, finding__isnull=True).first()
    has_findings = inspection.findings.exists()
    may_issue = has_findings and services.may_issue_notice(user, inspection)
    campaigns = list(inspection.campaigns.order_by("-starts_on"))
    may_link = services.may_link_to_campaign(user, inspection)
    link_form = CampaignLinkForm(day=timezone.localdate(inspection.started_at)) if may_link else None
    if link_form is not None and not link_form.fields["campaign"].queryset.exists():
        link_form = None
    if not (notice or may_issue or campaigns or link_form):
        return None
    return {"notice": notice, "may_issue_notice": may_issue, "campaigns": campaigns, "link_form": link_form}


def register() -> None:
    register_nav(
        NavItem(
            "supervision-board",
            _("Listed supervision"),
            "supervision:board",
            "bi-pin-angle",
            order=20,
            group="inspection",
            roles=ALL,
        )
    )
    register_nav(
        NavItem(
            "follow-ups",
            _("Follow-ups (回头看)"),
            "supervision:follow-up-list",
            "bi-eye",
            order=21,
            group="inspection",
            roles=frozenset({"town_admin", "safety_officer", "leadership"}),
        )
    )
    register_nav(
        NavItem(
            "campaigns",
            _("Campaigns"),
            "supervision:campaign-list",
            "bi-flag",
            order=22,
            group="inspection",
            roles=ALL,
        )
    )
    register_nav(
        NavItem(
            "planner",
            _("Inspection planner"),
            "supervision:planner",
            "bi-shuffle",
            order=23,
            group="inspection",
            roles=FIELD,
        )
    )
    register_panel(
        HomePanel(
            "todays-plan",
            "supervision/includes/_panel_todays_plan.html",
            _todays_plan,
            roles=frozenset({"safety_officer"}),
            order=1,
        )
    )
    register_panel(
        HomePanel(
            "follow-ups-due",
            "supervision/includes/_panel_follow_ups.html",
            _follow_ups_due,
            roles=frozenset({"safety_officer"}),
            order=7,
        )
    )
    register_panel(
        HomePanel(
            "listed-supervision",
            "supervision/includes/_panel_listed.html",
            _listed,
            roles=frozenset({"town_admin", "leadership"}),
            order=6,
        )
    )
    register_detail_section(
        DetailSection("supervision-finding", FINDING, "supervision/includes/_finding_section.html", _finding_section)
    )
    register_detail_section(
        DetailSection(
            "supervision-inspection", INSPECTION, "supervision/includes/_inspection_section.html", _inspection_section
        )
    )
