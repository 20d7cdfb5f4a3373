"""Forms of the outreach app: carriers, activities (with photos from a phone), visitor counts, types."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.forms.inspections import PhotosField
from outreach.models import Activity, Carrier, CarrierType
from outreach.services import check_activity_carrier, recordable_villages

#: the first year of the coverage matrix, the calendar and the ledger
FIRST_YEAR = 2000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class CarrierTypeForm(forms.ModelForm):
    class Meta:
        model = CarrierType
        fields = ["name", "tier", "is_venue", "expected_in_every_village", "description", "order", "is_active"]


class CarrierForm(forms.ModelForm):
    photos = PhotosField(label=_("photos"))

    class Meta:
        model = Carrier
        fields = [
            "type",
            "name",
            "village",
            "address",
            "latitude",
            "longitude",
            "status",
            "opening_hours",
            "capacity",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "opening_hours": _("Venues only, e.g. Tuesday to Sunday 9:00–17:00."),
            "latitude": _("Optional; with the longitude, the carrier's point on a map."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        types = CarrierType.objects.active()
        if self.instance.pk:
            types = CarrierType.objects.filter(is_active=True) | CarrierType.objects.filter(pk=self.instance.type_id)
        self.fields["type"].queryset = types.order_by("order", "name")
        self.fields["village"].queryset = recordable_villages(user)
        self.fields["village"].error_messages["invalid_choice"] = _(
            "That village is not one you may record carriers for."
        )
        if not self.instance.pk and self.fields["village"].queryset.count() == 1:
            self.initial.setdefault("village", self.fields["village"].queryset.first())

    def full_clean(self):
        # a phone reports more decimals than a 6-place column keeps: round before validating
        if self.is_bound:
            self.data = self.data.copy()
            for name in ("latitude", "longitude"):
                value = self.data.get(self.add_prefix(name), "")
                try:
                    if value not in ("", None):
                        self.data[self.add_prefix(name)] = str(round(Decimal(value), 6))
                except ArithmeticError:
                    pass  # the field reports it is not a number
        super().full_clean()

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None):
            raise ValidationError(_("Give both the latitude and the longitude, or neither."))
        if latitude is not None and not -90 <= latitude <= 90:
            self.add_error("latitude", _("A latitude lies between -90 and 90."))
        if longitude is not None and not -180 <= longitude <= 180:
            self.add_error("longitude", _("A longitude lies between -180 and 180."))
        return cleaned


class ActivityForm(forms.ModelForm):
    photos = PhotosField(label=_("photos"))

    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "held_on",
            "village",
            "carrier",
            "organiser",
            "audience_count",
            "feedback_score",
            "notes",
        ]
        widgets = {
            "held_on": DateInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "audience_count": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {
            "audience_count": _("How many people took part; may stay empty for an activity still to come."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["village"].queryset = recordable_villages(user)
        self.fields["village"].error_messages["invalid_choice"] = _(
            "That village is not one you may record activities for."
        )
        # the carriers of the villages the user may record for; another village's carrier is not a choice
        carriers = Carrier.objects.visible_to(user).filter(village__in=recordable_villages(user))
        self.fields["carrier"].queryset = carriers.select_related("village", "type").order_by(
            "village__order", "type__order", "name"
        )
        self.fields["carrier"].label_from_instance = self._carrier_label
        self.fields["carrier"].error_messages["invalid_choice"] = _(
            "That carrier is not one you may record activities in. Choose one of your village's carriers."
        )
        self.fields["audience_count"].min_value = 0
        self.fields["audience_count"].widget.attrs["min"] = 0
        self.fields["audience_count"].error_messages["min_value"] = _("The audience cannot be fewer than zero people.")
        self.fields["feedback_score"].widget.attrs.update({"min": 1, "max": 5, "step": "0.1"})
        # 999 breaks the column's digits before clean_feedback_score sees it: say the rule instead
        self.fields["feedback_score"].error_messages["max_whole_digits"] = _("A feedback score lies between 1 and 5.")
        self.fields["feedback_score"].error_messages["max_digits"] = _("A feedback score lies between 1 and 5.")
        if not self.instance.pk:
            villages = self.fields["village"].queryset
            if villages.count() == 1:
                self.initial.setdefault("village", villages.first())
            self.initial.setdefault("held_on", timezone.localdate())

    @staticmethod
    def _carrier_label(carrier: Carrier) -> str:
        label = f"{carrier.village.name} · {carrier.name}（{carrier.type.name}）"
        if carrier.is_retired:
            label += f" · {carrier.get_status_display()}"
        return label

    def clean_audience_count(self):
        count = self.cleaned_data.get("audience_count")
        if count is not None and count < 0:
            raise ValidationError(_("The audience cannot be fewer than zero people."))
        return count

    def clean_feedback_score(self):
        score = self.cleaned_data.get("feedback_score")
        if score is not None and not Decimal(1) <= score <= Decimal(5):
            raise ValidationError(_("A feedback score lies between 1 and 5."))
        return score

    def clean(self):
        cleaned = super().clean()
        held_on, count = cleaned.get("held_on"), cleaned.get("audience_count")
        if held_on and held_on <= timezone.localdate() and count is None and "audience_count" not in self.errors:
            self.add_error("audience_count", _("Give the audience of an activity that has taken place."))
        if held_on and held_on > timezone.localdate() + dt.timedelta(days=366):
            self.add_error("held_on", _("An activity can be planned at most a year ahead."))
        if held_on and held_on.year < FIRST_YEAR:
            # no year of the coverage, the calendar or the ledger would ever show it
            message = _("The outreach records start in %(year)s: an activity cannot lie before that year.")
            self.add_error("held_on", message % {"year": FIRST_YEAR})
        village, carrier = cleaned.get("village"), cleaned.get("carrier")
        if village and carrier:
            previous = self.instance.carrier_id if self.instance.pk else None
            try:
                check_activity_carrier(village=village, carrier=carrier, previous_carrier_id=previous)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class VisitorCountForm(forms.Form):
    month = forms.DateField(label=_("Month"), widget=MonthInput, input_formats=["%Y-%m", "%Y-%m-%d"])
    visitors = forms.IntegerField(
        label=_("Visitors"),
        min_value=0,
        error_messages={"min_value": _("Visitors cannot be fewer than zero.")},
    )

    def clean_month(self):
        month = self.cleaned_data["month"].replace(day=1)
        if month > timezone.localdate():
            raise ValidationError(_("Visitors can be counted only for a month that has begun."))
        return month
