from __future__ import annotations

from django import forms


class DoiErrorReportForm(forms.Form):
    doi = forms.CharField(max_length=2048, widget=forms.HiddenInput)
    referrer = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)
    email = forms.EmailField(
        required=False, label="Your email (optional)", help_text="Only if you would like to hear back."
    )
    comment = forms.CharField(
        required=False,
        max_length=2000,
        label="Where did you find this DOI? (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
