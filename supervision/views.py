"""Pages of the supervision app: the listed-supervision board and plans, 回头看 and rounds,
campaigns, the planner and the rectification notices.

Every read starts from ``visible_to(user)``: what lies outside the user's scope answers 404. The
views check access, validate a form, call one service and redirect with a message.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from chashan_safety.permissions import roles_required, town_admin_required
from inspections.models import Finding, FindingStatus, Inspection, Site
from inspections.photos import process_photos
from responsibility.letters import PdfUnavailable
from supervision import services
from supervision.forms import (
    CampaignCategoryForm,
    CampaignForm,
    CampaignLinkForm,
    FollowUpRecordForm,
    FollowUpRoundForm,
    PlannerForm,
    RectificationPlanForm,
)
from supervision.models import (
    Campaign,
    FollowUp,
    FollowUpRound,
    InspectionPlan,
    PlannedVisit,
    RectificationNotice,
    RectificationPlan,
)
from supervision.notices import notice_filename, notice_pdf

log = logging.getLogger(__name__)

PAGE_SIZE = 25
FIELD_ROLES = ("town_admin", "safety_officer")


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- listed supervision ---------------------------------------------------------------------------


def _plan_complete_q(prefix: str = "rectification_plan__") -> Q:
    return (
        Q(**{f"{prefix}isnull": False})
        & ~Q(**{f"{prefix}responsible_person": ""})
        & ~Q(**{f"{prefix}measures": ""})
        & ~Q(**{f"{prefix}contingency_plan": ""})
        & Q(**{f"{prefix}funds__isnull": False, f"{prefix}deadline__isnull": False})
    )


@login_required
def board(request):
    """挂牌督办: every major finding not yet closed, with the state of its 五落实 plan."""
    user = request.user
    today = timezone.localdate()
    listed = Finding.objects.visible_to(user).major().exclude(status=FindingStatus.CLOSED)
    counts = listed.aggregate(
        listed=Count("pk"),
        overdue=Count("pk", filter=Q(deadline__lt=today)),
        plan_complete=Count("pk", filter=_plan_complete_q()),
    )
    counts["plan_incomplete"] = counts["listed"] - counts["plan_complete"]
    shown = request.GET.get("plan", "")
    rows = listed
    if shown == "incomplete":
        rows = rows.exclude(_plan_complete_q())
    elif shown == "complete":
        rows = rows.filter(_plan_complete_q())
    rows = rows.select_related(
        "site", "village", "responsible_village", "responsible_unit", "rectification_plan"
    ).order_by("deadline", "pk")
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    recently_delisted = (
        Finding.objects.visible_to(user)
        .major()
        .filter(status=FindingStatus.CLOSED)
        .select_related("site", "village")
        .order_by("-closed_at", "-pk")[:5]
    )
    return render(
        request,
        "supervision/board.html",
        {
            "page_obj": page_obj,
            "counts": counts,
            "shown": shown,
            "today": today,
            "recently_delisted": recently_delisted,
        },
    )


@login_required
def plan_edit(request, pk: int):
    """Write a major finding's 五落实 plan, prefilled from what the finding already says."""
    user = request.user
    finding = get_object_or_404(
        Finding.objects.visible_to(user).select_related("site", "village", "responsible_village", "responsible_unit"),
        pk=pk,
    )
    if not finding.is_major:
        messages.error(request, _("Only a major hazard is under listed supervision with a rectification plan."))
        return redirect(finding)
    if not services.may_edit_plan(user, finding):
        raise PermissionDenied
    plan = RectificationPlan.objects.filter(finding=finding).first()
    initial = {} if plan else services.plan_initial(finding)
    form = RectificationPlanForm(request.POST or None, instance=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.plan_save(finding=finding, by=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if saved.is_complete:
                messages.success(request, _("The rectification plan is complete; the fix can now be submitted."))
            else:
                messages.warning(
                    request,
                    _("The plan was saved. Still missing: %(parts)s.") % {"parts": "、".join(saved.missing())},
                )
            return redirect(finding)
    return render(request, "supervision/plan_form.html", {"form": form, "finding": finding, "plan": plan})


# --- 回头看 -----------------------------------------------------------------------------------------


def _follow_ups(user):
    return FollowUp.objects.visible_to(user).select_related("finding__site", "finding__village", "round", "done_by")


@login_required
def follow_up_list(request):
    """The follow-ups waiting in the user's scope (overdue first), and the latest recorded."""
    user = request.user
    today = timezone.localdate()
    waiting = _follow_ups(user).pending()
    counts = waiting.aggregate(
        waiting=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        this_week=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=7))),
    )
    when = request.GET.get("due", "")
    if when == "overdue":
        waiting = waiting.filter(due_on__lt=today)
    elif when == "week":
        # the overdue have their own tab: this one lists what its badge counts
        waiting = waiting.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=7))
    page_obj = Paginator(waiting.order_by("due_on", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    recent = _follow_ups(user).done().order_by("-done_at", "-pk")[:10]
    return render(
        request,
        "supervision/follow_up_list.html",
        {"page_obj": page_obj, "counts": counts, "due": when, "recent": recent, "today": today},
    )


@login_required
def follow_up_figures(request):
    """How many follow-ups held and how many found the hazard back, per village, counted in the database."""
    user = request.user
    done = FollowUp.objects.visible_to(user).done()
    year = request.GET.get("year", "")
    if year.isdigit():
        done = done.filter(done_at__year=int(year))
    rows = (
        done.values(village=F("finding__village__name"), village_order=F("finding__village__order"))
        .annotate(
            total=Count("pk"),
            held=Count("pk", filter=Q(result=FollowUp.Result.HELD)),
            relapsed=Count("pk", filter=Q(result=FollowUp.Result.RELAPSED)),
        )
        .order_by("village_order", "village")
    )
    totals = done.aggregate(
        total=Count("pk"),
        held=Count("pk", filter=Q(result=FollowUp.Result.HELD)),
        relapsed=Count("pk", filter=Q(result=FollowUp.Result.RELAPSED)),
    )
    waiting = FollowUp.objects.visible_to(user).pending().count()
    years = FollowUp.objects.visible_to(user).done().dates("done_at", "year", order="DESC")
    return render(
        request,
        "supervision/follow_up_figures.html",
        {"rows": rows, "totals": totals, "waiting": waiting, "year": year, "years": [d.year for d in years]},
    )


def _render_follow_up(request, follow_up: FollowUp, form=None, status: int = 200):
    user = request.user
    finding = follow_up.finding
    may_record = follow_up.is_pending and services.may_follow_up(user, finding)
    context = {
        "follow_up": follow_up,
        "finding": finding,
        "may_record": may_record,
        "form": form or (FollowUpRecordForm(auto_id="follow_up-%s") if may_record else None),
        "earlier": FollowUp.objects.filter(finding=finding).exclude(pk=follow_up.pk).select_related("done_by"),
    }
    return render(request, "supervision/follow_up_detail.html", context, status=status)


@login_required
def follow_up_detail(request, pk: int):
    """A follow-up, and for the zone's officer the form that records what the look back found."""
    user = request.user
    follow_up = get_object_or_404(_follow_ups(user), pk=pk)
    if request.method != "POST":
        return _render_follow_up(request, follow_up)
    if not services.may_follow_up(user, follow_up.finding):
        raise PermissionDenied
    form = FollowUpRecordForm(request.POST, request.FILES, auto_id="follow_up-%s")
    if not form.is_valid():
        return _render_follow_up(request, follow_up, form)
    try:
        photos = process_photos(form.cleaned_data["photos"])
    except ValidationError as error:
        form.add_error("photos", error)
        return _render_follow_up(request, follow_up, form)
    data = form.cleaned_data
    try:
        services.follow_up_record(
            follow_up=follow_up,
            by=user,
            result=data["result"],
            note=data["note"],
            deadline=data["deadline"] if data["result"] == FollowUp.Result.RELAPSED else None,
            photos=photos,
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(follow_up)
    if data["result"] == FollowUp.Result.HELD:
        messages.success(request, _("The follow-up was recorded: the fix held."))
    else:
        messages.warning(
            request,
            _("The hazard is back: the finding was reopened with the deadline %(deadline)s.")
            % {"deadline": data["deadline"].isoformat()},
        )
    return redirect(follow_up.finding)


@require_POST
@login_required
def follow_up_schedule(request, pk: int):
    """Look back at a closed finding now, outside any round."""
    user = request.user
    finding = get_object_or_404(Finding.objects.visible_to(user), pk=pk)
    if not services.may_follow_up(user, finding):
        raise PermissionDenied
    try:
        follow_up = services.follow_up_schedule(finding=finding, by=user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(finding)
    return redirect(follow_up)


@login_required
def round_list(request):
    user = request.user
    rounds = (
        FollowUpRound.objects.visible_to(user)
        .select_related("created_by")
        .annotate(
            drawn=Count("follow_ups"),
            done=Count("follow_ups", filter=Q(follow_ups__done_at__isnull=False)),
            relapsed=Count("follow_ups", filter=Q(follow_ups__result=FollowUp.Result.RELAPSED)),
        )
        .order_by("-created_at", "-pk")
    )
    page_obj = Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/round_list.html",
        {"page_obj": page_obj, "may_draw": user.is_town_admin or user.is_safety_officer},
    )


@roles_required(*FIELD_ROLES)
def round_create(request):
    """Draw a round: a share of the closed findings of each village, reproducible from its seed."""
    user = request.user
    form = FollowUpRoundForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            drawn = services.round_draw(
                by=user,
                name=data["name"],
                share=data["share"],
                due_on=data["due_on"],
                seed=data["seed"],
                closed_from=data["closed_from"],
                closed_to=data["closed_to"],
                villages=list(data["villages"]) or None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = drawn.follow_ups.count()
            messages.success(
                request,
                ngettext(
                    "%(count)d finding was drawn for the round.", "%(count)d findings were drawn for the round.", count
                )
                % {"count": count},
            )
            return redirect(drawn)
    return render(request, "supervision/round_form.html", {"form": form})


@login_required
def round_detail(request, pk: int):
    user = request.user
    drawn = get_object_or_404(FollowUpRound.objects.visible_to(user).select_related("created_by"), pk=pk)
    follow_ups = _follow_ups(user).filter(round=drawn).order_by("finding__village__order", "finding__number")
    counts = follow_ups.aggregate(
        drawn=Count("pk"),
        done=Count("pk", filter=Q(done_at__isnull=False)),
        held=Count("pk", filter=Q(result=FollowUp.Result.HELD)),
        relapsed=Count("pk", filter=Q(result=FollowUp.Result.RELAPSED)),
    )
    page_obj = Paginator(follow_ups, 50).get_page(request.GET.get("page"))
    return render(request, "supervision/round_detail.html", {"round": drawn, "page_obj": page_obj, "counts": counts})


# --- campaigns ---------------------------------------------------------------------------------------


def _campaign_figures(findings, today):
    return {
        "found": Count("pk"),
        "fixed": Count("pk", filter=Q(status=FindingStatus.CLOSED)),
        "overdue": Count("pk", filter=~Q(status=FindingStatus.CLOSED) & Q(deadline__lt=today)),
        "major": Count("pk", filter=Q(grade=Finding.Grade.MAJOR)),
    }


def campaign_progress(campaign: Campaign, user) -> dict:
    """Found, fixed and overdue per village among the campaign's findings the user may see."""
    today = timezone.localdate()
    findings = Finding.objects.visible_to(user).filter(services.campaign_findings_q(campaign))
    totals = findings.aggregate(**_campaign_figures(findings, today))
    by_village = (
        findings.values(village_name=F("village__name"), village_order=F("village__order"))
        .annotate(**_campaign_figures(findings, today))
        .order_by("village_order", "village_name")
    )
    by_category = findings.values("category").annotate(**_campaign_figures(findings, today)).order_by("-found")
    labels = dict(Finding.Category.choices)
    categories = [{**row, "label": labels.get(row["category"], row["category"])} for row in by_category]
    for row in [totals, *by_village, *categories]:
        row["rate"] = round(100 * row["fixed"] / row["found"]) if row["found"] else None
    inspections = Inspection.objects.visible_to(user).filter(campaigns=campaign)
    return {
        "totals": totals,
        "by_village": list(by_village),
        "by_category": categories,
        "inspection_count": inspections.count(),
        "night_count": inspections.filter(kind=Inspection.Kind.NIGHT).count(),
        "today": today,
    }


@login_required
def campaign_list(request):
    user = request.user
    campaigns = Campaign.objects.visible_to(user).select_related("category").order_by("-starts_on", "name")
    page_obj = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/campaign_list.html",
        {"page_obj": page_obj, "today": timezone.localdate(), "may_manage": user.is_town_admin},
    )


@town_admin_required
def campaign_edit(request, pk: int | None = None):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk) if pk else None
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if campaign is None:
            saved.created_by = request.user
        saved._history_user = request.user
        saved.save()
        messages.success(request, _("%(object)s was saved.") % {"object": saved})
        return redirect(saved)
    return render(request, "supervision/campaign_form.html", {"form": form, "campaign": campaign})


@town_admin_required
def category_create(request):
    form = CampaignCategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        category = form.save()
        messages.success(request, _("%(object)s was saved.") % {"object": category})
        return redirect("supervision:campaign-create")
    return render(request, "supervision/category_form.html", {"form": form})


def _campaign_page(request, pk: int, template: str):
    user = request.user
    campaign = get_object_or_404(Campaign.objects.visible_to(user).select_related("category", "created_by"), pk=pk)
    context = {"campaign": campaign, "may_manage": user.is_town_admin, **campaign_progress(campaign, user)}
    if template.endswith("campaign_detail.html"):
        context["recent_inspections"] = (
            Inspection.objects.visible_to(user)
            .filter(campaigns=campaign)
            .select_related("site__village", "led_by")
            .order_by("-started_at", "-pk")[:10]
        )
    return render(request, template, context)


@login_required
def campaign_detail(request, pk: int):
    return _campaign_page(request, pk, "supervision/campaign_detail.html")


@login_required
def campaign_report(request, pk: int):
    """The campaign's report for leadership: totals, progress by village and by hazard, printable."""
    return _campaign_page(request, pk, "supervision/campaign_report.html")


@require_POST
@town_admin_required
def campaign_link_matching(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    try:
        count = services.campaign_link_matching(campaign=campaign, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            ngettext("%(count)d finding was linked.", "%(count)d findings were linked.", count) % {"count": count},
        )
    return redirect(campaign)


@require_POST
@roles_required(*FIELD_ROLES)
def campaign_link_inspection(request, pk: int):
    user = request.user
    inspection = get_object_or_404(Inspection.objects.visible_to(user).select_related("site"), pk=pk)
    if not services.may_link_to_campaign(user, inspection):
        raise PermissionDenied
    form = CampaignLinkForm(request.POST, day=timezone.localdate(inspection.started_at))
    if not form.is_valid():
        messages.error(request, _("Choose a campaign running on the day of the inspection."))
        return redirect(inspection)
    campaign = form.cleaned_data["campaign"]
    try:
        linked = services.campaign_link_inspection(campaign=campaign, inspection=inspection, by=user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if linked:
            messages.success(request, _("The inspection now counts in %(campaign)s.") % {"campaign": campaign})
        else:
            messages.info(request, _("The inspection already counts in %(campaign)s.") % {"campaign": campaign})
    return redirect(inspection)


# --- the planner -----------------------------------------------------------------------------------------


def _plans(user):
    return InspectionPlan.objects.visible_to(user).select_related("team__zone", "created_by")


@roles_required(*FIELD_ROLES)
def planner(request):
    """Draw targets for a surprise or night inspection; lists the plans of the days ahead."""
    user = request.user
    form = PlannerForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_draw(
                by=user, team=data["team"], kind=data["kind"], planned_for=data["planned_for"], size=data["size"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Targets were drawn. Redraw or swap any of them, then accept the plan."))
            return redirect(plan)
    upcoming = (
        _plans(user)
        .filter(planned_for__gte=timezone.localdate())
        .annotate(visit_count=Count("visits"))
        .order_by("planned_for", "pk")[:20]
    )
    return render(request, "supervision/planner.html", {"form": form, "upcoming": upcoming})


@roles_required(*FIELD_ROLES)
def plan_detail(request, pk: int):
    user = request.user
    plan = get_object_or_404(_plans(user), pk=pk)
    visits = list(services.visits_with_progress(InspectionPlan.objects.filter(pk=plan.pk)))
    return render(
        request,
        "supervision/plan_detail.html",
        {"plan": plan, "visits": visits, "may_change": plan.is_draft and services.may_plan_for(user, plan.team)},
    )


def _plan_action(request, pk: int, act):
    user = request.user
    plan = get_object_or_404(_plans(user), pk=pk)
    if not services.may_plan_for(user, plan.team):
        raise PermissionDenied
    try:
        message = act(plan, user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, message)
    return redirect(plan)


@require_POST
@roles_required(*FIELD_ROLES)
def plan_redraw(request, pk: int):
    def act(plan, user):
        services.plan_redraw(plan=plan, by=user)
        return _("All targets were drawn again.")

    return _plan_action(request, pk, act)


@require_POST
@roles_required(*FIELD_ROLES)
def plan_swap(request, pk: int, visit_pk: int):
    def act(plan, user):
        visit = get_object_or_404(PlannedVisit.objects.select_related("site"), pk=visit_pk, plan=plan)
        old = visit.site.name
        visit = services.plan_swap(plan=plan, visit=visit, by=user)
        visit.refresh_from_db()
        return _("%(old)s was swapped for %(new)s.") % {"old": old, "new": Site.objects.get(pk=visit.site_id).name}

    return _plan_action(request, pk, act)


@require_POST
@roles_required(*FIELD_ROLES)
def plan_accept(request, pk: int):
    def act(plan, user):
        services.plan_accept(plan=plan, by=user)
        return _("The plan was accepted: it is the team's inspections for %(date)s.") % {
            "date": plan.planned_for.isoformat()
        }

    return _plan_action(request, pk, act)


# --- rectification notices --------------------------------------------------------------------------


def _notice_response(request, notice: RectificationNotice, back_url: str):
    try:
        pdf = notice_pdf(notice)
    except PdfUnavailable as error:
        log.warning("rectification notice %s: no PDF: %s", notice.pk, error)
        return render(request, "supervision/pdf_unavailable.html", {"back_url": back_url}, status=503)
    return FileResponse(
        io.BytesIO(pdf), content_type="application/pdf", as_attachment=True, filename=notice_filename(notice)
    )


def _issue_or_find(request, *, inspection: Inspection, finding: Finding | None, back_url: str):
    user = request.user
    try:
        notice = services.notice_issue(inspection=inspection, finding=finding, by=user)
    except PermissionDenied:
        messages.error(request, _("No rectification notice has been issued for this yet."))
        return None
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return None
    return notice


@login_required
def notice_for_finding(request, pk: int):
    finding = get_object_or_404(
        Finding.objects.visible_to(request.user).select_related("inspection__site", "inspection__led_by"), pk=pk
    )
    notice = _issue_or_find(
        request, inspection=finding.inspection, finding=finding, back_url=finding.get_absolute_url()
    )
    if notice is None:
        return redirect(finding)
    return _notice_response(request, notice, finding.get_absolute_url())


@login_required
def notice_for_inspection(request, pk: int):
    inspection = get_object_or_404(Inspection.objects.visible_to(request.user).select_related("site", "led_by"), pk=pk)
    if not services.may_read_inspection_notice(request.user, inspection):
        raise Http404
    notice = _issue_or_find(request, inspection=inspection, finding=None, back_url=inspection.get_absolute_url())
    if notice is None:
        return redirect(inspection)
    return _notice_response(request, notice, inspection.get_absolute_url())
