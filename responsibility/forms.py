from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from responsibility.measures import measure_choices
from responsibility.models import LetterTemplate, ResponsibilityLetter, TargetItem, Unit, Village
from responsibility.signing import drawn_signature, scanned_signature


class VillageForm(forms.ModelForm):
    class Meta:
        model = Village
        fields = ["name", "kind", "head", "phone", "address", "order"]


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "industries", "head", "phone", "address", "is_demo"]


# --- responsibility letters -------------------------------------------------------------------------


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["year", "party_kind", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Give a year between 2000 and 2100."))
        return year

    def clean(self):
        data = super().clean()
        year, kind = data.get("year"), data.get("party_kind")
        # said here, as the copy button says it, instead of Django's 包含 年度 和 适用对象 的 责任书模板 已经存在
        taken = LetterTemplate.objects.filter(year=year, party_kind=kind).exclude(pk=self.instance.pk)
        if year and kind and taken.exists():
            self.add_error("year", _("There is already a %(year)d template for these parties.") % {"year": year})
        return data


class TargetItemForm(forms.ModelForm):
    measure = forms.ChoiceField(label=_("Computed from"), required=False)

    class Meta:
        model = TargetItem
        fields = ["section", "text", "points", "measure", "rule", "target", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", _("— scored by hand —")), *measure_choices()]

    def clean(self):
        data = super().clean()
        section, measure, rule = data.get("section"), data.get("measure"), data.get("rule")
        points, target = data.get("points"), data.get("target")
        if section == TargetItem.Section.VETO:
            if points:
                self.add_error("points", _("A veto item carries no points."))
            data["points"] = 0
            data["rule"] = TargetItem.Rule.MANUAL
            self.instance.points, self.instance.rule = 0, TargetItem.Rule.MANUAL
            return data
        if points is not None and points <= 0:
            self.add_error("points", _("A target item carries more than 0 points."))
        if measure and rule == TargetItem.Rule.MANUAL:
            self.add_error("rule", _("Choose how the computed value becomes points."))
        if not measure and rule and rule != TargetItem.Rule.MANUAL:
            self.add_error("measure", _("Choose what the item is computed from, or score it by hand."))
        if rule in (TargetItem.Rule.AT_LEAST, TargetItem.Rule.DEDUCT) and (target is None or target <= 0):
            self.add_error("target", _("Give a number above 0."))
        return data


class BaseTargetItemFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        total = Decimal(0)
        kept = 0
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            kept += 1
            if form.cleaned_data.get("section") != TargetItem.Section.VETO:
                total += form.cleaned_data.get("points") or 0
        if kept and total != 100:
            raise forms.ValidationError(
                _("The points of the target items add up to %(total)s; they must add up to 100.")
                % {"total": f"{total:.1f}".removesuffix(".0")}
            )


TargetItemFormSet = forms.inlineformset_factory(
    LetterTemplate,
    TargetItem,
    form=TargetItemForm,
    formset=BaseTargetItemFormSet,
    extra=3,
    can_delete=True,
)


class IssueForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    deadline = forms.DateField(label=_("Sign by"), widget=forms.DateInput(attrs={"type": "date"}))
    villages = forms.ModelMultipleChoiceField(
        label=_("Villages"),
        queryset=Village.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave villages and units empty to issue to all of them."),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=Unit.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


class SignatureForm(forms.Form):
    """Sign by drawing (``signature`` holds the pad's PNG as a data URL) or by uploading a scan."""

    method = forms.ChoiceField(choices=ResponsibilityLetter.Method.choices, widget=forms.HiddenInput)
    signer_name = forms.CharField(
        label=_("Name of the person signing"),
        max_length=60,
        help_text=_("The party's principal, who signs for it."),
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    scan = forms.FileField(
        label=_("Scan or photo of the signed and stamped letter"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}),
        help_text=_("JPEG, PNG or WebP, at most 8 MB."),
    )
    confirm = forms.BooleanField(label=_("I have read the letter and sign it for my party."))

    def clean(self):
        data = super().clean()
        method = data.get("method")
        try:
            if method == ResponsibilityLetter.Method.DRAWN:
                data["image"] = drawn_signature(data.get("signature", ""))
            elif method == ResponsibilityLetter.Method.SCAN:
                data["image"] = scanned_signature(data.get("scan"))
        except forms.ValidationError as error:
            self.add_error("scan" if method == ResponsibilityLetter.Method.SCAN else None, error)
        return data


class ScoreForm(forms.Form):
    points = forms.DecimalField(label=_("Points"), required=False, min_value=0, max_digits=5, decimal_places=1)
    vetoed = forms.BooleanField(label=_("Veto applies"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
