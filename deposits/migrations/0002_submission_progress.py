from django.db import migrations, models
from django.db.models import F


def progress_from_creation(apps, schema_editor):
    """Submissions already waiting count their progress from when they arrived."""
    Submission = apps.get_model("deposits", "Submission")
    Submission.objects.filter(progress_at__isnull=True).update(progress_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("deposits", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="progress_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When processing last moved on (a status change or a registered batch); the sweep "
                "sends submissions stuck longer than DEPOSIT_STUCK_AFTER to the worker again.",
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(fields=["status", "progress_at"], name="submission_status_progress"),
        ),
        migrations.RunPython(progress_from_creation, migrations.RunPython.noop),
    ]
