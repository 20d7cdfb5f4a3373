from django import forms

from responsibility.models import Unit, Village


class VillageForm(forms.ModelForm):
    class Meta:
        model = Village
        fields = ["name", "kind", "head", "phone", "address", "order"]


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "industries", "head", "phone", "address", "is_demo"]
