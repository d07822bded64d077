"""Who may do what: organisations, their DOI prefixes, their people, their credentials.

Models hold data and invariants only; every write goes through accounts.services.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_countries.fields import CountryField

PREFIX_PATTERN = r"^10\.[1-9][0-9]{3,8}\Z"
prefix_validator = RegexValidator(
    PREFIX_PATTERN,
    message="A DOI prefix is '10.' followed by 4 to 9 digits, not starting with 0 (e.g. 10.5555).",
    code="invalid_prefix",
)


class OrganisationKind(models.TextChoices):
    MEMBER = "member", "Member"
    SPONSORED_MEMBER = "sponsored_member", "Sponsored member"
    SPONSOR = "sponsor", "Sponsor"
    AFFILIATE = "affiliate", "Affiliate"
    LIBRARY = "library", "Library"
    CONSORTIUM = "consortium", "Consortium"


class OrganisationStatus(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    CLOSED = "closed", "Closed"


class RevenueTier(models.TextChoices):
    """Annual publishing revenue or expenses, whichever is higher (USD)."""

    UP_TO_1K = "lt_1k", "Up to USD 999"
    UNDER_1M = "lt_1m", "USD 1,000 to under 1 million"
    FROM_1M = "1m_5m", "USD 1 to 5 million"
    FROM_5M = "5m_10m", "USD 5 to 10 million"
    FROM_10M = "10m_25m", "USD 10 to 25 million"
    FROM_25M = "25m_50m", "USD 25 to 50 million"
    FROM_50M = "50m_100m", "USD 50 to 100 million"
    FROM_100M = "100m_200m", "USD 100 to 200 million"
    FROM_200M = "200m_500m", "USD 200 to 500 million"
    OVER_500M = "gt_500m", "Over USD 500 million"


class Organisation(models.Model):
    name = models.CharField(max_length=255)
    member_id = models.PositiveIntegerField(
        unique=True, help_text="Public integer id, as used by /members/{id} in the REST API."
    )
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices, default=OrganisationKind.MEMBER)
    sponsor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsored",
        help_text="For sponsored members: the sponsor that acts and pays for them.",
    )
    country = CountryField(blank=True)
    revenue_tier = models.CharField(max_length=16, choices=RevenueTier.choices, default=RevenueTier.UNDER_1M)
    status = models.CharField(
        max_length=16, choices=OrganisationStatus.choices, default=OrganisationStatus.APPLICANT
    )
    website = models.URLField(blank=True)
    address = models.TextField(blank=True)
    deposit_callback_url = models.URLField(
        blank=True, help_text="Submission logs are POSTed here when processing ends (optional)."
    )
    citation_callback_url = models.URLField(
        blank=True, help_text="New citations of this organisation's works are POSTed here daily (optional)."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(sponsor__isnull=True) | Q(kind=OrganisationKind.SPONSORED_MEMBER),
                name="only_sponsored_members_have_sponsor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.member_id})"

    @property
    def is_active(self) -> bool:
        return self.status == OrganisationStatus.ACTIVE


class ContactRole(models.TextChoices):
    PRIMARY = "primary", "Primary"
    TECHNICAL = "technical", "Technical"
    BILLING = "billing", "Billing"
    METADATA_QUALITY = "metadata_quality", "Metadata quality"


class Contact(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField(max_length=32, choices=ContactRole.choices)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["organisation", "role", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "role", "email"], name="unique_contact_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> ({self.get_role_display()})"


class PrefixStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    RESERVED = "reserved", "Reserved"


class Prefix(models.Model):
    value = models.CharField(max_length=16, unique=True, validators=[prefix_validator])
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="prefixes"
    )
    status = models.CharField(max_length=16, choices=PrefixStatus.choices, default=PrefixStatus.ACTIVE)
    assigned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["value"]
        verbose_name_plural = "prefixes"

    def __str__(self) -> str:
        return self.value

    @property
    def number(self) -> int:
        return int(self.value.split(".", 1)[1])


class PrefixTransfer(models.Model):
    """One move of a prefix between organisations; rows are never edited or deleted."""

    prefix = models.ForeignKey(Prefix, on_delete=models.PROTECT, related_name="transfers")
    from_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prefixes_transferred_out",
    )
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="prefixes_transferred_in"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.TextField(blank=True)
    transferred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-transferred_at"]

    def __str__(self) -> str:
        return f"{self.prefix} → {self.to_organisation}"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("Users log in by email, so an email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str) -> User:
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_staff = models.BooleanField(default=False, help_text="Staff can log in to the admin back office.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    DEPOSITOR = "depositor", "Depositor"
    BILLING = "billing", "Billing"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A user acting for an organisation in one role; a user may hold several roles."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_role_per_user_and_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.organisation}"


class Invitation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    roles = models.JSONField(default=list, help_text="Role values the invitee receives.")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organisation}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class CredentialKind(models.TextChoices):
    ROLE = "role", "Role login (username and password)"
    TOKEN = "token", "API token"


class DepositCredential(models.Model):
    """What a publishing system puts in a deposit request. Secrets are stored hashed only:
    role passwords with the configured password hasher, tokens as SHA-256 (they are long
    random strings, so a slow hash adds nothing) behind a short lookup prefix."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(max_length=8, choices=CredentialKind.choices)
    label = models.CharField(max_length=100, blank=True)
    username = models.CharField(
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9._-]{2,99}\Z",
                "Use 3 to 100 lower-case letters, digits, '.', '_' or '-'.",
            )
        ],
    )
    password_hash = models.CharField(max_length=256, blank=True)
    token_prefix = models.CharField(max_length=16, null=True, blank=True, unique=True)
    token_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=CredentialKind.ROLE, username__isnull=False, token_prefix__isnull=True)
                    | Q(kind=CredentialKind.TOKEN, token_prefix__isnull=False, username__isnull=True)
                ),
                name="credential_has_username_or_token",
            )
        ]

    def __str__(self) -> str:
        shown = self.username if self.kind == CredentialKind.ROLE else f"{self.token_prefix}…"
        return f"{self.get_kind_display()}: {shown}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class MembershipApplication(models.Model):
    organisation_name = models.CharField(max_length=255)
    kind = models.CharField(
        max_length=32,
        choices=[
            (OrganisationKind.MEMBER, "Member"),
            (OrganisationKind.SPONSORED_MEMBER, "Sponsored member"),
            (OrganisationKind.LIBRARY, "Library"),
            (OrganisationKind.AFFILIATE, "Affiliate"),
        ],
        default=OrganisationKind.MEMBER,
    )
    sponsor = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_applications",
        limit_choices_to={"kind": OrganisationKind.SPONSOR},
    )
    country = CountryField()
    website = models.URLField(blank=True)
    revenue_tier = models.CharField(max_length=16, choices=RevenueTier.choices)
    publishes = models.TextField(help_text="What the organisation publishes.")
    primary_name = models.CharField(max_length=200)
    primary_email = models.EmailField()
    billing_name = models.CharField(max_length=200)
    billing_email = models.EmailField()
    technical_name = models.CharField(max_length=200, blank=True)
    technical_email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    rejection_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.OneToOneField(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.get_status_display()})"


class AuditEvent(models.Model):
    """Who changed what, when, with the state before and after. Written by services."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=255)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.action} on {self.target_repr}"


from accounts.billing.models import *  # noqa: E402, F403  (billing models live in accounts.billing)
