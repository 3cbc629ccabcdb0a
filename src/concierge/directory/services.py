"""Every write of the directory app: audit, self-service resets, password changes, verifying
contact details, and the directory changes fulfilment makes (with their undo).

The reset from the sign-in page, in four screens:

1. ``reset_start``: the person types an e-mail address or user name. A ``ResetChallenge`` is made
   whether or not the account exists, and a code is sent (by a background task) to every second
   factor the account has: a confirmed mobile number (portal profile or the directory's
   ``mobile``), a confirmed private e-mail address. The answer is the same either way.
2. ``reset_verify``: the code from the message, or from the authenticator app (allauth.mfa TOTP)
   the person set up in the portal.
3. ``reset_unlock`` or ``reset_set_password``: unlock only, or a new password (checked against the
   directory's policy and the list of common passwords).
4. Done: every portal session of the person has ended.

At most ``DIRECTORY_RESETS_PER_ACCOUNT`` resets per account and ``DIRECTORY_RESETS_PER_ADDRESS``
per address start per hour (counted in the cache); every step is audited.
"""

import datetime
import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concierge.accounts.models import User
from concierge.core.worker import enqueue_with_transaction
from concierge.directory.choices import INVERSE, AuditResult, ChangeKind, ChangeStatus
from concierge.directory.client import (
    DirectoryError,
    DirectoryUnavailable,
    PasswordRejected,
    get_directory,
)
from concierge.directory.models import AuditEvent, DirectoryChange, ResetChallenge
from concierge.directory.passwords import password_problems

log = logging.getLogger(__name__)
CODE_MINUTES = 10
MAX_CODE_TRIES = 5
VERIFIED_MINUTES = 10


class ResetError(Exception):
    """A reset step that cannot go on; the message is meant for the person."""


class RateLimited(ResetError):
    pass


def audit_record(*, action: str, result: str, login: str = "", user: User | None = None,
                 dn: str = "", address: str | None = None, detail: str = "") -> AuditEvent:
    """Write one audit event (never pass a password or a code)."""
    return AuditEvent.objects.create(action=action, result=result, login=login[:254],
                                     user=user, dn=dn[:500], address=address or None,
                                     detail=detail[:300])


