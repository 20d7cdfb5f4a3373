import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inspections.models import Grid, PatrolTeam, Zone
from responsibility.models import Village


def _visible_villages(request):
    if request is None:
        return Village.objects.none()
    return Village.objects.visible_to(request.user)


class GridFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    village = django_filters.ModelChoiceFilter(label=_("village"), queryset=_visible_villages)
    zone = django_filters.ModelChoiceFilter(
        label=_("zone"), queryset=Zone.objects.all(), field_name="village__zone_link__zone"
    )

    class Meta:
        model = Grid
        fields = ["q", "village", "zone"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(worker_name__icontains=value))


class PatrolTeamFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    zone = django_filters.ModelChoiceFilter(label=_("zone"), queryset=Zone.objects.all())
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = PatrolTeam
        fields = ["q", "zone", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(leader__full_name__icontains=value))
