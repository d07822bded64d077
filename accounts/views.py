"""Member account pages. Every page under /account/<member_id>/ loads the organisation
through `for_organisation`, which answers 404 to anyone who does not act for it and 403
to a member whose roles do not allow the page or the action."""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.errors import AccountsError
from accounts.forms import (
    ContactForm,
    InvitationSignupForm,
    InviteForm,
    MembershipApplicationForm,
    OrganisationProfileForm,
    RoleCredentialForm,
    RolesForm,
    TokenForm,
    apply_error,
)
from accounts.models import Organisation, Role, User

ANY_ROLE = frozenset(Role.values)
ADMIN = frozenset({Role.ADMIN})
DEPOSITING = frozenset({Role.ADMIN, Role.DEPOSITOR})
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def for_organisation(*, read: frozenset[str] = ANY_ROLE, write: frozenset[str] = ADMIN):
    """Load the organisation of the URL and check the user's roles for the request method."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, member_id: int, *args, **kwargs) -> HttpResponse:
            organisation, roles = selectors.organisation_for_user(user=request.user, member_id=member_id)
            needed = read if request.method in SAFE_METHODS else write
            if not selectors.has_any_role(roles, needed):
                names = " or ".join(sorted(needed))
                raise PermissionDenied(f"This needs the {names} role for {organisation.name}.")
            context = {
                "organisation": organisation,
                "roles": roles,
                "is_admin": Role.ADMIN in roles,
            }
            return view(request, organisation, context, *args, **kwargs)

        return wrapper

    return decorator


def join(request: HttpRequest) -> HttpResponse:
    form = MembershipApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(**form.cleaned_data)
        except AccountsError as error:
            apply_error(form, error)
        else:
            request.session["application_id"] = application.pk
            return redirect("join_thanks")
    return render(request, "accounts/join.html", {"form": form})


def join_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/join_thanks.html")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    organisations = list(selectors.organisations_for_user(request.user))
    if len(organisations) == 1:
        return redirect("accounts:profile", member_id=organisations[0].member_id)
    return render(request, "accounts/home.html", {"organisations": organisations})


@for_organisation()
def profile(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    # The form works on a copy: validating copies the submitted values onto its instance,
    # and a refused edit must not show up in the page header as if it were saved.
    form = OrganisationProfileForm(request.POST or None, instance=copy(organisation))
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(organisation=organisation, actor=request.user, **form.cleaned_data)
        except AccountsError as error:
            apply_error(form, error)
        else:
            messages.success(request, "Profile saved.")
            return redirect("accounts:profile", member_id=organisation.member_id)
    return render(request, "accounts/profile.html", {**context, "form": form, "tab": "profile"})


@for_organisation()
def contacts(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_save(organisation=organisation, actor=request.user, **form.cleaned_data)
        except AccountsError as error:
            apply_error(form, error)
        else:
            messages.success(request, f"Contact {form.cleaned_data['name']} added.")
            return redirect("accounts:contacts", member_id=organisation.member_id)
    return render(
        request,
        "accounts/contacts.html",
        {**context, "form": form, "contacts": organisation.contacts.all(), "tab": "contacts"},
    )


@for_organisation(read=ADMIN)
def contact_edit(request: HttpRequest, organisation: Organisation, context: dict, pk: int) -> HttpResponse:
    contact = get_object_or_404(organisation.contacts, pk=pk)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_save(
                organisation=organisation, actor=request.user, contact=contact, **form.cleaned_data
            )
        except AccountsError as error:
            apply_error(form, error)
        else:
            messages.success(request, "Contact saved.")
            return redirect("accounts:contacts", member_id=organisation.member_id)
    return render(
        request,
        "accounts/contact_edit.html",
        {**context, "form": form, "contact": contact, "tab": "contacts"},
    )


@require_POST
@for_organisation()
def contact_delete(request: HttpRequest, organisation: Organisation, context: dict, pk: int) -> HttpResponse:
    contact = get_object_or_404(organisation.contacts, pk=pk)
    services.contact_delete(contact=contact, actor=request.user)
    messages.success(request, f"Contact {contact.name} removed.")
    return redirect("accounts:contacts", member_id=organisation.member_id)


@for_organisation()
def people(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organisation=organisation, actor=request.user, **form.cleaned_data
            )
        except AccountsError as error:
            apply_error(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("accounts:people", member_id=organisation.member_id)
    return render(
        request,
        "accounts/people.html",
        {
            **context,
            "form": form,
            "people": selectors.organisation_people(organisation),
            "invitations": selectors.organisation_open_invitations(organisation),
            "role_choices": Role.choices,
            "tab": "people",
        },
    )


def _person_of(organisation: Organisation, user_id: int) -> User:
    return get_object_or_404(
        User.objects.filter(memberships__organisation=organisation).distinct(), pk=user_id
    )


@require_POST
@for_organisation()
def person_roles(
    request: HttpRequest, organisation: Organisation, context: dict, user_id: int
) -> HttpResponse:
    person = _person_of(organisation, user_id)
    form = RolesForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{person.email}: choose at least one role (or remove them).")
    else:
        try:
            roles = services.membership_set_roles(
                organisation=organisation, user=person, roles=form.cleaned_data["roles"], actor=request.user
            )
        except AccountsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{person.email} now has: {', '.join(roles)}.")
    return redirect("accounts:people", member_id=organisation.member_id)


@require_POST
@for_organisation()
def person_remove(
    request: HttpRequest, organisation: Organisation, context: dict, user_id: int
) -> HttpResponse:
    person = _person_of(organisation, user_id)
    try:
        services.membership_remove(organisation=organisation, user=person, actor=request.user)
    except AccountsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{person.email} no longer acts for {organisation.name}.")
    return redirect("accounts:people", member_id=organisation.member_id)


@require_POST
@for_organisation()
def invitation_revoke(
    request: HttpRequest, organisation: Organisation, context: dict, pk: int
) -> HttpResponse:
    invitation = get_object_or_404(organisation.invitations, pk=pk)
    services.invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, f"Invitation of {invitation.email} revoked.")
    return redirect("accounts:people", member_id=organisation.member_id)


@for_organisation()
def prefixes(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    return render(
        request,
        "accounts/prefixes.html",
        {**context, "prefixes": selectors.organisation_prefixes(organisation), "tab": "prefixes"},
    )


@for_organisation(read=DEPOSITING)
def credentials(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    role_form = RoleCredentialForm(prefix="role")
    token_form = TokenForm(prefix="token")
    if request.method == "POST":
        kind = request.POST.get("kind")
        try:
            if kind == "role":
                role_form = RoleCredentialForm(request.POST, prefix="role")
                if role_form.is_valid():
                    credential, secret = services.credential_create_role(
                        organisation=organisation, actor=request.user, **role_form.cleaned_data
                    )
                    return _secret_once(request, context, credential, secret)
            elif kind == "token":
                token_form = TokenForm(request.POST, prefix="token")
                if token_form.is_valid():
                    credential, secret = services.credential_create_token(
                        organisation=organisation, actor=request.user, **token_form.cleaned_data
                    )
                    return _secret_once(request, context, credential, secret)
            else:
                messages.error(request, "Choose whether to create a role login or an API token.")
        except AccountsError as error:
            apply_error(role_form if kind == "role" else token_form, error)
    return render(
        request,
        "accounts/credentials.html",
        {
            **context,
            "credentials": selectors.organisation_credentials(organisation),
            "role_form": role_form,
            "token_form": token_form,
            "tab": "credentials",
        },
    )


def _secret_once(request: HttpRequest, context: dict, credential, secret: str) -> HttpResponse:
    # Rendered straight from the POST (never stored, never redirected) and not cacheable.
    response = render(
        request,
        "accounts/credential_created.html",
        {**context, "credential": credential, "secret": secret, "tab": "credentials"},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@for_organisation()
def credential_revoke(
    request: HttpRequest, organisation: Organisation, context: dict, pk: int
) -> HttpResponse:
    credential = get_object_or_404(organisation.credentials, pk=pk)
    services.credential_revoke(credential=credential, actor=request.user)
    messages.success(request, f"{credential} revoked: it no longer works for deposits.")
    return redirect("accounts:credentials", member_id=organisation.member_id)


@for_organisation(read=ADMIN)
def activity(request: HttpRequest, organisation: Organisation, context: dict) -> HttpResponse:
    return render(
        request,
        "accounts/activity.html",
        {**context, "events": selectors.organisation_audit(organisation, limit=200), "tab": "activity"},
    )


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: logged-in users accept with one click; newcomers choose a
    password; someone who already has a login for the address logs in first."""
    found = services.invitation_from_token(token)
    if found is None or not found.is_open:
        return render(request, "accounts/invitation_invalid.html", status=410)
    existing = User.objects.filter(email__iexact=found.email).first()
    signup = None
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=found, user=request.user)
            except AccountsError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"You now act for {found.organisation.name}.")
                return redirect("accounts:profile", member_id=found.organisation.member_id)
    elif existing is None:
        signup = InvitationSignupForm(request.POST or None, email=found.email)
        if request.method == "POST" and signup.is_valid():
            user = services.user_register(
                email=found.email,
                password=signup.cleaned_data["password1"],
                full_name=signup.cleaned_data["full_name"],
            )
            services.invitation_accept(invitation=found, user=user)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome! You now act for {found.organisation.name}.")
            return redirect("accounts:profile", member_id=found.organisation.member_id)
    return render(
        request,
        "accounts/invitation.html",
        {"invitation": found, "existing": existing, "signup": signup},
    )
