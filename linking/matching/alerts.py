"""Daily citation alerts: tell each organisation about new citations of its works, by mail
to its contacts and/or a JSON POST to its `citation_callback_url`. The end of each sent
window is kept as an audit event, so the next run starts where this one stopped and
nothing is sent twice."""

from __future__ import annotations

import json
import logging
import urllib.request
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import AuditEvent, Organisation
from accounts.services import audit_record
from linking.matching.selectors import new_citations
from linking.models import WorkReference

ACTION = "citation_alert_sent"
CALLBACK_TIMEOUT = 10


def _last_window_end(organisation: Organisation) -> datetime | None:
    event = (
        AuditEvent.objects.filter(organisation=organisation, action=ACTION).order_by("-created_at").first()
    )
    return parse_datetime(event.after.get("until", "")) if event else None


def _mail(organisation: Organisation, pairs: list[tuple[str, str]]) -> bool:
    recipients = sorted({c.email for c in organisation.contacts.all() if c.email})
    if not recipients:
        return False
    lines = [f"{citing} cites {cited}" for cited, citing in pairs]
    body = (
        f"{len(pairs)} new citation(s) of works of {organisation.name} were found:\n\n"
        + "\n".join(lines[:500])
        + ("\n…" if len(lines) > 500 else "")
        + f"\n\n{settings.SITE_NAME}\n"
    )
    send_mail(f"New citations of your works ({len(pairs)})", body, settings.DEFAULT_FROM_EMAIL, recipients)
    return True


def _callback(organisation: Organisation, pairs: list[tuple[str, str]], until: datetime) -> bool:
    url = organisation.citation_callback_url
    if not url:
        return False
    payload = {
        "member": organisation.member_id,
        "until": until.isoformat(),
        "citations": [{"cited": cited, "citing": citing} for cited, citing in pairs],
    }
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=CALLBACK_TIMEOUT) as response:  # noqa: S310 (member's URL)
        return 200 <= response.status < 300


def citation_alerts_send(*, now: datetime | None = None) -> dict[int, int]:
    """Send each organisation the citations matched since its last alert. Returns the
    number of citations sent per organisation id. A failed callback leaves the window
    open so the next run sends it again."""
    until = now or timezone.now()
    sent: dict[int, int] = {}
    oldest = until - timedelta(days=1)
    organisations = {o.pk: o for o in Organisation.objects.all()}
    earliest = min(
        (_last_window_end(o) or oldest for o in organisations.values()),
        default=oldest,
    )
    for organisation_id, pairs in new_citations(since=earliest, until=until).items():
        organisation = organisations.get(organisation_id)
        if organisation is None:
            continue
        since = _last_window_end(organisation) or oldest
        # Citations matched in (since, until] for this organisation only.
        fresh = _fresh(pairs, since, until)
        if not fresh:
            continue
        try:
            delivered = _callback(organisation, fresh, until)
        except OSError as exc:
            logging.getLogger(__name__).warning("citation callback of %s failed: %s", organisation, exc)
            continue
        delivered = _mail(organisation, fresh) or delivered
        if delivered:
            with transaction.atomic():
                audit_record(
                    actor=None,
                    action=ACTION,
                    target=organisation,
                    organisation=organisation,
                    after={"until": until.isoformat(), "count": len(fresh)},
                    message=f"{len(fresh)} new citation(s) sent",
                )
            sent[organisation_id] = len(fresh)
    return sent


def _fresh(pairs: list[tuple[str, str]], since: datetime, until: datetime) -> list[tuple[str, str]]:
    keep = set(
        WorkReference.objects.filter(
            match_status="matched",
            matched_at__gt=since,
            matched_at__lte=until,
            matched_doi__in={cited for cited, _ in pairs},
        ).values_list("matched_doi", "work__doi")
    )
    return [p for p in pairs if p in keep]
