"""Telling people what happened: in the portal (the bell) and by e-mail, once per event.

Every message has a key made of the event and the recipient. The in-app notification and the
e-mail's delivery row are written in the task's transaction, so a worker that dies half-way
leaves nothing behind and the retried task writes both. The e-mail's Message-ID is derived from
the key: if a worker dies in the instant between handing the message over and committing, the
retried message is the same message, which mailboxes keep once (see ``mailbox.py``).
"""

import hashlib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from concierge.accounts.models import User
from concierge.notifications.choices import Kind
from concierge.notifications.models import Delivery, Notification, Preference


def message_id_for(key: str) -> str:
    """A stable Message-ID for the message with this key."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "concierge.local"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _render(template: str, context: dict, language: str) -> tuple[str, str, str]:
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL, "site_name": settings.SITE_NAME}
        subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
        text = render_to_string(f"notifications/email/{template}.txt", context)
        html = render_to_string(f"notifications/email/{template}.html", context)
    return " ".join(subject.split()), text, html


def email_wanted(user: User, kind: str) -> bool:
    row = Preference.objects.filter(user=user, kind=kind).only("email").first()
    return row is None or row.email


def notify(*, key: str, recipient: User, kind: Kind, template: str, context: dict,
           url: str = "", headers: dict[str, str] | None = None) -> bool:
    """Notify ``recipient`` in the portal and, if they want it for this kind, by e-mail.

    The bell's line is the e-mail's subject, kept in every language so it follows the
    person's language. Returns False when this key was already notified.
    """
    if not recipient.is_active:
        return False
    context = {**context, "recipient": recipient}
    title = {code: _render_subject(template, context, code) for code, _ in settings.LANGUAGES}
    with transaction.atomic():
        try:
            with transaction.atomic():
                Notification.objects.create(key=key[:200], recipient=recipient, kind=kind,
                                            title=title, url=url[:300])
        except IntegrityError:
            return False
        if email_wanted(recipient, kind):
            email_send(key=key, recipient=recipient, template=template, context=context,
                       headers=headers)
    return True


def _render_subject(template: str, context: dict, language: str) -> str:
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL, "site_name": settings.SITE_NAME}
        return " ".join(render_to_string(f"notifications/email/{template}_subject.txt",
                                         context).split())


def email_send(*, key: str, recipient: User, template: str, context: dict,
               headers: dict[str, str] | None = None) -> bool:
    """E-mail ``recipient`` the message ``notifications/email/<template>`` once per ``key``.

    Renders subject, text and HTML in the recipient's language. Returns False when a message
    with this key was already sent (a retried task sends nothing twice). The delivery row and
    the send happen in one transaction, so a failed send is retried later, not lost.
    ``headers`` add to or replace the defaults (threading headers of mail about a ticket).
    """
    if not recipient.is_active or not recipient.email:
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                Delivery.objects.create(key=key[:200], recipient=recipient)
        except IntegrityError:
            return False
        subject, text, html = _render(template, {**context, "recipient": recipient},
                                      recipient.language or settings.LANGUAGE_CODE)
        message = EmailMultiAlternatives(
            subject=subject, body=text,
            to=[f"{recipient.display_name} <{recipient.email}>"],
            headers={"Message-ID": message_id_for(key), "Auto-Submitted": "auto-generated",
                     **(headers or {})})
        message.attach_alternative(html, "text/html")
        message.send()
    return True


def preferences_save(*, user: User, email_kinds: set[str]) -> None:
    """Keep e-mail for the kinds in ``email_kinds``, the portal only for the others."""
    with transaction.atomic():
        for kind in Kind.values:
            Preference.objects.update_or_create(user=user, kind=kind,
                                                defaults={"email": kind in email_kinds})


def notifications_mark_read(*, user: User, pk: int | None = None) -> int:
    """Mark one (or, without ``pk``, every) unread notification of ``user`` as read."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())
