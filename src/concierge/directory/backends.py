"""Sign-in against the directory (AUTHENTICATION_BACKENDS, when DIRECTORY_URL is set).

The person types their e-mail address or user name and directory password. An empty password is
refused before anything reaches the directory. The portal account is found by e-mail address
(or made) and its name, department, phone and job title follow the directory's. Accounts are
only made in an organisation ``DIRECTORY_ORGANISATIONS`` maps the entry's DN to, and an existing
account is only used if it belongs to that organisation.
"""

import logging

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.db import transaction
from django.utils.text import slugify

from concierge.accounts.models import Department, Organisation, User
from concierge.directory.choices import AuditResult
from concierge.directory.client import DirectoryError, DirectoryUser, get_directory
from concierge.directory.services import audit_record

log = logging.getLogger(__name__)


def organisation_for(dn: str) -> Organisation | None:
    """The organisation whose configured DN suffix ends ``dn`` (the longest one wins)."""
    dn = dn.lower()
    matches = [(len(suffix), slug) for slug, suffix in settings.DIRECTORY_ORGANISATIONS
               if dn.endswith(suffix.lower())]
    if not matches:
        return None
    return Organisation.objects.filter(slug=max(matches)[1]).first()


@transaction.atomic
def user_sync(person: DirectoryUser) -> User | None:
    """The portal account for a directory entry, made or updated; None if it may not be."""
    organisation = organisation_for(person.dn)
    if organisation is None or not person.mail:
        return None
    user = User.objects.filter(email__iexact=person.mail).first()
    if user is not None and user.organisation_id != organisation.pk:
        return None
    if user is None:
        user = User(email=person.mail.lower(), organisation=organisation)
        user.set_unusable_password()
    department = None
    if person.department:
        department = Department.objects.get_or_create(
            organisation=organisation, code=slugify(person.department)[:50] or "department",
            defaults={"name": person.department})[0]
    user.display_name = person.name or user.display_name or person.mail
    user.department = department or user.department
    user.phone = person.phone or user.phone
    user.job_title = person.title or user.job_title
    user.save()
    return user


class DirectoryBackend(BaseBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        login = (email or username or "").strip()
        address = request.META.get("REMOTE_ADDR") if request else None
        if not login or not password:  # an empty password would be an anonymous bind
            return None
        try:
            person = get_directory().authenticate(login, password)
        except DirectoryError as exc:
            log.warning("directory sign-in not possible: %s", exc)
            audit_record(action="directory.signin", result=AuditResult.UNAVAILABLE,
                         login=login, address=address)
            return None
        if person is None:
            audit_record(action="directory.signin", result=AuditResult.FAILURE, login=login,
                         address=address)
            return None
        user = user_sync(person)
        audit_record(action="directory.signin",
                     result=AuditResult.SUCCESS if user else AuditResult.FAILURE, login=login,
                     user=user, dn=person.dn, address=address,
                     detail="" if user else "no organisation for this entry")
        return user if user is not None and user.is_active else None

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id, is_active=True).first()
