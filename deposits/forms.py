from __future__ import annotations

from django import forms
from django.conf import settings

from deposits.errors import human_size
from deposits.models import Operation


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files and cleans to a list of them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xml,application/xml,text/xml"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        if isinstance(data, list | tuple):
            data = None
        return [single(data, initial)] if data else single(data, initial)


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Deposit files",
        error_messages={"required": "Choose at least one deposit XML file to upload."},
    )
    operation = forms.ChoiceField(
        label="What the files hold",
        choices=[
            (Operation.METADATA.value, "Full metadata records (doMDUpload)"),
            (Operation.RESOURCES.value, "Resource-only or reference additions (doDOICitUpload)"),
        ],
        initial=Operation.METADATA.value,
        required=False,
        help_text="A file of the other kind is processed as what it is, with a warning.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = f"At most {human_size(settings.DEPOSIT_MAX_BYTES)} per file"
        if settings.DATA_UPLOAD_MAX_NUMBER_FILES:
            limits += f" and {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files at once"
        self.fields["files"].help_text = (
            "One or more Crossref deposit XML files (doi_batch); each becomes its own submission "
            f"with its own log. {limits}."
        )
