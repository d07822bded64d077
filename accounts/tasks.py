"""Thin tasks: take an id, call one function. Mail is retried with back-off when the
mail server is unreachable."""

from celery import shared_task

from accounts import mail

MAIL_TASK_OPTIONS = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_kwargs": {"max_retries": 5},
    "acks_late": True,
}


@shared_task(**MAIL_TASK_OPTIONS)
def send_application_received_email(application_id: int) -> None:
    mail.mail_application_received(application_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_application_approved_email(application_id: int) -> None:
    mail.mail_application_approved(application_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_application_rejected_email(application_id: int) -> None:
    mail.mail_application_rejected(application_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_invitation_email(invitation_id: int) -> None:
    mail.mail_invitation(invitation_id)
