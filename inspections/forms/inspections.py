"""Forms for logging an inspection on a phone, with its findings, and for filtering the list.

The page posts one inspection form and a formset of findings (prefix ``findings``). Photos are
checked and re-encoded while the forms validate (``inspections.photos.process_photos``), so a bad
photo is reported on the block it belongs to before anything is written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.forms.findings import LONGEST_DEADLINE
from inspections.models import Finding, Inspection, PatrolTeam, PatrolTeamMember, Site
from inspections.photos import process_photos
from inspections.services import FindingDraft
from responsibility.models import Unit, Village

#: night inspections (夜查) are those started between these local hours
NIGHT_STARTS = dt.time(19, 0)
NIGHT_ENDS = dt.time(6, 0)
#: the rectification deadline offered for a new finding, in days after the day it was found
DEFAULT_DEADLINE_DAYS = 3
#: the format of <input type="datetime-local">
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def default_kind(now: dt.datetime | None = None) -> str:
    """Night between 19:00 and 06:00 local time, routine otherwise."""
    local = timezone.localtime(now).time()
    return Inspection.Kind.NIGHT if local >= NIGHT_STARTS or local < NIGHT_ENDS else Inspection.Kind.ROUTINE


def default_deadline() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=DEFAULT_DEADLINE_DAYS)


def teams_for(user):
    """Active teams the user may see, the teams they lead or belong to first."""
    own = Exists(PatrolTeamMember.objects.filter(team=OuterRef("pk"), user=user))
    return (
        PatrolTeam.objects.visible_to(user)
        .filter(is_active=True)
        .annotate(
            mine=Case(
                When(leader=user, then=Value(0)),
                When(own, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related("zone")
        .order_by("mine", "zone__order", "name")
    )


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class MultiplePhotoInput(forms.ClearableFileInput):
    """A camera-first file input that takes several photos at once."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__(attrs={"accept": "image/*", "capture": "environment", **(attrs or {})})


class PhotosField(forms.FileField):
    """Several photos, checked and re-encoded: ``cleaned_data`` holds ``ProcessedPhoto`` objects."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data or []) if upload]
        single = super().clean
        uploads = [single(upload, initial) for upload in uploads]
        return process_photos(uploads) if uploads else []

    def has_changed(self, initial, data):
        return bool(data)


class InspectionForm(forms.Form):
    """The inspection itself; the site comes from a search box that fills the hidden ``site`` field."""

    kind = forms.ChoiceField(label=_("kind"), choices=Inspection.Kind.choices)
    site = forms.ModelChoiceField(
        label=_("site"),
        queryset=Site.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the site: type part of its name and pick it from the list."),
            "invalid_choice": _("That site was not found among the sites you may inspect. Search again."),
        },
    )
    team = forms.ModelChoiceField(
        label=_("team"), queryset=PatrolTeam.objects.none(), required=False, empty_label=_("— no team —")
    )
    started_at = forms.DateTimeField(
        label=_("started at"), widget=DateTimeLocalInput, input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"]
    )
    ended_at = forms.DateTimeField(
        label=_("ended at"),
        widget=DateTimeLocalInput,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        required=False,
    )
    latitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    location_accuracy = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)
    participants = forms.CharField(
        label=_("other participants"),
        max_length=200,
        required=False,
        help_text=_("Team members, village staff, other departments."),
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("photos of the inspection"))
    client_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["site"].queryset = Site.objects.visible_to(user).select_related("village")
        self.fields["team"].queryset = teams_for(user)
        if not self.is_bound:
            now = timezone.localtime()
            self.initial.setdefault("kind", default_kind(now))
            self.initial.setdefault("started_at", now.replace(second=0, microsecond=0))
            self.initial.setdefault("client_token", uuid.uuid4())
            led = [team for team in self.fields["team"].queryset if team.mine == 0]
            if led:
                self.initial.setdefault("team", led[0].pk)

    def _round_coordinate(self, name: str):
        value = self.data.get(self.add_prefix(name), "")
        try:
            return str(round(Decimal(value), 6)) if value not in ("", None) else value
        except ArithmeticError:
            return value

    def full_clean(self):
        # a phone reports more decimals than a 6-place column keeps: round before validating
        if self.is_bound:
            self.data = self.data.copy()
            for name in ("latitude", "longitude"):
                self.data[self.add_prefix(name)] = self._round_coordinate(name)
        super().full_clean()

    def clean_started_at(self):
        started = self.cleaned_data["started_at"]
        if started > timezone.now() + dt.timedelta(minutes=10):
            raise ValidationError(_("An inspection cannot start in the future."))
        return started

    def clean_location_accuracy(self):
        accuracy = self.cleaned_data.get("location_accuracy")
        if accuracy is None or accuracy > 1_000_000:
            return None
        return round(accuracy)

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started_at"), cleaned.get("ended_at")
        if started and ended and ended < started:
            self.add_error("ended_at", _("An inspection cannot end before it starts."))
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None):
            # half a point is no point: keep the inspection, drop the position
            cleaned["latitude"] = cleaned["longitude"] = cleaned["location_accuracy"] = None
        if latitude is None and longitude is None:
            cleaned["location_accuracy"] = None
        return cleaned

    @property
    def found_on(self) -> dt.date | None:
        started = self.cleaned_data.get("started_at") if hasattr(self, "cleaned_data") else None
        return timezone.localdate(started) if started else None

    def site_for_display(self) -> Site | None:
        """The chosen site, for showing it again when the page comes back with errors."""
        if self.is_bound:
            if hasattr(self, "cleaned_data") and self.cleaned_data.get("site"):
                return self.cleaned_data["site"]
            return None
        value = self.initial.get("site")
        if isinstance(value, Site):
            return value
        return None


class FindingForm(forms.Form):
    """One hazard found on the inspection."""

    category = forms.ChoiceField(label=_("category"), choices=[("", _("— choose —")), *Finding.Category.choices])
    grade = forms.ChoiceField(
        label=_("grade"), choices=Finding.Grade.choices, initial=Finding.Grade.GENERAL, widget=forms.RadioSelect
    )
    location = forms.CharField(
        label=_("exact location"), max_length=120, required=False, help_text=_("E.g. second-floor stairwell.")
    )
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(
        label=_("rectification measures required"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(
        label=_("rectification deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    responsible_unit = forms.TypedChoiceField(
        label=_("responsible for the fix"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Choose a unit only when a department or enterprise must fix it."),
    )
    responsible_contact = forms.CharField(label=_("responsible person"), max_length=40, required=False)
    responsible_phone = forms.CharField(
        label=_("responsible person's phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    photos = PhotosField(label=_("photos before rectification"))

    def __init__(self, *args, units: dict[int, Unit] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units or {}
        self.fields["responsible_unit"].choices = [
            ("", _("The site's village (territorial management)")),
            *((pk, unit.name) for pk, unit in self.units.items()),
        ]
        self.fields["deadline"].initial = default_deadline

    def clean_responsible_unit(self):
        pk = self.cleaned_data.get("responsible_unit")
        return self.units.get(pk) if pk is not None else None

    def draft(self) -> FindingDraft:
        data = self.cleaned_data
        return FindingDraft(
            category=data["category"],
            grade=data["grade"],
            description=data["description"],
            deadline=data["deadline"],
            location=data["location"],
            measures=data["measures"],
            responsible_unit=data["responsible_unit"],
            responsible_contact=data["responsible_contact"],
            responsible_phone=data["responsible_phone"],
            photos=data["photos"],
        )


class BaseFindingFormSet(forms.BaseFormSet):
    def __init__(self, *args, user=None, **kwargs):
        # one query for the units, shared by every block (the <template> block included)
        units = Unit.objects.visible_to(user).order_by("kind", "name") if user is not None else []
        self._units = {unit.pk: unit for unit in units}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "units": self._units}

    def check_deadlines(self, found_on: dt.date) -> bool:
        """A deadline before the day the hazard was found, or more than a year after it, is an error on that block."""
        ok = True
        for form in self.filled_forms():
            deadline = form.cleaned_data.get("deadline")
            if deadline and deadline < found_on:
                form.add_error(
                    "deadline",
                    _("The deadline cannot be before the day the hazard was found (%(date)s).")
                    % {"date": found_on.isoformat()},
                )
                ok = False
            elif deadline and deadline > found_on + LONGEST_DEADLINE:
                form.add_error(
                    "deadline",
                    _("The deadline cannot be more than a year after the day the hazard was found (%(date)s).")
                    % {"date": found_on.isoformat()},
                )
                ok = False
        return ok

    def filled_forms(self) -> list[FindingForm]:
        """The blocks with something in them; a block added and left empty is ignored."""
        return [form for form in self.forms if form.has_changed()]

    def spare_form(self) -> FindingForm:
        """An empty block after the others, for posting one more finding without JavaScript."""
        return self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix(len(self.forms)),
            empty_permitted=True,
            use_required_attribute=False,
            renderer=self.renderer,
            **self.get_form_kwargs(None),
        )

    def drafts(self) -> list[FindingDraft]:
        return [form.draft() for form in self.filled_forms()]


FindingFormSet = forms.formset_factory(
    FindingForm, formset=BaseFindingFormSet, extra=0, max_num=30, validate_max=True, absolute_max=30
)


# --- the list's filters -----------------------------------------------------------------------


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InspectionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Inspection.Kind.choices)
    date_from = django_filters.DateFilter(label=_("from date"), method="filter_from", widget=DATE_INPUT)
    date_to = django_filters.DateFilter(label=_("to date"), method="filter_to", widget=DATE_INPUT)
    village = django_filters.ModelChoiceFilter(
        label=_("village"), field_name="site__village", queryset=lambda request: _visible(Village, request)
    )
    team = django_filters.ModelChoiceFilter(label=_("team"), queryset=lambda request: _visible(PatrolTeam, request))
    mine = django_filters.BooleanFilter(label=_("led by me"), method="filter_mine", widget=forms.CheckboxInput)

    class Meta:
        model = Inspection
        fields = ["kind", "date_from", "date_to", "village", "team", "mine"]

    # whole local days, as a range on the indexed column rather than a date cast of it
    def filter_from(self, queryset, name, value):
        return queryset.filter(started_at__gte=_start_of(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(started_at__lt=_start_of(value + dt.timedelta(days=1)))

    def filter_mine(self, queryset, name, value):
        if value and self.request is not None:
            return queryset.filter(led_by=self.request.user)
        return queryset


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _visible(model, request):
    if request is None:
        return model.objects.none()
    return model.objects.visible_to(request.user)
