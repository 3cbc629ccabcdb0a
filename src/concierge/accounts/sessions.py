"""The person's active sessions (allauth.usersessions): where they are signed in, and ending
them. allauth records a session at sign-in; this keeps its "last seen" and address fresh."""

import time
from importlib import import_module

from allauth.usersessions.internal.flows.sessions import end_other_sessions, end_sessions
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from concierge.accounts.services import client_ip

_SEEN_KEY = "concierge_session_seen"
# Refresh "last seen" at most this often: one UPDATE per session every few minutes, not per page.
TOUCH_EVERY = 300


def mark_session_seen(request) -> None:
    """allauth records the session at sign-in; the next refresh is due TOUCH_EVERY later."""
    request.session[_SEEN_KEY] = int(time.time())


class SessionActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.session_key:
            now = int(time.time())
            if now - request.session.get(_SEEN_KEY, 0) > TOUCH_EVERY:
                ip = client_ip(request)
                UserSession.objects.filter(
                    session_key=request.session.session_key, user_id=user.pk).update(
                    last_seen_at=timezone.now(),
                    **({"ip": ip} if ip != "unknown" else {}))
                request.session[_SEEN_KEY] = now
        return self.get_response(request)


_DB_ENGINES = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}


def _live_sessions_from_db(user, sessions: list[UserSession]) -> list[UserSession]:
    """allauth's purge, in one query: sessions that expired, or whose sign-in no longer
    matches the person (another account, or a password changed since), are removed."""
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    live = Session.objects.filter(session_key__in=[s.session_key for s in sessions],
                                  expire_date__gt=timezone.now())
    data = {row.session_key: store.decode(row.session_data) for row in live}
    user_hash = user.get_session_auth_hash()
    keep, gone = [], []
    for session in sessions:
        decoded = data.get(session.session_key)
        if decoded and str(decoded.get(SESSION_KEY)) == str(user.pk) and \
                constant_time_compare(decoded.get(HASH_SESSION_KEY, ""), user_hash):
            keep.append(session)
        else:
            gone.append(session.pk)
    if gone:
        UserSession.objects.filter(pk__in=gone).delete()
    return keep


def session_list_for(user) -> list[UserSession]:
    """The person's live sessions, newest activity first (expired ones are purged)."""
    if settings.SESSION_ENGINE in _DB_ENGINES:
        sessions = _live_sessions_from_db(user, list(UserSession.objects.filter(user=user)))
    else:
        sessions = UserSession.objects.purge_and_list(user)
    return sorted(sessions, key=lambda s: s.last_seen_at, reverse=True)


def session_end(*, request, session_id: int) -> bool:
    """End one of the person's own sessions (404 for anyone else's). True if it was this one."""
    session = UserSession.objects.filter(pk=session_id, user_id=request.user.pk).first()
    if session is None:
        raise Http404
    current = session.is_current()
    end_sessions(request, [session])
    return current


def session_end_others(*, request) -> None:
    end_other_sessions(request, request.user)


_BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari")]
_SYSTEMS = [("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
            ("Windows", "Windows"), ("Mac OS X", "Mac"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]


def describe_user_agent(user_agent: str) -> tuple[str, str]:
    """A browser and device name people recognise, from the User-Agent header ("" if unknown)."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "")
    device = next((name for token, name in _SYSTEMS if token in user_agent), "")
    return browser, device
