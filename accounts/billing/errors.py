"""Billing refusals: stable codes with messages that say what to do instead."""

from __future__ import annotations

from enum import StrEnum

from accounts.errors import AccountsError


class BillingErrorCode(StrEnum):
    INVALID_TRANSITION = "invoice_invalid_transition"
    CREDIT_TOO_LARGE = "credit_too_large"
    FEE_MISSING = "fee_missing"
    INVALID_PERIOD = "invalid_period"


class BillingError(AccountsError):
    """An AccountsError, so the admin's action helpers report it like any other refusal."""

    def __init__(self, code: BillingErrorCode, message: str, *, field: str | None = None):
        super().__init__(code, message, field=field)  # type: ignore[arg-type]
