"""Sending messages to people, in their own language, at most once per event."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from concierge.accounts.models import User
from concierge.notifications.models import Delivery


def email_send(*, key: str, recipient: User, template: str, context: dict) -> bool:
    """E-mail ``recipient`` the message ``notifications/email/<template>`` once per ``key``.

    Renders subject, text and HTML in the recipient's language. Returns False when a message
    with this key was already sent (a retried task sends nothing twice). The delivery row and
    the send happen in one transaction, so a failed send is retried later, not lost.
    """
    if not recipient.is_active or not recipient.email:
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                Delivery.objects.create(key=key[:200], recipient=recipient)
        except IntegrityError:
            return False
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            context = {**context, "recipient": recipient, "site_url": settings.SITE_URL,
                       "site_name": settings.SITE_NAME}
            subject = render_to_string(f"notifications/email/{template}_subject.txt",
                                       context).strip()
            text = render_to_string(f"notifications/email/{template}.txt", context)
            html = render_to_string(f"notifications/email/{template}.html", context)
        message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text,
                                         to=[f"{recipient.display_name} <{recipient.email}>"])
        message.attach_alternative(html, "text/html")
        message.send()
    return True
