from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from chashan_safety.generic import (
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    RegistryUpdateView,
)
from chashan_safety.models import User
from chashan_safety.permissions import town_admin_required
from inspections.filters.structure import GridFilter, PatrolTeamFilter
from inspections.forms.structure import GridForm, PatrolTeamForm, PatrolTeamMemberFormSet, SectionForm, ZoneForm
from inspections.models import Grid, PatrolTeam, PatrolTeamMember, Section, Zone, ZoneVillage
from responsibility.models import Village


@login_required
def structure(request):
    """The whole "1+4+4" structure on one page: sub-bureau → sections → zones → villages → grids."""
    user = request.user
    villages = Village.objects.visible_to(user)
    zones = (
        Zone.objects.visible_to(user)
        .select_related("section__head")
        .prefetch_related(
            Prefetch(
                "village_links",
                queryset=ZoneVillage.objects.filter(village__in=villages)
                .select_related("village")
                .annotate(grid_count=Count("village__grids"))
                .order_by("village__order"),
            ),
            Prefetch("officers", queryset=User.objects.officers().order_by("full_name")),
            Prefetch(
                "teams",
                queryset=PatrolTeam.objects.visible_to(user)
                .filter(is_active=True)
                .select_related("leader")
                .annotate(member_count=Count("members")),
            ),
        )
    )
    unzoned = villages.filter(zone_link__isnull=True)
    return render(request, "inspections/structure.html", {"zones": zones, "unzoned": unzoned})


class SectionList(RegistryListView):
    model = Section
    filterset_fields = []
    select_related = ("head", "zone")
    template_name = "inspections/section_list.html"


class SectionDetail(RegistryDetailView):
    model = Section
    select_related = ("head", "zone")
    template_name = "inspections/section_detail.html"


class SectionCreate(RegistryCreateView):
    model = Section
    form_class = SectionForm


class SectionUpdate(RegistryUpdateView):
    model = Section
    form_class = SectionForm


class ZoneList(RegistryListView):
    model = Zone
    filterset_fields = []
    select_related = ("section",)
    prefetch_related = ("villages", "officers")
    template_name = "inspections/zone_list.html"


class ZoneDetail(RegistryDetailView):
    model = Zone
    select_related = ("section__head",)
    template_name = "inspections/zone_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["villages"] = (
            Village.objects.visible_to(user).filter(zone_link__zone=self.object).annotate(grid_count=Count("grids"))
        )
        context["officers"] = self.object.officers.filter(is_active=True)
        context["teams"] = PatrolTeam.objects.visible_to(user).filter(zone=self.object).select_related("leader")
        return context


class ZoneCreate(RegistryCreateView):
    model = Zone
    form_class = ZoneForm


class ZoneUpdate(RegistryUpdateView):
    model = Zone
    form_class = ZoneForm


class GridList(RegistryListView):
    model = Grid
    filterset_class = GridFilter
    select_related = ("village",)
    template_name = "inspections/grid_list.html"


class GridDetail(RegistryDetailView):
    model = Grid
    select_related = ("village__zone_link__zone",)
    template_name = "inspections/grid_detail.html"


class GridCreate(RegistryCreateView):
    model = Grid
    form_class = GridForm


class GridUpdate(RegistryUpdateView):
    model = Grid
    form_class = GridForm


class TeamList(RegistryListView):
    model = PatrolTeam
    filterset_class = PatrolTeamFilter
    select_related = ("zone", "leader")
    template_name = "inspections/team_list.html"

    def get_queryset(self):
        return super().get_queryset().annotate(member_count=Count("members"))


class TeamDetail(RegistryDetailView):
    model = PatrolTeam
    select_related = ("zone__section", "leader")
    template_name = "inspections/team_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = self.object.members.select_related("village", "user")
        return context


@town_admin_required
def team_edit(request, pk: int | None = None):
    """Create or edit a 1+N team with its members on one page."""
    team = get_object_or_404(PatrolTeam.objects.visible_to(request.user), pk=pk) if pk else PatrolTeam()
    form = PatrolTeamForm(request.POST or None, instance=team)
    formset = PatrolTeamMemberFormSet(
        request.POST or None, instance=team, queryset=PatrolTeamMember.objects.select_related("village", "user")
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            team = form.save()
            formset.instance = team
            formset.save()
        messages.success(request, _("%(object)s was saved.") % {"object": team})
        return redirect(team)
    return render(request, "inspections/team_form.html", {"form": form, "formset": formset, "object": team.pk and team})
