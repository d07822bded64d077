from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation

from accounts.errors import AccountsError
from accounts.models import (
    Contact,
    MembershipApplication,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
)


def apply_error(form: forms.Form, error: AccountsError) -> None:
    """Show a service's refusal next to the field it concerns (or above the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class MembershipApplicationForm(forms.ModelForm):
    class Meta:
        model = MembershipApplication
        fields = [
            "organisation_name",
            "kind",
            "sponsor",
            "country",
            "website",
            "revenue_tier",
            "publishes",
            "primary_name",
            "primary_email",
            "billing_name",
            "billing_email",
            "technical_name",
            "technical_email",
        ]
        labels = {
            "kind": "Type of membership",
            "sponsor": "Sponsor (for sponsored members)",
            "revenue_tier": "Annual publishing revenue or expenses, whichever is higher",
            "publishes": "What do you publish?",
            "primary_name": "Your name (primary contact)",
            "primary_email": "Your email",
            "billing_name": "Billing contact name",
            "billing_email": "Billing contact email",
            "technical_name": "Technical contact name",
            "technical_email": "Technical contact email",
        }
        help_texts = {
            "primary_email": "You will become the admin of the account and log in with it.",
            "publishes": "For example: two open-access journals in linguistics, about 80 articles a year.",
        }
        widgets = {"publishes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].queryset = Organisation.objects.filter(
            kind=OrganisationKind.SPONSOR, status=OrganisationStatus.ACTIVE
        )

    def clean(self):
        data = super().clean()
        if data.get("kind") == OrganisationKind.SPONSORED_MEMBER and not data.get("sponsor"):
            self.add_error("sponsor", "A sponsored member applies through a sponsor: choose one.")
        if data.get("technical_email") and not data.get("technical_name"):
            self.add_error("technical_name", "Give the technical contact's name too.")
        return data


class OrganisationProfileForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "country",
            "revenue_tier",
            "website",
            "address",
            "deposit_callback_url",
            "citation_callback_url",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["role", "name", "email", "phone"]


ROLE_HELP = {
    Role.ADMIN: "everything, including people and credentials",
    Role.DEPOSITOR: "register and update records",
    Role.BILLING: "invoices and billing",
    Role.VIEWER: "read only",
}


def role_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=[(role.value, f"{role.label}: {ROLE_HELP[role]}") for role in Role],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role."},
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address")
    roles = role_field()


class RolesForm(forms.Form):
    roles = role_field()


class RoleCredentialForm(forms.Form):
    username = forms.CharField(
        max_length=100,
        help_text="Lower-case letters, digits, '.', '_' or '-'; publishing systems send it as login_id.",
    )
    label = forms.CharField(max_length=100, required=False, help_text="What uses it, for your records.")


class TokenForm(forms.Form):
    label = forms.CharField(max_length=100, required=False, help_text="What uses it, for your records.")


class InvitationSignupForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Your name")
    password1 = forms.CharField(label="Choose a password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Repeat the password", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            try:
                password_validation.validate_password(first)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
