"""Forms of the duty app: they validate and normalise input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chashan_safety.models import Role, User
from duty.models import (
    DutyLogEntry,
    DutyLogStep,
    DutyShift,
    ResponseContact,
    ResponseTemplate,
    ResponseUnit,
    TemplateUnit,
)
from incidents.models import Incident
from responsibility.models import Village


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _datetime_field(label, required=True) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, widget=DateTimeInput())


def person_label(person: User) -> str:
    """A person as the duty desk names one: 黄振邦（副镇长）, the role when the post is not given."""
    return f"{person.display_name}（{person.title or person.get_role_display()}）"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return person_label(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return person_label(obj)


def _people(roles) -> forms.models.QuerySet:
    return User.objects.filter(is_active=True, role__in=roles).order_by("role", "full_name", "username")


class ShiftForm(forms.Form):
    starts_at = _datetime_field(_("starts at"))
    ends_at = _datetime_field(_("ends at"))
    leader = PersonChoiceField(label=_("Leader on duty"), queryset=User.objects.none())
    officers = PeopleChoiceField(
        label=_("Duty officers"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One or two."),
    )
    holiday = forms.CharField(
        label=_("holiday"), max_length=30, required=False, help_text=_("e.g. 春节; empty on an ordinary day.")
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = _people([Role.LEADERSHIP, Role.TOWN_ADMIN])
        self.fields["officers"].queryset = _people([Role.TOWN_ADMIN, Role.SAFETY_OFFICER])

    @classmethod
    def initial_for(cls, shift: DutyShift) -> dict:
        return {
            "starts_at": timezone.localtime(shift.starts_at),
            "ends_at": timezone.localtime(shift.ends_at),
            "leader": shift.leader,
            "officers": shift.officers,
            "holiday": shift.holiday,
            "note": shift.note,
        }


class SwapForm(forms.Form):
    colleague = PersonChoiceField(label=_("Colleague"), queryset=User.objects.none())
    counter_shift = forms.ModelChoiceField(
        label=_("Colleague's shift taken in return"),
        queryset=DutyShift.objects.none(),
        required=False,
        help_text=_("Leave empty when the colleague simply takes your place."),
    )
    reason = forms.CharField(label=_("reason"), max_length=200)

    def __init__(self, *args, shift: DutyShift, **kwargs):
        super().__init__(*args, **kwargs)
        roles = [Role.LEADERSHIP, Role.TOWN_ADMIN, Role.SAFETY_OFFICER]
        self.fields["colleague"].queryset = _people(roles)
        self.fields["counter_shift"].queryset = DutyShift.objects.filter(starts_at__gt=timezone.now()).exclude(
            pk=shift.pk
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("note on the decision"), max_length=200, required=False)


class LogEntryForm(forms.ModelForm):
    received_at = _datetime_field(_("received at"))

    class Meta:
        model = DutyLogEntry
        fields = [
            "received_at",
            "caller_name",
            "caller_unit",
            "caller_phone",
            "event_type",
            "village",
            "place",
            "what_happened",
            "casualties",
            "measures_taken",
            "help_requested",
            "already_told",
        ]
        widgets = {"what_happened": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.order_by("order", "name")
        self.fields["event_type"].queryset = ResponseTemplate.objects.order_by("order", "name")
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))


class LogStepForm(forms.Form):
    step = forms.ChoiceField(label=_("step"), choices=DutyLogStep.Step.choices)
    report_kind = forms.ChoiceField(
        label=_("report"), choices=[("", "—"), *DutyLogStep.ReportKind.choices], required=False
    )
    at = _datetime_field(_("at"))
    counterpart = forms.CharField(label=_("to or from whom"), max_length=80)
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("at", timezone.localtime().replace(second=0, microsecond=0))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("step") == DutyLogStep.Step.REPORT and not cleaned.get("report_kind"):
            self.add_error("report_kind", _("Say which report this is: initial, continued or final."))
        return cleaned


class HandoverForm(forms.Form):
    note = forms.CharField(label=_("handover note"), widget=forms.Textarea(attrs={"rows": 3}))


class ActivateForm(forms.Form):
    template = forms.ModelChoiceField(label=_("type of incident"), queryset=ResponseTemplate.objects.none())
    category = forms.ChoiceField(
        label=_("category in the register"),
        choices=[("", _("As the type says")), *Incident.Category.choices],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ResponseTemplate.objects.order_by("order", "name")


class CallOutForm(forms.Form):
    called_at = _datetime_field(_("called at"), required=False)
    arrived_at = _datetime_field(_("arrived at"), required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs={"rows": 3}))


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)


# --- the roster --------------------------------------------------------------------------------------


class ResponseUnitForm(forms.ModelForm):
    class Meta:
        model = ResponseUnit
        fields = ["name", "core_role", "duties", "unit", "order", "is_active"]
        widgets = {"duties": forms.Textarea(attrs={"rows": 2})}


class _OrderedFormSet(forms.BaseInlineFormSet):
    """Refuses two rows with the same order of call (and, for templates, the same unit twice)."""

    distinct_fields: tuple[str, ...] = ("order",)

    def clean(self):
        # before the formset's own uniqueness check, whose message names no field a person knows
        for field in self.distinct_fields:
            seen = set()
            for form in self.forms:
                if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE") or not form.cleaned_data:
                    continue
                value = form.cleaned_data.get(field)
                if value in seen:
                    raise ValidationError(self.duplicate_message(field))
                seen.add(value)
        super().clean()

    def duplicate_message(self, field: str) -> str:
        if field == "unit":
            return _("A unit is called once in a template.")
        return _("Two rows have the same order of call.")


class _TemplateUnitFormSet(_OrderedFormSet):
    distinct_fields = ("order", "unit")


ResponseContactFormSet = forms.inlineformset_factory(
    ResponseUnit,
    ResponseContact,
    formset=_OrderedFormSet,
    fields=["order", "name", "post", "phone"],
    extra=2,
    can_delete=True,
)


class ResponseTemplateForm(forms.ModelForm):
    class Meta:
        model = ResponseTemplate
        fields = ["name", "category", "description", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


TemplateUnitFormSet = forms.inlineformset_factory(
    ResponseTemplate,
    TemplateUnit,
    formset=_TemplateUnitFormSet,
    fields=["order", "unit"],
    extra=3,
    can_delete=True,
)


class PlanForm(forms.Form):
    first_day = forms.DateField(label=_("first day"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("last day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(
        label=_("shifts start at"), initial="08:30", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    holiday = forms.CharField(
        label=_("holiday"), max_length=30, required=False, help_text=_("e.g. 春节; empty on an ordinary day.")
    )
    leaders = PeopleChoiceField(
        label=_("Leaders on duty, in turn"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    officers = PeopleChoiceField(
        label=_("Duty officers, in turn"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    officers_per_shift = forms.TypedChoiceField(
        label=_("Officers per shift"), choices=[(1, "1"), (2, "2")], coerce=int, initial=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaders"].queryset = _people([Role.LEADERSHIP, Role.TOWN_ADMIN])
        self.fields["officers"].queryset = _people([Role.TOWN_ADMIN, Role.SAFETY_OFFICER])
