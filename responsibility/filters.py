import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from responsibility.models import PartyKind, ResponsibilityLetter, Unit, Village


class VillageFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Village
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(head__icontains=value))


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Unit
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(industries__icontains=value) | Q(head__icontains=value))


# --- responsibility letters -------------------------------------------------------------------------


def letter_years() -> list[int]:
    """The years letters were issued for, newest first, with this year always offered."""
    years = set(ResponsibilityLetter.objects.order_by().values_list("year", flat=True).distinct())
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def zone_choices() -> list[tuple[int, str]]:
    """The zones that hold villages, read through the villages (this app imports no other)."""
    rows = (
        Village.objects.filter(zone_link__isnull=False)
        .order_by("zone_link__zone__order", "zone_link__zone__name")
        .values_list("zone_link__zone_id", "zone_link__zone__name")
        .distinct()
    )
    return list(rows)


def _party_kind(queryset, name, value):
    return queryset.filter(template__party_kind=value) if value else queryset


class ResponsibilityLetterFilter(django_filters.FilterSet):
    """The progress board's filter: kind of party, zone, and whether signed, unsigned or late."""

    class Status:
        SIGNED = "signed"
        UNSIGNED = "unsigned"
        LATE = "late"

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PartyKind.choices, method=_party_kind)
    zone = django_filters.ChoiceFilter(label=_("Zone"), choices=zone_choices, method="by_zone")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(Status.SIGNED, _("Signed")), (Status.UNSIGNED, _("Not signed")), (Status.LATE, _("Late"))],
        method="by_status",
    )
    year = django_filters.NumberFilter(label=_("Year"), method="keep", widget=forms.HiddenInput)

    class Meta:
        model = ResponsibilityLetter
        fields = ["year", "kind", "zone", "status"]

    def keep(self, queryset, name, value):
        return queryset  # the view picks the year; the field keeps it in the form

    def by_zone(self, queryset, name, value):
        return queryset.filter(village__zone_link__zone_id=value) if value else queryset

    def by_status(self, queryset, name, value):
        if value == self.Status.SIGNED:
            return queryset.filter(signed_at__isnull=False)
        if value == self.Status.UNSIGNED:
            return queryset.filter(signed_at__isnull=True)
        if value == self.Status.LATE:
            return queryset.filter(signed_at__isnull=True, deadline__lt=timezone.localdate())
        return queryset

    @property
    def qs_without_status(self):
        """The letters as filtered by kind and zone only: the progress figures of what is shown."""
        queryset = self.queryset
        data = self.form.cleaned_data
        queryset = _party_kind(queryset, "kind", data.get("kind"))
        return self.by_zone(queryset, "zone", data.get("zone"))


class ScorecardFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PartyKind.choices, method=_party_kind)
    year = django_filters.NumberFilter(label=_("Year"), method="keep", widget=forms.HiddenInput)

    class Meta:
        model = ResponsibilityLetter
        fields = ["year", "kind"]

    def keep(self, queryset, name, value):
        return queryset
