import pytest


@pytest.fixture(autouse=True)
def fee_schedule(django_db_blocker, request):
    """The default schedule comes from a data migration, but a transactional test anywhere
    before this one flushes it away: load it again (only missing rows are added)."""
    if "django_db" not in request.keywords:
        return
    from accounts.billing.defaults import fee_schedule_load
    from accounts.models import AnnualFee, FeeWaiverCountry, RegistrationFee

    request.getfixturevalue("transactional_db" if _transactional(request) else "db")
    fee_schedule_load(annual_fee=AnnualFee, registration_fee=RegistrationFee, waiver_country=FeeWaiverCountry)


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
