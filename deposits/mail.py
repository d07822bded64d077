"""The submission log by email, to the address in the deposit's head (or the person who
uploaded it when the file could not be read far enough to find one)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from deposits.log import diagnostic_xml
from deposits.models import Submission


def log_recipients(submission: Submission) -> list[str]:
    if submission.depositor_email:
        return [submission.depositor_email]
    if submission.user_id:
        return [submission.user.email]
    return []


def mail_submission_log(submission_id: int) -> None:
    submission = Submission.objects.select_related("organisation", "user").get(pk=submission_id)
    recipients = log_recipients(submission)
    if not recipients:
        return
    context = {
        "submission": submission,
        "failures": submission.records.filter(status="Failure")[:50],
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    subject, _, body = render_to_string("deposits/email/submission_log.txt", context).strip().partition("\n")
    message = EmailMessage(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach(f"submission-{submission.pk}-log.xml", diagnostic_xml(submission), "application/xml")
    message.send()
