"""The incident register's filters: shared by the list, its Excel export and the dashboard's drill-downs."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incidents.models import EARLIEST_YEAR, Incident, day_start
from inspections.filters.findings import DateInput
from inspections.models import Zone, ZoneVillage
from responsibility.models import Village

ALL = _("All")
YES = "yes"
DEATHS = "deaths"


class IncidentFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("occurred_from"), cleaned.get("occurred_to")
        if start and end and start > end:
            self.add_error(
                "occurred_to",
                _("The end date (%(end)s) is before the start date (%(start)s).")
                % {"start": start.isoformat(), "end": end.isoformat()},
            )
        return cleaned


class IncidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Summary, cause, place or site"), "type": "search"}),
    )
    year = django_filters.NumberFilter(label=_("Year"), method="filter_year", min_value=EARLIEST_YEAR, max_value=2100)
    occurred_from = django_filters.DateFilter(label=_("From"), method="filter_from", widget=DateInput())
    occurred_to = django_filters.DateFilter(label=_("Until"), method="filter_to", widget=DateInput())
    village = django_filters.ChoiceFilter(label=_("village"), method="filter_village", empty_label=ALL)
    zone = django_filters.ChoiceFilter(label=_("zone"), method="filter_zone", empty_label=ALL)
    category = django_filters.ChoiceFilter(label=_("type"), choices=Incident.Category.choices, empty_label=ALL)
    casualties = django_filters.ChoiceFilter(
        label=_("Casualties"),
        choices=[(YES, _("With deaths or injuries")), (DEATHS, _("With deaths"))],
        method="filter_casualties",
        empty_label=ALL,
    )

    class Meta:
        model = Incident
        form = IncidentFilterForm
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        villages = Village.objects.visible_to(user) if user is not None else Village.objects.none()
        self.form.fields["village"].choices = list(villages.order_by("order", "name").values_list("pk", "name"))
        self.form.fields["zone"].choices = list(Zone.objects.order_by("order", "name").values_list("pk", "name"))

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(summary__icontains=value)
            | Q(cause__icontains=value)
            | Q(location__icontains=value)
            | Q(site__name__icontains=value)
        )

    def filter_year(self, queryset, name, value):
        return queryset.in_year(int(value))

    # whole local days, as a range on the indexed column rather than a date cast of it
    def filter_from(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(occurred_at__lt=day_start(value + dt.timedelta(days=1)))

    def filter_village(self, queryset, name, value):
        return queryset.filter(village_id=value)

    def filter_zone(self, queryset, name, value):
        return queryset.filter(village_id__in=ZoneVillage.objects.filter(zone_id=value).values("village_id"))

    def filter_casualties(self, queryset, name, value):
        return queryset.filter(deaths__gt=0) if value == DEATHS else queryset.with_casualties()
