from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    # DOIs are shown as links to this deployment's resolver.
    return {"SITE_NAME": settings.SITE_NAME, "DOI_RESOLVER": settings.SITE_URL.rstrip("/") + "/"}
