"""The web deposit form: one main form for the work and two formsets for the rows that
repeat (contributors in order, funders). Every check names the field and the fix; the HTML
attributes (required, pattern, maxlength) catch the same mistakes before the page is sent."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

CONTENT_TYPES = [
    ("journal-article", "Journal article"),
    ("book", "Book"),
    ("book-chapter", "Book chapter"),
    ("proceedings-article", "Conference paper"),
    ("dataset", "Dataset"),
    ("posted-content", "Preprint (posted content)"),
    ("report", "Report"),
]
LANGUAGES = [
    ("", "(not given)"),
    ("en", "English"),
    ("fr", "French"),
    ("de", "German"),
    ("es", "Spanish"),
    ("pt", "Portuguese"),
    ("it", "Italian"),
    ("nl", "Dutch"),
    ("mi", "Māori"),
    ("ja", "Japanese"),
    ("zh", "Chinese"),
]
UPDATE_TYPES = [
    ("", "(none)"),
    ("correction", "corrects"),
    ("retraction", "retracts"),
    ("erratum", "is an erratum to"),
]
ROLES = [("author", "Author"), ("editor", "Editor"), ("chair", "Chair"), ("translator", "Translator")]

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
SUFFIX_RE = re.compile(r"^[A-Za-z0-9\-._;()/:]+$")
ORCID_RE = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
ROR_RE = re.compile(r"^(?:https?://ror\.org/)?(0[a-hj-km-np-tv-z0-9]{6}\d{2})$")
ISSN_RE = re.compile(r"^\d{4}-?\d{3}[\dXx]$")


def orcid_checksum_ok(digits: str) -> bool:
    """ISO 7064 MOD 11-2 over the first 15 digits; 10 is written X."""
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def normalise_orcid(value: str) -> str:
    """'https://orcid.org/0000-0002-1825-0097' from any of the usual ways of writing it;
    ValidationError naming the problem otherwise."""
    value = value.strip()
    found = ORCID_RE.match(value)
    if not found:
        raise ValidationError(
            f"“{value}” is not an ORCID iD: write it as https://orcid.org/0000-0000-0000-0000 "
            "(16 digits in four groups, the last may be X)."
        )
    digits = found.group(1).replace("-", "")
    if not orcid_checksum_ok(digits):
        raise ValidationError(
            f"The ORCID iD {found.group(1)} has a wrong check digit (its last character): "
            "copy it again from the person's ORCID record."
        )
    return f"https://orcid.org/{found.group(1)}"


def normalise_ror(value: str) -> str:
    value = value.strip()
    found = ROR_RE.match(value)
    if not found:
        raise ValidationError(
            f"“{value}” is not a ROR id: paste it as https://ror.org/ followed by 9 characters "
            "(e.g. https://ror.org/02mhbdp94)."
        )
    return f"https://ror.org/{found.group(1)}"


def normalise_doi(value: str) -> str:
    value = value.strip()
    for start in ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "doi:"):
        if value.lower().startswith(start):
            value = value[len(start) :]
    if not DOI_RE.match(value):
        raise ValidationError(f"“{value}” is not a DOI: a DOI looks like 10.1234/abc-123.")
    return value.lower()


class PartialDateMixin:
    """Year required (or not), month and day optional, checked together."""

    def clean_partial_date(self, prefix: str, label: str, *, required: bool) -> None:
        year = self.cleaned_data.get(f"{prefix}_year")
        month = self.cleaned_data.get(f"{prefix}_month")
        day = self.cleaned_data.get(f"{prefix}_day")
        if year is None and required and f"{prefix}_year" not in self.errors:
            self.add_error(f"{prefix}_year", f"Give at least the year of the {label}.")
        if day and not month:
            self.add_error(f"{prefix}_month", f"A {label} with a day needs its month too.")
        if year and month and day:
            import datetime

            try:
                datetime.date(year, month, day)
            except ValueError:
                self.add_error(f"{prefix}_day", f"{year}-{month:02d}-{day:02d} is not a date.")


def _year() -> forms.IntegerField:
    return forms.IntegerField(
        required=False,
        min_value=1400,
        max_value=2100,
        widget=forms.NumberInput(attrs={"placeholder": "YYYY"}),
    )


def _month() -> forms.IntegerField:
    return forms.IntegerField(
        required=False, min_value=1, max_value=12, widget=forms.NumberInput(attrs={"placeholder": "MM"})
    )


def _day() -> forms.IntegerField:
    return forms.IntegerField(
        required=False, min_value=1, max_value=31, widget=forms.NumberInput(attrs={"placeholder": "DD"})
    )


class WorkForm(PartialDateMixin, forms.Form):
    content_type = forms.ChoiceField(choices=CONTENT_TYPES, label="Content type")
    prefix = forms.ChoiceField(label="DOI prefix", choices=[])
    suffix = forms.CharField(
        label="DOI suffix",
        max_length=200,
        help_text=(
            "Letters, digits and - . _ ; ( ) / : only. A suggestion is filled in; keep it or write your own."
        ),
    )
    url = forms.URLField(
        label="Landing page URL", max_length=2000, assume_scheme="https", help_text="Where the DOI resolves."
    )
    title = forms.CharField(label="Title", max_length=2000)
    subtitle = forms.CharField(label="Subtitle", max_length=2000, required=False)
    # Container: journal, book, proceedings, database, depending on the type.
    container_title = forms.CharField(label="Journal title", max_length=500, required=False)
    issn = forms.CharField(label="ISSN", max_length=9, required=False, help_text="e.g. 1234-5679")
    isbn = forms.CharField(label="ISBN", max_length=17, required=False)
    container_doi = forms.CharField(label="Book DOI", max_length=300, required=False)
    publisher = forms.CharField(label="Publisher", max_length=500, required=False)
    volume = forms.CharField(max_length=100, required=False)
    issue = forms.CharField(max_length=100, required=False)
    first_page = forms.CharField(label="First page", max_length=100, required=False)
    last_page = forms.CharField(label="Last page", max_length=100, required=False)
    article_number = forms.CharField(label="Article number", max_length=100, required=False)
    event_name = forms.CharField(label="Conference name", max_length=500, required=False)
    event_acronym = forms.CharField(label="Conference acronym", max_length=100, required=False)
    event_location = forms.CharField(label="Conference location", max_length=200, required=False)
    event_date = forms.CharField(label="Conference date(s)", max_length=100, required=False)
    institution = forms.CharField(label="Institution", max_length=500, required=False)
    published_year = _year()
    published_month = _month()
    published_day = _day()
    abstract = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="Separate paragraphs with a blank line.",
    )
    language = forms.ChoiceField(choices=LANGUAGES, required=False)
    licence_url = forms.URLField(label="Licence URL", required=False, assume_scheme="https")
    licence_start = forms.DateField(
        label="Licence start date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    preprint_of = forms.CharField(label="This is a preprint of (DOI)", max_length=300, required=False)
    supplement_to = forms.CharField(
        label="This dataset is a supplement to (DOI)", max_length=300, required=False
    )
    update_type = forms.ChoiceField(label="This notice", choices=UPDATE_TYPES, required=False)
    update_doi = forms.CharField(label="the DOI", max_length=300, required=False)
    update_date = forms.DateField(
        label="Date of the notice", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    crossmark_policy = forms.CharField(label="Crossmark policy DOI", max_length=300, required=False)
    references = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="Paste the reference list, one reference per line.",
    )
    reference_dois = forms.CharField(widget=forms.HiddenInput, required=False)

    CONTAINER_LABELS = {
        "journal-article": "Journal title",
        "book-chapter": "Book title",
        "proceedings-article": "Proceedings title",
        "dataset": "Database title",
    }

    def __init__(self, *args, prefixes: list[str], editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefixes = prefixes
        self.editing = editing
        self.fields["prefix"].choices = [(p, p) for p in prefixes]
        self.fields["title"].widget.attrs.update({"required": True, "autofocus": True})
        self.fields["suffix"].widget.attrs.update(
            {"pattern": r"[A-Za-z0-9\-._;()/:]+", "spellcheck": "false"}
        )
        for name in ("preprint_of", "supplement_to", "update_doi", "crossmark_policy", "container_doi"):
            self.fields[name].widget.attrs.update(
                {"pattern": r"\s*(https?://(dx\.)?doi\.org/|doi:)?10\.\d{4,9}/\S+"}
            )
        if editing:
            # A registered DOI keeps its name and its type.
            for name in ("prefix", "suffix", "content_type"):
                self.fields[name].disabled = True
            self.fields["suffix"].help_text = "A registered DOI cannot be renamed."

    def clean_suffix(self) -> str:
        value = self.cleaned_data["suffix"].strip()
        if value.startswith("10.") and "/" in value:
            # A whole DOI pasted into the suffix: take it, if the prefix is ours.
            prefix, _, rest = value.partition("/")
            if prefix not in self.prefixes:
                raise ValidationError(
                    f"{value} is under the prefix {prefix}, which is not one of yours "
                    f"({', '.join(self.prefixes) or 'none'}): choose your prefix and give only the suffix."
                )
            self.cleaned_data["prefix"] = prefix
            value = rest
        if not SUFFIX_RE.match(value):
            raise ValidationError(
                "A DOI suffix may use only letters, digits and - . _ ; ( ) / : (no spaces or other signs)."
            )
        return value

    def clean_prefix(self) -> str:
        value = self.cleaned_data["prefix"]
        if value not in self.prefixes:
            raise ValidationError(f"{value} is not one of your prefixes.")
        return value

    def clean_issn(self) -> str:
        value = self.cleaned_data["issn"].strip()
        if value and not ISSN_RE.match(value):
            raise ValidationError("An ISSN is 8 characters, written 1234-5679 (the last may be X).")
        if value and "-" not in value:
            value = f"{value[:4]}-{value[4:]}"
        return value.upper()

    def clean_isbn(self) -> str:
        value = self.cleaned_data["isbn"].replace("-", "").replace(" ", "").upper()
        if value and not re.match(r"^(\d{9}[\dX]|\d{13})$", value):
            raise ValidationError("An ISBN has 10 or 13 digits (hyphens are fine).")
        return value

    def _doi_field(self, name: str) -> str:
        value = self.cleaned_data.get(name, "").strip()
        return normalise_doi(value) if value else ""

    def clean_preprint_of(self) -> str:
        return self._doi_field("preprint_of")

    def clean_supplement_to(self) -> str:
        return self._doi_field("supplement_to")

    def clean_update_doi(self) -> str:
        return self._doi_field("update_doi")

    def clean_crossmark_policy(self) -> str:
        return self._doi_field("crossmark_policy")

    def clean_container_doi(self) -> str:
        return self._doi_field("container_doi")

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("content_type", "")
        self.clean_partial_date("published", "publication date", required=True)
        if kind in self.CONTAINER_LABELS and not data.get("container_title"):
            label = self.CONTAINER_LABELS[kind]
            self.add_error(
                "container_title", f"A {dict(CONTENT_TYPES)[kind].lower()} needs its {label.lower()}."
            )
        if kind == "proceedings-article" and not data.get("event_name"):
            self.add_error("event_name", "A conference paper needs the name of its conference.")
        if kind in ("book", "book-chapter", "proceedings-article") and not data.get("publisher"):
            self.add_error("publisher", "Give the publisher's name.")
        if data.get("last_page") and not data.get("first_page"):
            self.add_error("first_page", "Give the first page as well as the last.")
        if data.get("update_type") and not data.get("update_doi") and "update_doi" not in self.errors:
            self.add_error("update_doi", "Name the DOI this notice updates.")
        if data.get("update_doi") and not data.get("update_type"):
            self.add_error("update_type", "Say whether this notice corrects or retracts that DOI.")
        if (
            data.get("update_doi")
            and not data.get("crossmark_policy")
            and "crossmark_policy" not in self.errors
        ):
            self.add_error(
                "crossmark_policy",
                "A correction or retraction is sent with Crossmark: give your Crossmark policy DOI.",
            )
        if data.get("licence_start") and not data.get("licence_url"):
            self.add_error("licence_url", "Give the licence URL for this start date.")
        return data

    @property
    def doi(self) -> str:
        return f"{self.cleaned_data['prefix']}/{self.cleaned_data['suffix']}".lower()


class ContributorForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("person", "Person"), ("organisation", "Organisation")], initial="person"
    )
    role = forms.ChoiceField(choices=ROLES, initial="author")
    given = forms.CharField(label="Given name", max_length=200, required=False)
    family = forms.CharField(label="Family name", max_length=200, required=False)
    organisation = forms.CharField(label="Organisation name", max_length=500, required=False)
    orcid = forms.CharField(
        label="ORCID iD",
        max_length=60,
        required=False,
        widget=forms.TextInput(
            attrs={
                "pattern": r"\s*(https?://orcid\.org/)?\d{4}-\d{4}-\d{4}-\d{3}[\dX]\s*",
                "spellcheck": "false",
            }
        ),
    )
    affiliation = forms.CharField(label="Affiliation", max_length=500, required=False)
    ror = forms.CharField(label="ROR id", max_length=60, required=False)

    def clean_orcid(self) -> str:
        value = self.cleaned_data["orcid"].strip()
        return normalise_orcid(value) if value else ""

    def clean_ror(self) -> str:
        value = self.cleaned_data["ror"].strip()
        return normalise_ror(value) if value else ""

    def clean(self) -> dict:
        data = super().clean()
        if data.get("DELETE") or not self.has_changed():
            return data
        if data.get("kind") == "organisation":
            if not data.get("organisation"):
                self.add_error("organisation", "Give the organisation's name.")
        elif not data.get("family"):
            self.add_error("family", "Give the family name (for a single name, put it here).")
        return data


class FundingForm(forms.Form):
    funder_name = forms.CharField(label="Funder", max_length=500, required=False)
    funder_id = forms.CharField(label="Funder id", max_length=200, required=False)
    awards = forms.CharField(
        label="Award numbers", max_length=1000, required=False, help_text="Separate with commas."
    )

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("awards") or data.get("funder_id")) and not data.get("funder_name"):
            self.add_error("funder_name", "Give the funder's name for these award numbers.")
        return data


ContributorFormSet = forms.formset_factory(ContributorForm, extra=0, can_delete=True, max_num=200, min_num=0)
FundingFormSet = forms.formset_factory(FundingForm, extra=0, can_delete=True, max_num=50)


class ResourceForm(forms.Form):
    """Resource-only changes to a registered record: its URL and references to add."""

    url = forms.URLField(label="Landing page URL", max_length=2000, assume_scheme="https")
    add_references = forms.CharField(
        label="References to add",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="One reference per line; they are added after the ones already registered.",
    )
