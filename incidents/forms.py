"""The incident form (create and edit, and row by row the Excel import) and the import upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident
from inspections.models import Site
from responsibility.models import Unit, Village


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class SiteSelect(forms.Select):
    """Each site option says which village it lies in, so that the page can offer only the chosen village's."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-village"] = instance.village_id
        return option


class SiteChoiceField(forms.ModelChoiceField):
    widget = SiteSelect

    def label_from_instance(self, obj: Site) -> str:
        return f"{obj.village} · {obj.name}"


LOSS_TOO_LARGE = _("A loss that large cannot be right: enter it in yuan, at most 999,999,999,999.99.")


class IncidentForm(forms.ModelForm):
    """An incident as the statistics report it; the model refuses a future time and a site of another village."""

    class Meta:
        model = Incident
        fields = [
            "occurred_at",
            "village",
            "location",
            "site",
            "unit",
            "category",
            "industry",
            "deaths",
            "serious_injuries",
            "minor_injuries",
            "direct_loss",
            "cause",
            "summary",
        ]
        field_classes = {"site": SiteChoiceField}
        # Django's own counts digits (确认总共不超过 14 个数字); a clerk thinks of the amount
        error_messages = {"direct_loss": {"max_digits": LOSS_TOO_LARGE, "max_whole_digits": LOSS_TOO_LARGE}}
        widgets = {
            "occurred_at": DateTimeInput(),
            "cause": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        self.fields["village"].queryset = Village.objects.order_by("order", "name")
        self.fields["unit"].queryset = Unit.objects.order_by("kind", "name")
        self.fields["site"].queryset = Site.objects.select_related("village").order_by("village__order", "name")
        for name in ("deaths", "serious_injuries", "minor_injuries", "direct_loss"):
            self.fields[name].widget.attrs.update(
                {"min": 0, "inputmode": "decimal" if name == "direct_loss" else "numeric"}
            )
        self.fields["direct_loss"].widget.attrs["step"] = "0.01"


class IncidentImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        help_text=_("The first sheet, one incident per row, with the template's header row."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
