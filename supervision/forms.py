"""Forms of the supervision pages; they validate what a person typed, the services act on it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.forms.findings import LONGEST_DEADLINE, PhotosField
from inspections.models import PatrolTeam, Zone
from responsibility.models import Village
from supervision.models import Campaign, CampaignCategory, FollowUp, InspectionPlan, RectificationPlan
from supervision.services import MAX_PLAN_SIZE

#: three years and a leap day, as long as the three-year action (专项整治三年行动, 2020–2022)
LONGEST_CAMPAIGN_DAYS = 3 * 365 + 1

DATE = {"type": "date"}


def _date_input():
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


class RectificationPlanForm(forms.ModelForm):
    """五落实: each part may be saved on its own; the fix can be submitted once all five are there."""

    class Meta:
        model = RectificationPlan
        fields = ["responsible_person", "responsible_phone", "funds", "deadline", "measures", "contingency_plan"]
        widgets = {
            "deadline": _date_input(),
            "measures": forms.Textarea(attrs={"rows": 4}),
            "contingency_plan": forms.Textarea(attrs={"rows": 4}),
            "funds": forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
        }

    def clean_funds(self):
        funds = self.cleaned_data.get("funds")
        if funds is not None and funds < Decimal(0):
            raise forms.ValidationError(_("The funds cannot be negative."))
        return funds


class FollowUpRecordForm(forms.Form):
    """What the officer found when looking back at a closed finding."""

    result = forms.ChoiceField(label=_("What did you find?"), choices=FollowUp.Result.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(
        label=_("New rectification deadline"),
        required=False,
        widget=_date_input(),
        help_text=_("Only when the hazard is back: the finding reopens with this deadline."),
    )
    photos = PhotosField(label=_("Photos"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("result") == FollowUp.Result.RELAPSED:
            if not (data.get("note") or "").strip():
                self.add_error("note", _("Say what is wrong again, so the responsible office knows what to fix."))
            deadline = data.get("deadline")
            if deadline is None:
                self.add_error("deadline", _("Set a new rectification deadline."))
            elif deadline < timezone.localdate():
                self.add_error("deadline", _("The new deadline cannot be in the past."))
            elif deadline > timezone.localdate() + LONGEST_DEADLINE:
                self.add_error("deadline", _("The new deadline cannot be more than a year from today."))
        return data


class FollowUpRoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    share = forms.DecimalField(
        label=_("Share to draw (%)"),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(20),
        help_text=_("Of the closed findings of each village; at least one from every village that has any."),
        widget=forms.NumberInput(attrs={"step": "1", "inputmode": "decimal"}),
    )
    closed_from = forms.DateField(label=_("Closed from"), required=False, widget=_date_input())
    closed_to = forms.DateField(label=_("Closed up to"), required=False, widget=_date_input())
    villages = forms.ModelMultipleChoiceField(
        label=_("Villages"),
        queryset=Village.objects.none(),
        required=False,
        help_text=_("None chosen: every village you look after."),
        widget=forms.CheckboxSelectMultiple,
    )
    due_on = forms.DateField(label=_("To be done by"), widget=_date_input())
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        min_value=0,
        max_value=10**12,
        help_text=_("Leave empty for a new draw; the same seed over the same findings draws the same sample."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["villages"].queryset = Village.objects.visible_to(user).order_by("order", "name")
        today = timezone.localdate()
        self.fields["name"].initial = _("Follow-up round %(date)s") % {"date": today.isoformat()}
        self.fields["due_on"].initial = today + dt.timedelta(days=14)
        # this year's close-outs unless told otherwise: an empty period would draw from every year on record
        self.fields["closed_from"].initial = today.replace(month=1, day=1)
        self.fields["closed_to"].initial = today

    def clean_share(self):
        share = self.cleaned_data["share"]
        if share <= 0 or share > 100:
            raise forms.ValidationError(_("The share sampled must be more than 0 % and at most 100 %."))
        return share

    def clean(self):
        data = super().clean()
        start, end = data.get("closed_from"), data.get("closed_to")
        if start and end and end < start:
            self.add_error("closed_to", _("The end of the close-out period cannot be before its start."))
        due = data.get("due_on")
        if due and due < timezone.localdate():
            self.add_error("due_on", _("The round cannot be due in the past."))
        return data


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "category", "finding_category", "starts_on", "ends_on", "description"]
        widgets = {
            "starts_on": _date_input(),
            "ends_on": _date_input(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("A campaign cannot end before it starts."))
        # a mistyped year (2062 for 2026, 9999) would keep a campaign running, and offered on every inspection,
        # for ever: the longest is the three-year action
        elif start and end and (end - start).days > LONGEST_CAMPAIGN_DAYS:
            self.add_error("ends_on", _("A campaign lasts at most three years: check the year of its end."))
        if start and start > timezone.localdate() + dt.timedelta(days=366):
            message = _("A campaign can be planned at most a year ahead: check the year of its start.")
            self.add_error("starts_on", message)
        return data


class CampaignCategoryForm(forms.ModelForm):
    class Meta:
        model = CampaignCategory
        fields = ["name", "order"]


class CampaignLinkForm(forms.Form):
    """Put an inspection (and its findings) into a running campaign."""

    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())

    def __init__(self, *args, day: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by(
            "name"
        )


class PlannerForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=InspectionPlan.Kind.choices,
        initial=InspectionPlan.Kind.NIGHT,
        widget=forms.RadioSelect,
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=PatrolTeam.objects.none())
    planned_for = forms.DateField(label=_("Date"), widget=_date_input())
    size = forms.IntegerField(label=_("Number of targets"), min_value=1, max_value=MAX_PLAN_SIZE, initial=3)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = PatrolTeam.objects.filter(is_active=True).select_related("zone").order_by("zone__order", "name")
        if not user.is_town_admin:
            teams = teams.filter(zone__in=Zone.objects.filter(pk__in=user.zone_ids))
        self.fields["team"].queryset = teams
        led = [team.pk for team in teams if team.leader_id == user.pk]
        if led:
            self.fields["team"].initial = led[0]
        self.fields["planned_for"].initial = timezone.localdate()

    def clean_planned_for(self):
        day = self.cleaned_data["planned_for"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("A plan cannot be made for a day in the past."))
        return day
