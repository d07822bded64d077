"""The Celery application.

With REDIS_URL set, tasks go to a real broker and a worker runs them
(`celery -A portal worker`). Without it, settings make tasks run in-process,
so a new user needs nothing but Python.
"""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks that live in sub-packages of the apps (a package without tasks is skipped).
app.autodiscover_tasks(
    ["linking.resolver", "linking.matching", "linking.search", "accounts.billing", "deposits.webform"]
)


@worker_process_init.connect
def warm_up_schemas(**_kwargs) -> None:
    """Each worker process compiles the newest deposit schema as it starts (seconds of work
    that would otherwise fall on the first deposit it processes)."""
    from deposits.xml.schemas import schemas_warm_up

    schemas_warm_up()
