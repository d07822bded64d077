from django.db import migrations

from accounts.billing.defaults import fee_schedule_load


def load(apps, schema_editor):
    fee_schedule_load(
        annual_fee=apps.get_model("accounts", "AnnualFee"),
        registration_fee=apps.get_model("accounts", "RegistrationFee"),
        waiver_country=apps.get_model("accounts", "FeeWaiverCountry"),
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_billing")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
