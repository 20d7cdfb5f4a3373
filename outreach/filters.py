"""Filters of the carrier and activity lists; every choice offered is one the user may see."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outreach.coverage import outreach_villages
from outreach.models import Activity, Carrier, CarrierType
from responsibility.models import Village


def _villages(request):
    if request is None:
        return Village.objects.none()
    return outreach_villages(request.user).order_by("order", "name")


def _carriers(request):
    if request is None:
        return Carrier.objects.none()
    return Carrier.objects.visible_to(request.user).select_related("village").order_by("village__order", "name")


class DateInput(forms.DateInput):
    input_type = "date"


class CarrierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Name or address"), "type": "search"}),
    )
    village = django_filters.ModelChoiceFilter(label=_("Village"), queryset=_villages)
    type = django_filters.ModelChoiceFilter(
        label=_("Carrier type"), queryset=CarrierType.objects.order_by("order", "name")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Carrier.Status.choices)

    class Meta:
        model = Carrier
        fields = ["q", "village", "type", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value)) if value else queryset


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Title, organiser or notes"), "type": "search"}),
    )
    village = django_filters.ModelChoiceFilter(label=_("Village"), queryset=_villages)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Activity.Kind.choices)
    carrier = django_filters.ModelChoiceFilter(label=_("Carrier"), queryset=_carriers)
    year = django_filters.NumberFilter(label=_("Year"), field_name="held_on", lookup_expr="year", min_value=2000)
    held_from = django_filters.DateFilter(
        label=_("From"), field_name="held_on", lookup_expr="gte", widget=DateInput(format="%Y-%m-%d")
    )
    held_to = django_filters.DateFilter(
        label=_("To"), field_name="held_on", lookup_expr="lte", widget=DateInput(format="%Y-%m-%d")
    )

    class Meta:
        model = Activity
        fields = ["q", "village", "kind", "carrier", "year", "held_from", "held_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(organiser__icontains=value) | Q(notes__icontains=value))
