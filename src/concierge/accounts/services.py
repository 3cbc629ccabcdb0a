"""Writes to people's own profiles."""

from django.db import transaction

from concierge.accounts.models import User


@transaction.atomic
def profile_update(*, user: User, language: str, phone: str, location: str) -> User:
    """Save what a person may change about themselves (the rest comes from the directory)."""
    user.language = language
    user.phone = phone
    user.location = location
    user.save(update_fields=["language", "phone", "location"])
    return user