def _code_hash(challenge_id, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{challenge_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _within_limit(key: str, limit: int) -> bool:
    """Count one more attempt under ``key`` for an hour; False once ``limit`` is passed."""
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= limit


def portal_user_for(person) -> User | None:
    return get_user_model().objects.filter(email__iexact=person.mail).first() \
        if person and person.mail else None


def reset_start(*, login: str, address: str | None) -> ResetChallenge:
    """Begin a reset for whatever ``login`` names; the same answer whether it exists or not.

    Raises RateLimited past the limits, DirectoryUnavailable when the directory is down.
    """
    login = login.strip()[:254]
    if not _within_limit(f"directory-reset:addr:{address}", settings.DIRECTORY_RESETS_PER_ADDRESS):
        audit_record(action="directory.reset.started", result=AuditResult.REFUSED, login=login,
                     address=address, detail="address limit")
        raise RateLimited(_("Too many attempts from this network. Please try again in an hour "
                            "or call the service desk."))
    try:
        person = get_directory().find_user(login)
    except DirectoryUnavailable:
        audit_record(action="directory.reset.started", result=AuditResult.UNAVAILABLE,
                     login=login, address=address)
        raise
    if person is not None and person.disabled:
        # A disabled account (a leaver, a joiner before the first day) gets no code: the answer
        # is the one for an unknown name.
        audit_record(action="directory.reset.started", result=AuditResult.FAILURE, login=login,
                     dn=person.dn, address=address, detail="account disabled")
        person = None
    account_key = (person.dn if person else login).lower()
    if not _within_limit(f"directory-reset:acct:{hashlib.sha256(account_key.encode()).hexdigest()}",
                         settings.DIRECTORY_RESETS_PER_ACCOUNT):
        audit_record(action="directory.reset.started", result=AuditResult.REFUSED, login=login,
                     dn=person.dn if person else "", address=address, detail="account limit")
        raise RateLimited(_("Too many attempts for this account. Please try again in an hour "
                            "or call the service desk."))
    user = portal_user_for(person)
    challenge = ResetChallenge.objects.create(
        login=login, dn=person.dn if person else "", user=user, address=address,
        expires_at=timezone.now() + datetime.timedelta(minutes=CODE_MINUTES))
    audit_record(action="directory.reset.started",
                 result=AuditResult.SUCCESS if person else AuditResult.FAILURE, login=login,
                 user=user, dn=challenge.dn, address=address,
                 detail="" if person else "no such account")
    if person:
        from concierge.directory.tasks import reset_send_code

        enqueue_with_transaction(reset_send_code, str(challenge.pk))
    return challenge


def code_destinations(*, user: User | None, directory_mobile: str = "") -> dict[str, list[str]]:
    """Where a code may go: confirmed mobile numbers and private e-mail addresses."""
    mobiles, emails = [], []
    if user is not None:
        if user.mobile and user.mobile_verified_at:
            mobiles.append(user.mobile)
        if user.private_email and user.private_email_verified_at:
            emails.append(user.private_email)
    if directory_mobile and directory_mobile not in mobiles:
        mobiles.append(directory_mobile)
    return {"sms": mobiles, "email": emails}


def reset_send_code(*, challenge_id: str) -> str:
    """Make the challenge's code and send it to every registered second factor (a task)."""
    from concierge.directory.sms import SmsError, sms_send

    challenge = ResetChallenge.objects.select_related("user").filter(
        pk=challenge_id, expires_at__gt=timezone.now(), verified_at=None).first()
    if challenge is None or not challenge.dn or challenge.code_hash:
        return "nothing to do"
    person = get_directory().get_user(challenge.dn)
    destinations = code_destinations(user=challenge.user,
                                     directory_mobile=person.mobile if person else "")
    if not destinations["sms"] and not destinations["email"]:
        audit_record(action="directory.reset.code_sent", result=AuditResult.FAILURE,
                     login=challenge.login, user=challenge.user, dn=challenge.dn,
                     address=challenge.address, detail="no second factor registered")
        return "no second factor"
    code = f"{secrets.randbelow(10**6):06d}"
    challenge.code_hash = _code_hash(challenge.pk, code)
    challenge.save(update_fields=["code_hash"])
    language = challenge.user.language if challenge.user else settings.LANGUAGE_CODE
    with translation.override(language):
        text = _("Your %(site)s code is %(code)s. It is valid for %(minutes)d minutes. If you "
                 "did not ask for it, ignore this message.") % {
            "site": settings.SITE_NAME, "code": code, "minutes": CODE_MINUTES}
        subject = _("Your code to reset your password")
    sent = []
    for number in destinations["sms"]:
        try:
            sms_send(to=number, text=text)
            sent.append("sms")
        except SmsError as exc:
            log.warning("SMS to a registered mobile failed: %s", exc)
    for address in destinations["email"]:
        send_mail(subject, text, None, [address])
        sent.append("email")
    audit_record(action="directory.reset.code_sent",
                 result=AuditResult.SUCCESS if sent else AuditResult.FAILURE,
                 login=challenge.login, user=challenge.user, dn=challenge.dn,
                 address=challenge.address, detail=", ".join(sent))
    return ", ".join(sent) or "not sent"


def _totp_matches(user: User | None, code: str) -> bool:
    """The code from the person's authenticator app (allauth.mfa), if they set one up."""
    if user is None:
        return False
    from allauth.mfa.models import Authenticator

    authenticator = Authenticator.objects.filter(user=user,
                                                 type=Authenticator.Type.TOTP).first()
    if authenticator is None or not authenticator.wrap().validate_code(code):
        return False
    authenticator.record_usage()
    return True


def reset_verify(*, challenge_id, code: str, address: str | None) -> ResetChallenge:
    """Check the second factor; ResetError with one message for every kind of failure."""
    challenge, matched = _verify(challenge_id=challenge_id, code=code, address=address)
    if challenge is None:
        raise ResetError(_("Please start again."))
    if not matched:
        raise ResetError(_("That code is not right or has expired. Please check it, or start "
                           "again to get a new one."))
    return challenge


@transaction.atomic
def _verify(*, challenge_id, code: str, address: str | None):
    challenge = ResetChallenge.objects.select_for_update(of=("self",)).select_related(
        "user").filter(pk=challenge_id).first()
    if challenge is None or challenge.finished_at:
        return None, False
    code = "".join(code.split())[:12]
    usable = challenge.dn and challenge.expires_at > timezone.now() \
        and challenge.tries < MAX_CODE_TRIES and code.isdigit()
    matched = False
    if usable:
        challenge.tries += 1
        matched = (bool(challenge.code_hash) and hmac.compare_digest(
            challenge.code_hash, _code_hash(challenge.pk, code))) \
            or _totp_matches(challenge.user, code)
    if matched:
        challenge.verified_at = timezone.now()
    challenge.save(update_fields=["tries", "verified_at"])
    audit_record(action="directory.reset.verified",
                 result=AuditResult.SUCCESS if matched else AuditResult.FAILURE,
                 login=challenge.login, user=challenge.user, dn=challenge.dn,
                 address=address, detail=f"try {challenge.tries}")
    return challenge, matched


def reset_verified(challenge_id) -> ResetChallenge:
    """The challenge, if its second factor was proven in the last minutes and it is open."""
    challenge = ResetChallenge.objects.select_related("user").filter(
        pk=challenge_id, finished_at=None, verified_at__gt=timezone.now() - datetime.timedelta(
            minutes=VERIFIED_MINUTES)).exclude(dn="").first()
    if challenge is None:
        raise ResetError(_("Please start again: the time for this reset ran out."))
    return challenge


def _finish(challenge: ResetChallenge) -> None:
    challenge.finished_at = timezone.now()
    challenge.save(update_fields=["finished_at"])


def reset_unlock(*, challenge_id, address: str | None) -> bool:
    """Unlock the account of a verified reset; True if it was locked."""
    challenge = reset_verified(challenge_id)
    try:
        unlocked = get_directory().unlock(challenge.dn)
    except DirectoryError as exc:
        audit_record(action="directory.account.unlocked", result=AuditResult.FAILURE,
                     login=challenge.login, user=challenge.user, dn=challenge.dn,
                     address=address, detail=str(exc))
        raise
    _finish(challenge)
    audit_record(action="directory.account.unlocked", result=AuditResult.SUCCESS,
                 login=challenge.login, user=challenge.user, dn=challenge.dn, address=address,
                 detail="was locked" if unlocked else "was not locked")
    if challenge.user:
        sessions_end_for(user=challenge.user)
    return unlocked


def _check_new_password(directory, *, dn: str, password: str, personal: tuple[str, ...]):
    problems = password_problems(password, policy=directory.policy(), personal=personal)
    if not problems and directory.used_before(dn, password):
        problems.append(_("You have used this password before. Please choose a new one."))
    if problems:
        raise PasswordRejected(problems)


def reset_set_password(*, challenge_id, password: str, address: str | None) -> None:
    """Set a new password for a verified reset (also unlocks) and end the portal sessions."""
    challenge = reset_verified(challenge_id)
    directory = get_directory()
    person = directory.get_user(challenge.dn)
    try:
        if person is None:
            raise DirectoryError(_("This account no longer exists."))
        _check_new_password(directory, dn=challenge.dn, password=password,
                            personal=(person.login, *person.name.split(), person.mail))
        directory.set_password(challenge.dn, password)
        directory.unlock(challenge.dn)
    except DirectoryError as exc:
        audit_record(action="directory.password.reset", result=AuditResult.FAILURE,
                     login=challenge.login, user=challenge.user, dn=challenge.dn,
                     address=address, detail=str(exc))
        raise
    _finish(challenge)
    audit_record(action="directory.password.reset", result=AuditResult.SUCCESS,
                 login=challenge.login, user=challenge.user, dn=challenge.dn, address=address)
    if challenge.user:
        sessions_end_for(user=challenge.user)


def password_change(*, user: User, old_password: str, new_password: str,
                    address: str | None, keep_session_key: str | None = None) -> None:
    """A signed-in person changes their directory password (the old one is required)."""
    directory = get_directory()
    person = directory.find_user(user.email)
    try:
        if person is None:
            raise DirectoryError(_("Your account was not found in the directory."))
        if not old_password:
            raise DirectoryError(_("Please enter your current password."))
        _check_new_password(directory, dn=person.dn, password=new_password,
                            personal=(person.login, *person.name.split(), person.mail))
        directory.change_password(person.dn, old_password, new_password)
    except DirectoryError as exc:
        audit_record(action="directory.password.changed", result=AuditResult.FAILURE,
                     login=user.email, user=user, dn=person.dn if person else "",
                     address=address, detail=str(exc))
        raise
    audit_record(action="directory.password.changed", result=AuditResult.SUCCESS,
                 login=user.email, user=user, dn=person.dn, address=address)
    sessions_end_for(user=user, keep=keep_session_key)


def sessions_end_for(*, user: User, keep: str | None = None) -> int:
    """End every portal session of ``user`` (except ``keep``); how many ended.

    With allauth.usersessions installed, the sessions it lists are ended through it (so its list
    stays right). It only records sign-ins through allauth, though (not the admin's sign-in, not
    a proxy's REMOTE_USER), so the session table is always read as well: in batches, each session
    decoded (the ``db`` and ``cached_db`` engines the portal uses keep every session there).
    Resets and password changes are rare, so reading the table is affordable.
    """
    from importlib import import_module

    from django.apps import apps
    from django.contrib.sessions.models import Session

    ended: set[str] = set()
    if apps.is_installed("allauth.usersessions"):
        from allauth.usersessions.models import UserSession

        for session in UserSession.objects.purge_and_list(user):
            if session.session_key != keep:
                session.end()
                ended.add(session.session_key)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    wanted = str(user.pk)
    sessions = Session.objects.filter(expire_date__gt=timezone.now()).order_by("pk")
    for session in sessions.iterator(chunk_size=500):
        if session.session_key == keep or session.session_key in ended:
            continue
        try:
            data = session.get_decoded()
        except Exception:  # a session that cannot be read is nobody's any more
            log.info("skipped an unreadable session")
            continue
        if data.get("_auth_user_id") == wanted:
            store(session_key=session.session_key).delete()
            ended.add(session.session_key)
    return len(ended)


# --- contact details for codes ----------------------------------------------------------------

CONTACT_FIELDS = {"mobile": "mobile_verified_at", "private_email": "private_email_verified_at"}


def contact_code_send(*, user: User, field: str, value: str, session) -> None:
    """Save an unconfirmed mobile number or private e-mail address and send it a code."""
    from concierge.directory.sms import sms_send

    if field not in CONTACT_FIELDS:
        raise ValueError(field)
    key = f"directory-contact:{user.pk}"
    if not _within_limit(key, 10):
        raise ResetError(_("Too many codes were sent. Please try again in an hour."))
    setattr(user, field, value)
    setattr(user, CONTACT_FIELDS[field], None)
    user.save(update_fields=[field, CONTACT_FIELDS[field]])
    code = f"{secrets.randbelow(10**6):06d}"
    session[f"directory-contact-{field}"] = {
        "hash": _code_hash(f"{user.pk}:{field}:{value}", code), "tries": 0,
        "expires": (timezone.now() + datetime.timedelta(minutes=CODE_MINUTES)).timestamp()}
    text = _("Your %(site)s code to confirm this address is %(code)s.") % {
        "site": settings.SITE_NAME, "code": code}
    if field == "mobile":
        sms_send(to=value, text=text)
    else:
        send_mail(_("Confirm your private e-mail address"), text, None, [value])
    audit_record(action=f"directory.contact.{field}.code_sent", result=AuditResult.SUCCESS,
                 login=user.email, user=user)


def contact_verify(*, user: User, field: str, code: str, session) -> None:
    """Confirm the pending mobile number or private e-mail address with its code."""
    state = session.get(f"directory-contact-{field}")
    value = getattr(user, field, "")
    ok = bool(state and value and state["tries"] < MAX_CODE_TRIES
              and state["expires"] > timezone.now().timestamp()
              and hmac.compare_digest(state["hash"], _code_hash(
                  f"{user.pk}:{field}:{value}", "".join(code.split()))))
    if state:
        state["tries"] += 1
        session[f"directory-contact-{field}"] = state
    audit_record(action=f"directory.contact.{field}.verified",
                 result=AuditResult.SUCCESS if ok else AuditResult.FAILURE,
                 login=user.email, user=user)
    if not ok:
        raise ResetError(_("That code is not right or has expired."))
    setattr(user, CONTACT_FIELDS[field], timezone.now())
    user.save(update_fields=[CONTACT_FIELDS[field]])
    session.pop(f"directory-contact-{field}", None)


# --- changes made by fulfilment ---------------------------------------------------------------

def _apply(change: DirectoryChange, directory=None) -> str:
    directory = directory or get_directory()
    match change.kind:
        case ChangeKind.ENABLE_ACCOUNT | ChangeKind.DISABLE_ACCOUNT:
            directory.set_enabled(change.dn, change.kind == ChangeKind.ENABLE_ACCOUNT)
            return "done"
        case ChangeKind.ADD_TO_GROUP:
            return "added" if directory.add_to_group(change.dn, change.group) else "was a member"
        case ChangeKind.REMOVE_FROM_GROUP:
            return "removed" if directory.remove_from_group(change.dn, change.group) \
                else "was not a member"
        case ChangeKind.DELETE_ACCOUNT:
            directory.delete_user(change.dn)
            return "deleted"
    raise ValueError(change.kind)


def change_record(*, ticket, task, kind: str, dn: str, group: str = "",
                  due_on: datetime.date | None = None, done: bool = False,
                  note: str = "") -> DirectoryChange:
    """Record a change that was made (``done``) or is due on ``due_on``."""
    from concierge.tickets.services import activity_log

    change = DirectoryChange.objects.create(
        ticket=ticket, task=task, kind=kind, dn=dn, group=group, due_on=due_on,
        status=ChangeStatus.DONE if done else ChangeStatus.SCHEDULED, note=note[:500],
        done_at=timezone.now() if done else None)
    activity_log(ticket, None, f"directory.change.{'done' if done else 'scheduled'}",
                 change=change.pk, kind=kind, dn=dn, group=group,
                 due_on=due_on.isoformat() if due_on else None)
    return change


def change_run(*, change_id: int) -> str:
    """Apply one scheduled change now (the periodic task calls it on its date)."""
    from concierge.tickets.services import activity_log

    with transaction.atomic():
        change = DirectoryChange.objects.select_for_update().select_related("ticket").get(
            pk=change_id)
        if change.status != ChangeStatus.SCHEDULED:
            return "nothing to do"
        try:
            result = _apply(change)
        except DirectoryError as exc:
            change.status, change.note = ChangeStatus.FAILED, str(exc)[:500]
            change.save(update_fields=["status", "note"])
            activity_log(change.ticket, None, "directory.change.failed", change=change.pk,
                         kind=change.kind, error=change.note)
            return "failed"
        change.status, change.done_at = ChangeStatus.DONE, timezone.now()
        change.save(update_fields=["status", "done_at"])
        activity_log(change.ticket, None, "directory.change.done", change=change.pk,
                     kind=change.kind, dn=change.dn, group=change.group, result=result)
        return result


def changes_due(*, today: datetime.date | None = None) -> list[str]:
    """Apply every scheduled change whose date has come."""
    today = today or timezone.localdate()
    due = DirectoryChange.objects.filter(status=ChangeStatus.SCHEDULED, due_on__lte=today) \
        .order_by("due_on", "pk").values_list("pk", flat=True)
    return [change_run(change_id=pk) for pk in list(due)]


@transaction.atomic
def change_undo(*, change: DirectoryChange, actor: User) -> DirectoryChange:
    """An agent undoes a change: a scheduled one is cancelled, a done one reversed.

    The reversal is applied at once and recorded as a change of its own, on the same request.
    """
    from concierge.tickets.services import activity_log

    change = DirectoryChange.objects.select_for_update().select_related("ticket").get(
        pk=change.pk)
    if not actor.is_agent:
        raise ResetError(_("Only the IT team can undo directory changes."))
    if change.status == ChangeStatus.SCHEDULED:
        change.status = ChangeStatus.CANCELLED
        change.actor = actor
        change.save(update_fields=["status", "actor"])
        activity_log(change.ticket, actor, "directory.change.cancelled", change=change.pk,
                     kind=change.kind)
        return change
    if not change.can_be_undone:
        raise ResetError(_("This change cannot be undone any more."))
    inverse = DirectoryChange(ticket=change.ticket, task=change.task, kind=INVERSE[change.kind],
                              dn=change.dn, group=change.group, undoes=change, actor=actor)
    result = _apply(inverse)
    inverse.status, inverse.done_at, inverse.note = ChangeStatus.DONE, timezone.now(), result
    inverse.save()
    change.status = ChangeStatus.UNDONE
    change.save(update_fields=["status"])
    activity_log(change.ticket, actor, "directory.change.undone", change=change.pk,
                 kind=change.kind, inverse=inverse.kind, dn=change.dn, group=change.group)
    return inverse
