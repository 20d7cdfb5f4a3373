from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from chashan_safety.models import Role, User
from chashan_safety.sms import can_text

#: an office's landline: area code, then 7 or 8 digits, an extension allowed (0769-86641101, 0769-8664 1101-8)
LANDLINE = re.compile(r"0[1-9][0-9]{1,2}[0-9]{7,8}([-#][0-9]{1,6})?")


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["password"].label = _("new password")
            self.fields["password"].help_text = _("Leave empty to keep the current password.")
        self.fields["phone"].help_text = _(
            "A mobile number receives the daily SMS digest; an office landline is kept for calls only."
        )
        # Django's own reads 指明用户是否被认为是活跃的。以反选代替删除帐号。
        self.fields["is_active"].help_text = _(
            "Untick to deactivate: the account can no longer sign in, and its records stay."
        )

    def clean_phone(self):
        phone = " ".join(self.cleaned_data.get("phone", "").split())
        if not phone or can_text(phone):
            return phone
        digits = re.sub(r"[\s()]", "", phone)
        # the separator after the area code is optional; an extension keeps its own
        if LANDLINE.fullmatch(re.sub(r"^(0[1-9][0-9]{1,2})-", r"\1", digits)):
            return phone
        raise forms.ValidationError(
            _("Enter a mobile number (such as 138 0013 8000) or an office landline (such as 0769-86641101).")
        )

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
