"""Automatic fulfilment steps: registered Python actions a plan may name.

An action gets its task (with the ticket) and the plan's ``params``; it must be safe to run
twice (e-mails go through ``email_send`` with a key per task).
"""

from collections.abc import Callable

ACTIONS: dict[str, Callable] = {}


def action(name: str):
    def register(function: Callable) -> Callable:
        ACTIONS[name] = function
        return function

    return register


@action("email_supplier")
def email_supplier(task, params: dict) -> str:
    """Send the order to a supplier by e-mail (address in ``params["to"]``)."""
    from django.core.mail import EmailMessage
    from django.db import IntegrityError, transaction
    from django.template.loader import render_to_string
    from django.utils import translation

    from concierge.notifications.models import Delivery

    ticket = task.ticket
    to = params.get("to")
    if not to:
        raise ValueError("email_supplier needs params.to")
    with transaction.atomic():
        try:
            with transaction.atomic():
                Delivery.objects.create(key=f"task:{task.pk}:supplier", address=to,
                                        channel="supplier")
        except IntegrityError:
            return "already sent"
        with translation.override(params.get("language", "en")):
            body = render_to_string("fulfilment/email/supplier_order.txt",
                                    {"ticket": ticket, "task": task, "params": params})
        EmailMessage(subject=f"Order {ticket.number}: {ticket.title}", body=body,
                     to=[to]).send()
    return f"sent to {to}"
