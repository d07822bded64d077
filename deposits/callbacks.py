"""POSTing a finished submission's log to the member's `deposit_callback_url`.

The body is the `doi_batch_diagnostic` XML (the same document `submissionDownload
type=result` returns, so a publishing system parses one shape whichever way it gets it),
with headers naming the submission. Only http(s); redirects are not followed; addresses
on private, loopback or link-local networks are refused unless
DEPOSIT_CALLBACK_ALLOW_PRIVATE is set (a member must not make our worker call inside
our own network). Delivery runs in its own Celery task (deposits.tasks.deliver_submission_log),
never inside processing; each attempt is recorded in the submission's history."""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from deposits.log import diagnostic_xml
from deposits.models import Submission

USER_AGENT = "portal-deposit-callback/1"


def callback_timeout() -> float:
    return float(getattr(settings, "DEPOSIT_CALLBACK_TIMEOUT", 10))


def callback_max_attempts() -> int:
    return int(getattr(settings, "DEPOSIT_CALLBACK_MAX_ATTEMPTS", 6))


def callback_backoff(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: doubling from DEPOSIT_CALLBACK_BACKOFF, at most an hour."""
    return min(float(getattr(settings, "DEPOSIT_CALLBACK_BACKOFF", 30)) * 2 ** (attempt - 1), 3600.0)


@dataclass(frozen=True)
class Delivery:
    """One attempt: `outcome` delivered | retry | refused, with what happened in words."""

    outcome: str
    detail: str
    http_status: int | None = None

    @property
    def should_retry(self) -> bool:
        return self.outcome == "retry"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is answered as it is, and reported


def _address_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http(s) URL"
    if getattr(settings, "DEPOSIT_CALLBACK_ALLOW_PRIVATE", False):
        return None
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except OSError as exc:
        return f"{parts.hostname} does not resolve ({exc})"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            return f"{parts.hostname} is a private or local address ({ip}); callbacks go to public hosts only"
    return None


def callback_request(submission: Submission) -> urllib.request.Request:
    return urllib.request.Request(
        submission.organisation.deposit_callback_url,
        data=diagnostic_xml(submission),
        method="POST",
        headers={
            "Content-Type": "application/xml; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Submission-Id": str(submission.pk),
            "X-Batch-Id": submission.batch_id,
            "X-Submission-Status": submission.status,
        },
    )


def callback_post(submission: Submission) -> Delivery:
    """One delivery attempt of the submission's log; never raises for network trouble."""
    url = submission.organisation.deposit_callback_url
    problem = _address_problem(url)
    if problem:
        return Delivery("refused", problem)
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(callback_request(submission), timeout=callback_timeout()) as response:
            return Delivery("delivered", f"{url} answered {response.status}", response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
        if status >= 500 or status in (408, 429):
            return Delivery("retry", f"{url} answered {status}; trying again later", status)
        return Delivery("refused", f"{url} answered {status}; not retried (fix the receiver)", status)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Delivery("retry", f"{url} could not be reached ({reason}); trying again later")
