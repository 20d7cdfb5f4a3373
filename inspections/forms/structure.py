from __future__ import annotations

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chashan_safety.models import Role, User
from inspections.models import Grid, PatrolTeam, PatrolTeamMember, Section, Zone, ZoneVillage
from responsibility.models import Village


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["name", "head", "duties", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = User.objects.filter(is_active=True).exclude(
            role__in=[Role.VILLAGE_OFFICE, Role.UNIT_OFFICE]
        )


class ZoneForm(forms.ModelForm):
    """A zone with its villages and officers; a village moved here leaves its former zone."""

    villages = forms.ModelMultipleChoiceField(
        label=_("villages"), queryset=Village.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    officers = forms.ModelMultipleChoiceField(
        label=_("full-time safety officers"),
        queryset=User.objects.officers(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Zone
        fields = ["name", "section", "description", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["villages"].initial = list(self.instance.villages.values_list("pk", flat=True))
            self.fields["officers"].initial = list(self.instance.officers.values_list("pk", flat=True))

    @transaction.atomic
    def save(self, commit=True):
        zone = super().save(commit=True)
        villages = list(self.cleaned_data["villages"])
        # one row per change, saved one by one, so that the audit trail shows every move
        for link in ZoneVillage.objects.filter(zone=zone).exclude(village__in=villages):
            link.delete()
        links = {link.village_id: link for link in ZoneVillage.objects.filter(village__in=villages)}
        for village in villages:
            link = links.get(village.pk)
            if link is None:
                ZoneVillage.objects.create(zone=zone, village=village)
            elif link.zone_id != zone.pk:
                link.zone = zone
                link.save()
        zone.officers.set(self.cleaned_data["officers"])
        return zone


class GridForm(forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["village", "code", "name", "worker_name", "worker_phone", "description"]


class PatrolTeamForm(forms.ModelForm):
    class Meta:
        model = PatrolTeam
        fields = ["name", "zone", "leader", "is_active", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = User.objects.officers()
        leader = self.instance.leader if self.instance.leader_id else None
        if leader is not None and not leader.is_active:
            # the select cannot show a deactivated leader, so it would come up empty without a word why
            self.fields["leader"].help_text = _("%(name)s's account was deactivated: choose a new leader.") % {
                "name": leader.display_name
            }


class BasePatrolTeamMemberFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # a deactivated account is offered no more; a member already linked to one keeps it
        linked = form.instance.user_id if form.instance.pk else None
        form.fields["user"].queryset = User.objects.filter(Q(is_active=True) | Q(pk=linked)).order_by(
            "role", "full_name", "username"
        )


PatrolTeamMemberFormSet = forms.inlineformset_factory(
    PatrolTeam,
    PatrolTeamMember,
    formset=BasePatrolTeamMemberFormSet,
    fields=["name", "role", "phone", "village", "user"],
    extra=2,
    can_delete=True,
)
