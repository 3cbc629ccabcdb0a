"""Reads of people, scoped to what the viewer may see."""

from django.db.models import Q, QuerySet

from concierge.accounts.models import User


def colleague_search_for(user: User, query: str, *, limit: int = 8) -> QuerySet[User]:
    """Active people of the viewer's organisation whose name or e-mail matches ``query``."""
    query = (query or "").strip()
    people = User.objects.filter(organisation_id=user.organisation_id, is_active=True)
    if not query:
        return people.none()
    for word in query.split()[:4]:
        people = people.filter(Q(display_name__icontains=word) | Q(email__icontains=word))
    return people.select_related("department").order_by("display_name")[:limit]


def colleague_get_for(user: User, value: str) -> User | None:
    """Resolve what was typed in a person field (an id, e-mail or exact name) to a colleague."""
    value = (value or "").strip()
    if not value:
        return None
    people = User.objects.filter(organisation_id=user.organisation_id, is_active=True)
    if value.isdigit():
        return people.filter(pk=int(value)).first()
    match = people.filter(email__iexact=value).first()
    if match:
        return match
    by_name = list(people.filter(display_name__iexact=value)[:2])
    return by_name[0] if len(by_name) == 1 else None
