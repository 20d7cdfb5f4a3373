from __future__ import annotations

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from chashan_safety.models import Role, User


class UserForm(forms.ModelForm):
    """Create or edit an account; the role decides which affiliation it must carry."""

    password = forms.CharField(
        label=_("initial password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Required for a new account; leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "role", "village", "unit", "zones", "title", "phone", "email", "is_active"]
        widgets = {"zones": forms.CheckboxSelectMultiple}

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == Role.VILLAGE_OFFICE and not data.get("village"):
            self.add_error("village", _("A village safety office account must belong to a village."))
        if role == Role.UNIT_OFFICE and not data.get("unit"):
            self.add_error("unit", _("A unit office account must belong to a unit."))
        # keep only the affiliation the role uses, so scoping never reads a stale one
        if role != Role.VILLAGE_OFFICE:
            data["village"] = None
        if role != Role.UNIT_OFFICE:
            data["unit"] = None
        if role != Role.SAFETY_OFFICER:
            data["zones"] = []
        if not self.instance.pk and not data.get("password"):
            self.add_error("password", _("Set an initial password for the new account."))
        return data

    def _post_clean(self):
        super()._post_clean()
        # validated after the instance carries the submitted username and name, so that a
        # password too like them is refused for a new account as well
        password = self.cleaned_data.get("password")
        if password:
            try:
                validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password", error)

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
            self.save_m2m()
        return user


class UserPasswordForm(SetPasswordForm):
    pass
