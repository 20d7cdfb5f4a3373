"""The ledger's filters (台账筛选): shared by the findings list and its Excel export.

Every filter narrows ``Finding.objects.visible_to(user)``, so a filter can never widen what a
user may see: a village outside the user's scope is simply not a valid choice.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.models import Finding, FindingStatus, Site, Zone, ZoneVillage
from responsibility.models import Village

#: every status before close-out (销号): what "open" means on dashboards and in counts
OPEN_STATUSES = [status for status in FindingStatus.values if status != FindingStatus.CLOSED]
NOT_CLOSED = "not_closed"
YES, NO = "yes", "no"
ALL = _("All")


def _visible_sites(request):
    if request is None:
        return Site.objects.none()
    return Site.objects.visible_to(request.user)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class FindingFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("found_from"), cleaned.get("found_to")
        if start and end and start > end:
            self.add_error(
                "found_to",
                _("The end date (%(end)s) is before the start date (%(start)s).")
                % {"start": start.isoformat(), "end": end.isoformat()},
            )
        return cleaned


class FindingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Description, site or number"), "type": "search"}),
    )
    # villages and zones are few: their choices are read once as (id, name) pairs, which also validates
    # them, rather than through model choice fields that query again to check the value chosen
    village = django_filters.ChoiceFilter(label=_("village"), method="filter_village", empty_label=ALL)
    zone = django_filters.ChoiceFilter(label=_("zone"), method="filter_zone", empty_label=ALL)
    site = django_filters.ModelChoiceFilter(queryset=_visible_sites, widget=forms.HiddenInput)
    category = django_filters.ChoiceFilter(label=_("category"), choices=Finding.Category.choices, empty_label=ALL)
    grade = django_filters.ChoiceFilter(label=_("grade"), choices=Finding.Grade.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(
        label=_("status"),
        choices=[(NOT_CLOSED, _("Not closed yet")), *FindingStatus.choices],
        method="filter_status",
        empty_label=ALL,
    )
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"),
        choices=[(YES, _("Overdue only")), (NO, _("Not overdue"))],
        method="filter_overdue",
        empty_label=ALL,
    )
    found_from = django_filters.DateFilter(
        label=_("Found from"), field_name="found_on", lookup_expr="gte", widget=DateInput()
    )
    found_to = django_filters.DateFilter(
        label=_("Found until"), field_name="found_on", lookup_expr="lte", widget=DateInput()
    )
    closed_year = YearFilter(
        label=_("Closed in (year)"), field_name="closed_at", lookup_expr="year", min_value=2000, max_value=2100
    )
    mine = django_filters.ChoiceFilter(
        label=_("Responsibility"), choices=[(YES, _("Ours to fix"))], method="filter_mine", empty_label=ALL
    )

    class Meta:
        model = Finding
        form = FindingFilterForm
        fields: list[str] = []

    #: form classes by the filters they hold; django-filter would build a new class per request
    _form_classes: dict[tuple[str, ...], type[forms.Form]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if not (user is not None and (user.is_village_office or user.is_unit_office)):
            # "ours to fix" means something only to a village or unit office
            del self.filters["mine"]
        # what depends on the user goes on this request's form, not on the shared form class
        villages = Village.objects.visible_to(user) if user is not None else Village.objects.none()
        # both lists in one round trip, the page people open most: the villages the user may see
        # through the ORM, the zones (the same for everyone) appended in SQL, which the ORM would
        # take longer to build as a union than the database takes to answer
        listed = villages.order_by().values_list("order", "name", "pk")
        zone_table = connections[listed.db].ops.quote_name(Zone._meta.db_table)
        statement = f"SELECT 'z', z.\"order\", z.name, z.id FROM {zone_table} z"  # noqa: S608 (a model's table)  # nosec B608
        try:
            sql, params = listed.query.get_compiler(listed.db).as_sql()
        except EmptyResultSet:  # a user who may see no village
            params = ()
        else:
            statement = f"SELECT 'v', v.* FROM ({sql}) v UNION ALL {statement}"  # noqa: S608 (the ORM's SQL)  # nosec B608
        statement += " ORDER BY 1, 2, 3"
        choices = {"v": [], "z": []}
        with connections[listed.db].cursor() as cursor:
            cursor.execute(statement, params)
            for kind, _order, name, pk in cursor.fetchall():
                choices[kind].append((pk, name))
        fields = self.form.fields
        fields["village"].choices = choices["v"]
        fields["zone"].choices = choices["z"]
        fields["site"].queryset = _visible_sites(self.request)

    def get_form_class(self):
        key = tuple(self.filters)
        if key not in self._form_classes:
            self._form_classes[key] = super().get_form_class()
        return self._form_classes[key]

    # --- the filters that are more than a lookup -------------------------------------------------

    def search(self, queryset, name, value):
        return queryset.search(value)

    def filter_village(self, queryset, name, value):
        return queryset.filter(village_id=value)

    def filter_zone(self, queryset, name, value):
        return queryset.filter(village_id__in=ZoneVillage.objects.filter(zone_id=value).values("village_id"))

    def filter_status(self, queryset, name, value):
        if value == NOT_CLOSED:
            # an IN list rather than "not closed", so that the (status, …) indexes apply
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        # the queryset methods' conditions match the partial indexes on findings not yet closed
        if value == YES:
            return queryset.overdue(today)
        return queryset.not_overdue(today)

    def filter_mine(self, queryset, name, value):
        user = self.request.user
        if user.is_village_office:
            return queryset.filter(responsible_village_id=user.village_id)
        return queryset.filter(responsible_unit_id=user.unit_id)
