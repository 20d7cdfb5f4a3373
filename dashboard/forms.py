"""The dashboard's year range."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.models import EARLIEST_YEAR

#: the longest range the dashboard shows at once
MAX_YEARS = 30


class YearRangeForm(forms.Form):
    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in (("year_from", _("From year")), ("year_to", _("To year"))):
            self.fields[name] = forms.IntegerField(
                label=label,
                min_value=EARLIEST_YEAR,
                max_value=today.year,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("year_from"), cleaned.get("year_to")
        if start and end:
            if start > end:
                self.add_error(
                    "year_to",
                    _("The last year (%(end)s) is before the first (%(start)s).") % {"start": start, "end": end},
                )
            elif end - start + 1 > MAX_YEARS:
                self.add_error("year_from", _("Choose at most %(max)s years at once.") % {"max": MAX_YEARS})
        return cleaned
