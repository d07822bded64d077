"""The Celery application.

With REDIS_URL set, tasks go to a real broker and a worker runs them
(`celery -A portal worker`). Without it, settings make tasks run in-process,
so a new user needs nothing but Python.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
