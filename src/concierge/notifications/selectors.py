from django.db.models import QuerySet

from concierge.accounts.models import User
from concierge.notifications.choices import Kind
from concierge.notifications.models import Notification, Preference


def notification_list_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count_for(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def email_kinds_for(user: User) -> set[str]:
    """The kinds this person gets by e-mail (all, unless they switched some off)."""
    off = set(Preference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return set(Kind.values) - off
