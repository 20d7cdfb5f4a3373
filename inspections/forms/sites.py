"""The site form, used by the create and edit pages and, row by row, by the Excel import."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import Grid, Site
from responsibility.models import Village

# a mobile number (1[3-9] and 9 more digits) or a landline with its area code, e.g. 0769-12345678
PHONE_PATTERN = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")
# dashes as people type them on Chinese keyboards and in Excel
DASHES = str.maketrans({"－": "-", "—": "-", "–": "-", "‐": "-", "﹣": "-"})
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def may_manage_sites(user) -> bool:
    """Town administrators and safety officers create, edit and import sites; everyone else only reads."""
    return user.is_authenticated and (user.is_town_admin or user.is_safety_officer)


def manageable_villages(user):
    """The villages in which ``user`` may create sites: all for a town administrator, an officer's zones."""
    if not user.is_authenticated:
        return Village.objects.none()
    if user.is_town_admin:
        return Village.objects.all()
    if user.is_safety_officer:
        return Village.objects.filter(zone_link__zone__in=user.zone_ids)
    return Village.objects.none()


def normalise_phone(value: str) -> str:
    """Spaces and brackets go, full-width digits and dashes become plain ones: ``0769 1234 5678`` → ``076912345678``."""
    value = value.translate(FULLWIDTH_DIGITS).translate(DASHES)
    value = re.sub(r"[\s()（）]", "", value)
    if value.startswith("+86"):
        value = value[3:]
    return value


def validate_phone(value: str) -> None:
    if value and not PHONE_PATTERN.match(value):
        raise forms.ValidationError(
            _(
                "Enter a mobile number (11 digits starting with 13–19) or a landline with its area code, "
                "e.g. 0769-12345678."
            ),
            code="invalid_phone",
        )


class GridSelect(forms.Select):
    """Each grid option says which village it lies in, so that the page can offer only the chosen village's grids."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-village"] = instance.village_id
        return option


class SiteForm(forms.ModelForm):
    """A site; the village is one ``user`` may create sites in, the grid one of that village."""

    class Meta:
        model = Site
        fields = [
            "name",
            "kind",
            "village",
            "grid",
            "address",
            "industry",
            "risk_level",
            "contact_name",
            "contact_phone",
            "is_active",
            "notes",
        ]
        # the interface's own words: the model's verbose names are lower-case, for the admin and the history
        labels = {
            "name": _("Name"),
            "kind": _("Kind"),
            "village": _("Village"),
            "grid": _("Grid"),
            "address": _("Address"),
            "industry": _("Industry"),
            "risk_level": _("Risk level"),
            "contact_name": _("Contact person"),
            "contact_phone": _("Contact phone"),
            "is_active": _("In operation"),
            "notes": _("Notes"),
        }
        widgets = {
            "grid": GridSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "contact_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    #: the import knows the sites of each village already and turns a same-named row into an update
    check_duplicates = True

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["grid"].help_text = _("Optional; it must lie in the site's village.")
        self.fields["name"].widget.attrs.setdefault("autocomplete", "off")
        self.limit_choices()

    def limit_choices(self) -> None:
        """Offer the villages the user may create sites in, and their grids."""
        villages = manageable_villages(self.user)
        self.fields["village"].queryset = villages
        self.fields["grid"].queryset = Grid.objects.filter(village__in=villages).select_related("village")

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_contact_phone(self):
        phone = normalise_phone(self.cleaned_data.get("contact_phone", ""))
        validate_phone(phone)
        return phone

    def clean(self):
        cleaned = super().clean()
        village, name = cleaned.get("village"), cleaned.get("name")
        if village and name and self.check_duplicates:
            duplicates = Site.objects.filter(village=village, name=name)
            if self.instance.pk:
                duplicates = duplicates.exclude(pk=self.instance.pk)
            if duplicates.exists():
                # said here in words people use; the database constraint stays the last guard
                self.add_error(
                    "name",
                    forms.ValidationError(
                        _("%(village)s already has a site called %(name)s."),
                        code="duplicate",
                        params={"village": village, "name": name},
                    ),
                )
        return cleaned

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        # The model need not check these again, one query each: the village and the grid were read from
        # the database by their fields, and clean() has checked the name within the village in words
        # people use. The unique constraint stays in the database as the last guard.
        exclude.update({"village", "grid", "name"})
        return exclude


class SiteImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        help_text=_("The first sheet, with the columns of the template; at most 5,000 rows and 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
