import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import Grid, Site, Zone
from responsibility.models import Village


def _visible_villages(request):
    if request is None:
        return Village.objects.none()
    return Village.objects.visible_to(request.user)


def _visible_grids(request):
    if request is None:
        return Grid.objects.none()
    # the option label names the village: fetched in the same query
    return Grid.objects.visible_to(request.user).select_related("village")


class SiteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Name, address or contact person"), "type": "search"}),
    )
    village = django_filters.ModelChoiceFilter(label=_("Village"), queryset=_visible_villages)
    zone = django_filters.ModelChoiceFilter(
        label=_("Zone"), queryset=Zone.objects.all(), field_name="village__zone_link__zone"
    )
    grid = django_filters.ModelChoiceFilter(label=_("Grid"), queryset=_visible_grids)
    risk_level = django_filters.ChoiceFilter(label=_("Risk level"), choices=Site.RiskLevel.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Site.Kind.choices)
    industry = django_filters.CharFilter(label=_("Industry"), lookup_expr="icontains")
    is_active = django_filters.BooleanFilter(label=_("In operation"))

    class Meta:
        model = Site
        fields = ["q", "village", "zone", "grid", "risk_level", "kind", "industry", "is_active"]

    def search(self, queryset, name, value):
        return queryset.search(value)
