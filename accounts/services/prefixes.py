from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import AccountsError, AccountsErrorCode
from accounts.models import (
    Organisation,
    OrganisationStatus,
    Prefix,
    PrefixStatus,
    PrefixTransfer,
    User,
    prefix_validator,
)
from accounts.services.audit import audit_record, stored_user


def prefix_normalise(value: str) -> str:
    """Validate a prefix typed by a person ('10.5555', ' 10.5555 ') and return it clean."""
    value = (value or "").strip()
    try:
        prefix_validator(value)
    except ValidationError as exc:
        raise AccountsError(
            AccountsErrorCode.INVALID_PREFIX,
            f"'{value}' is not a DOI prefix: {exc.messages[0]}",
            field="prefix",
        ) from exc
    return value


def prefix_next_free_value() -> str:
    """The lowest prefix of the configured pool that no Prefix row uses yet."""
    start, end = settings.PREFIX_POOL_START, settings.PREFIX_POOL_END
    used = {
        prefix.number
        for prefix in Prefix.objects.filter(value__startswith="10.").only("value")
        if start <= prefix.number <= end
    }
    for number in range(start, end + 1):
        if number not in used:
            return f"10.{number}"
    raise AccountsError(
        AccountsErrorCode.PREFIX_POOL_EXHAUSTED,
        f"Every prefix from 10.{start} to 10.{end} is taken: widen PREFIX_POOL_START/END.",
    )


def _require_active(organisation: Organisation) -> None:
    if organisation.status != OrganisationStatus.ACTIVE:
        raise AccountsError(
            AccountsErrorCode.ORGANISATION_NOT_ACTIVE,
            f"{organisation.name} is {organisation.get_status_display().lower()}; "
            "only active organisations receive prefixes.",
            field="organisation",
        )


def prefix_assign(*, organisation: Organisation, actor: User | None, value: str | None = None) -> Prefix:
    """Give `organisation` a new prefix: `value` if given, else the next free one of the pool."""
    _require_active(organisation)
    wanted = prefix_normalise(value) if value else None
    for _attempt in range(5):
        candidate = wanted or prefix_next_free_value()
        try:
            with transaction.atomic():
                prefix = Prefix.objects.create(
                    value=candidate,
                    organisation=organisation,
                    status=PrefixStatus.ACTIVE,
                    assigned_at=timezone.now(),
                )
                audit_record(
                    actor=actor,
                    action="prefix.assign",
                    target=prefix,
                    organisation=organisation,
                    after={"prefix": prefix.value, "organisation": organisation.pk},
                )
                return prefix
        except IntegrityError:
            if wanted:
                raise AccountsError(
                    AccountsErrorCode.PREFIX_TAKEN,
                    f"Prefix {wanted} already exists; choose another or transfer it.",
                    field="prefix",
                ) from None
            # Another approval took the same free prefix at the same moment: try the next.
    raise AccountsError(AccountsErrorCode.PREFIX_POOL_EXHAUSTED, "Could not find a free prefix; try again.")


@transaction.atomic
def prefix_transfer(
    *, prefix: Prefix, to_organisation: Organisation, actor: User | None, reason: str = ""
) -> PrefixTransfer:
    """Move a prefix (and with it the right to deposit under it) to another organisation."""
    prefix = Prefix.objects.select_for_update().get(pk=prefix.pk)
    if prefix.organisation_id == to_organisation.pk:
        raise AccountsError(
            AccountsErrorCode.PREFIX_SAME_OWNER,
            f"{prefix.value} already belongs to {to_organisation.name}.",
            field="to_organisation",
        )
    _require_active(to_organisation)
    from_organisation = prefix.organisation
    prefix.organisation = to_organisation
    prefix.assigned_at = timezone.now()
    prefix.save(update_fields=["organisation", "assigned_at"])
    transfer = PrefixTransfer.objects.create(
        prefix=prefix,
        from_organisation=from_organisation,
        to_organisation=to_organisation,
        actor=stored_user(actor),
        reason=reason,
    )
    for organisation in {from_organisation, to_organisation} - {None}:
        audit_record(
            actor=actor,
            action="prefix.transfer",
            target=prefix,
            organisation=organisation,
            before={"organisation": from_organisation.pk if from_organisation else None},
            after={"organisation": to_organisation.pk},
            message=reason,
        )
    return transfer


@transaction.atomic
def prefix_set_status(*, prefix: Prefix, status: str, actor: User | None) -> Prefix:
    before = prefix.status
    prefix.status = PrefixStatus(status)
    prefix.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="prefix.status",
        target=prefix,
        organisation=prefix.organisation,
        before={"status": before},
        after={"status": prefix.status},
    )
    return prefix
