"""Fulfilment actions that change the directory (registered in fulfilment's ACTIONS).

Each records what it did, or will do on a date, as ``DirectoryChange`` rows on the request
(shown under "Directory changes", each with an undo for agents) and in its activity. Running an
action twice changes nothing the second time. Parameters (``params`` in the plan):

``directory.create_account``
    The "new colleague" form's answers ``first_name``, ``last_name``, ``start_date``,
    ``job_title``, ``department`` and, for fixed-term contracts, ``end_date``. The account is
    created disabled, enabled on the start date and disabled after the end date. Optional
    ``groups`` / ``group_from`` + ``group_map`` as below add it to groups.
``directory.add_to_group`` / ``directory.remove_from_group``
    For the person the request is for. ``group`` or ``groups`` name fixed groups;
    ``group_from`` names an answer and ``group_map`` maps its values (one or several) to
    groups. ``until_from`` names a date answer: the membership ends after that day.
``directory.disable_account``
    ``person_from`` (default ``person``) names the person answer, ``date_from`` (default
    ``last_day``) the last working day: the account is disabled the day after (at once if that
    day has passed).
"""

import datetime

from django.conf import settings
from django.utils import timezone

from concierge.directory.choices import ChangeKind
from concierge.directory.client import (
    DirectoryError,
    directory_configured,
    get_directory,
    login_from_name,
)
from concierge.directory.models import DirectoryChange
from concierge.directory.services import change_record
from concierge.fulfilment.actions import action


def _answer(ticket, key: str):
    for answer in ticket.answers:
        if answer.get("key") == key:
            return answer.get("value")
    return None


def _date(ticket, key: str) -> datetime.date | None:
    value = _answer(ticket, key) if key else None
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _key(value) -> str:
    """Answers and map keys compared without case and trailing separators (folder paths)."""
    return str(value).strip().rstrip("\\/").lower()


def _groups(ticket, params: dict) -> list[str]:
    groups = list(params.get("groups") or [])
    if params.get("group"):
        groups.append(params["group"])
    if params.get("group_from"):
        values = _answer(ticket, params["group_from"])
        values = values if isinstance(values, list) else [values]
        mapping = {_key(k): v for k, v in (params.get("group_map") or {}).items()}
        for value in values:
            if value in (None, ""):
                continue
            group = mapping.get(_key(value))
            if not group:
                raise DirectoryError(f"no directory group for {params['group_from']}={value!r}; "
                                     "add it to the plan's group_map or do it by hand")
            groups.append(group)
    return list(dict.fromkeys(groups))


def _already(task) -> bool:
    return DirectoryChange.objects.filter(task=task).exists()


def _person_dn(directory, email: str) -> str:
    person = directory.find_user(email) if email else None
    if person is None:
        raise DirectoryError(f"no directory account for {email or 'this person'}")
    return person.dn


def _add_groups(task, directory, dn: str, groups: list[str], *, until=None) -> list[str]:
    done = []
    for group in groups:
        added = directory.add_to_group(dn, group)
        change_record(ticket=task.ticket, task=task, kind=ChangeKind.ADD_TO_GROUP, dn=dn,
                      group=group, done=True, note="added" if added else "was a member")
        if until:
            change_record(ticket=task.ticket, task=task, kind=ChangeKind.REMOVE_FROM_GROUP,
                          dn=dn, group=group, due_on=until + datetime.timedelta(days=1))
        done.append(group)
    return done


def _directory():
    if not directory_configured():
        raise DirectoryError("no directory is connected (DIRECTORY_URL): please do this step "
                             "by hand")
    return get_directory()


@action("directory.create_account")
def create_account(task, params: dict) -> str:
    if _already(task):
        return "already done"
    ticket, directory = task.ticket, _directory()
    given, surname = str(_answer(ticket, "first_name") or "").strip(), \
        str(_answer(ticket, "last_name") or "").strip()
    if not given or not surname:
        raise DirectoryError("the request has no first_name and last_name")
    base = login_from_name(given, surname) or "user"
    login = base
    for number in range(2, 100):
        if directory.login_free(login):
            break
        login = f"{base[:18]}{number}"
    domain = params.get("mail_domain") or settings.DIRECTORY_MAIL_DOMAIN
    start, end = _date(ticket, "start_date"), _date(ticket, "end_date")
    today = timezone.localdate()
    enable_now = start is None or start <= today
    department = _answer(ticket, "department") or ""
    dn = directory.create_user(login=login, given_name=given, surname=surname,
                               mail=f"{login}@{domain}",
                               title=str(_answer(ticket, "job_title") or ""),
                               department=str(department), enabled=enable_now)
    change_record(ticket=ticket, task=task, kind=ChangeKind.CREATE_ACCOUNT, dn=dn, done=True,
                  note=f"{login}@{domain}")
    if not enable_now:
        change_record(ticket=ticket, task=task, kind=ChangeKind.ENABLE_ACCOUNT, dn=dn,
                      due_on=start)
    if end:
        change_record(ticket=ticket, task=task, kind=ChangeKind.DISABLE_ACCOUNT, dn=dn,
                      due_on=end + datetime.timedelta(days=1))
    groups = _add_groups(task, directory, dn, _groups(ticket, params))
    state = "enabled" if enable_now else f"disabled until {start.isoformat()}"
    return f"created {login}@{domain} ({state})" + (f", groups: {', '.join(groups)}"
                                                     if groups else "")


@action("directory.add_to_group")
def add_to_group(task, params: dict) -> str:
    if _already(task):
        return "already done"
    directory = _directory()
    groups = _groups(task.ticket, params)
    if not groups:
        raise DirectoryError("the plan names no group")
    dn = _person_dn(directory, task.ticket.requested_for.email)
    until = _date(task.ticket, params.get("until_from", ""))
    done = _add_groups(task, directory, dn, groups, until=until)
    return f"added to {', '.join(done)}" + (f" until {until.isoformat()}" if until else "")


@action("directory.remove_from_group")
def remove_from_group(task, params: dict) -> str:
    if _already(task):
        return "already done"
    directory = _directory()
    groups = _groups(task.ticket, params)
    if not groups:
        raise DirectoryError("the plan names no group")
    dn = _person_dn(directory, task.ticket.requested_for.email)
    for group in groups:
        removed = directory.remove_from_group(dn, group)
        change_record(ticket=task.ticket, task=task, kind=ChangeKind.REMOVE_FROM_GROUP, dn=dn,
                      group=group, done=True, note="removed" if removed else "was not a member")
    return f"removed from {', '.join(groups)}"


@action("directory.disable_account")
def disable_account(task, params: dict) -> str:
    if _already(task):
        return "already done"
    ticket, directory = task.ticket, _directory()
    person = _answer(ticket, params.get("person_from", "person"))
    email = person.get("email", "") if isinstance(person, dict) else str(person or "")
    dn = _person_dn(directory, email)
    last_day = _date(ticket, params.get("date_from", "last_day"))
    due = last_day + datetime.timedelta(days=1) if last_day else timezone.localdate()
    if due <= timezone.localdate():
        directory.set_enabled(dn, False)
        change_record(ticket=ticket, task=task, kind=ChangeKind.DISABLE_ACCOUNT, dn=dn,
                      done=True)
        return f"disabled {email}"
    change_record(ticket=ticket, task=task, kind=ChangeKind.DISABLE_ACCOUNT, dn=dn, due_on=due)
    return f"{email} will be disabled on {due.isoformat()}"
