"""Forms of a finding's page: one per lifecycle action, and the correction of its details.

The forms validate and normalise what a person typed; the services in ``inspections.services``
move the finding and check the same rules again under a row lock.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.models import Finding
from inspections.photos import MAX_PHOTOS_PER_UPLOAD
from inspections.services import EDITABLE_FIELDS
from responsibility.models import Unit, Village

#: the furthest a rectification deadline may lie: a year, as for a listed major hazard with its extension;
#: a later date is a mistyped year, and a finding given one would never be overdue nor reminded of
LONGEST_DEADLINE = dt.timedelta(days=365)

# iPhones turn HEIC into JPEG when the page names the types it takes
PHOTO_TYPES = "image/jpeg,image/png,image/webp"


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input, taken with the phone's camera (or chosen on a computer)."""

    widget = MultiplePhotoInput

    def __init__(self, *, camera: bool = True, **kwargs):
        super().__init__(**kwargs)
        attrs = {"accept": PHOTO_TYPES, "multiple": True}
        if camera:
            attrs["capture"] = "environment"  # the back camera
        self.widget.attrs.update(attrs)

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_PHOTOS_PER_UPLOAD:
            raise forms.ValidationError(
                _("At most %(count)d photos at a time.") % {"count": MAX_PHOTOS_PER_UPLOAD}, code="too_many"
            )
        return [super(PhotosField, self).clean(item, initial) for item in files]


def _note(*, required: bool, label, help_text="", required_message=None) -> forms.CharField:
    field = forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    if required_message:
        field.error_messages["required"] = required_message
    return field


def _new_deadline(*, required: bool) -> forms.DateField:
    field = forms.DateField(
        label=_("New rectification deadline"),
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    field.error_messages["required"] = _("Set a new rectification deadline.")
    return field


def _check_new_deadline(form: forms.Form, deadline) -> None:
    today = timezone.localdate()
    if deadline is not None and deadline < today:
        form.add_error("deadline", _("The new deadline cannot be in the past."))
    elif deadline is not None and deadline > today + LONGEST_DEADLINE:
        form.add_error("deadline", _("The new deadline cannot be more than a year from today."))


class SubmitFixForm(forms.Form):
    """The responsible office says what it did and shows the site after the fix."""

    note = _note(
        required=True,
        label=_("What was done"),
        help_text=_("For example: the fire exit was cleared and the lock removed."),
        required_message=_("Say what was done to fix the hazard."),
    )
    photos = PhotosField(label=_("Photos after the fix"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].error_messages["required"] = _("Add at least one photo of the site after the fix.")


class VerifyForm(forms.Form):
    """The officer's check of a fix: passed, or failed with the reason and a new deadline."""

    PASS = "pass"  # noqa: S105 - the "passed" choice, not a password  # nosec B105
    FAIL = "fail"

    result = forms.ChoiceField(
        label=_("Result of the check"),
        choices=[(PASS, _("Fixed: pass")), (FAIL, _("Not fixed: send back"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the fix passed.")},
    )
    note = _note(
        required=False,
        label=_("Note"),
        help_text=_("Required when the fix did not pass: say what is still wrong."),
    )
    deadline = _new_deadline(required=False)
    photos = PhotosField(label=_("Photos of the check (optional)"), required=False)

    @property
    def passed(self) -> bool:
        return self.cleaned_data.get("result") == self.PASS

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result") == self.FAIL:
            if not cleaned.get("note", "").strip():
                self.add_error("note", _("Give the reason, so the responsible office knows what is still wrong."))
            if cleaned.get("deadline") is None and "deadline" not in self.errors:
                self.add_error("deadline", _("Set a new rectification deadline."))
            _check_new_deadline(self, cleaned.get("deadline"))
        return cleaned


class CloseForm(forms.Form):
    """Close-out (销号)."""

    note = _note(required=False, label=_("Note (optional)"))


class ReopenForm(forms.Form):
    """Send a verified or closed finding back for rectification."""

    note = _note(
        required=True,
        label=_("Reason"),
        required_message=_("Give the reason, so the responsible office knows what is still wrong."),
    )
    deadline = _new_deadline(required=True)

    def clean(self):
        cleaned = super().clean()
        _check_new_deadline(self, cleaned.get("deadline"))
        return cleaned


class FindingEditForm(forms.ModelForm):
    """Correct a finding's details; the finding's status is never changed here."""

    note = _note(required=False, label=_("Reason for the change"))

    class Meta:
        model = Finding
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "responsible_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_village"].queryset = Village.objects.all()
        self.fields["responsible_unit"].queryset = Unit.objects.all()
        self.fields["responsible_village"].help_text = _("The village or the unit that must fix the hazard.")

    def clean(self):
        cleaned = super().clean()
        deadline = cleaned.get("deadline")
        if deadline is not None and deadline < self.instance.found_on:
            self.add_error("deadline", _("The rectification deadline cannot be before the day the hazard was found."))
        elif deadline is not None and deadline > self.instance.found_on + LONGEST_DEADLINE:
            self.add_error(
                "deadline",
                _("The rectification deadline cannot be more than a year after the day the hazard was found."),
            )
        if not cleaned.get("responsible_village") and not cleaned.get("responsible_unit"):
            self.add_error("responsible_village", _("Name the village or unit responsible for the fix."))
        return cleaned

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}
