"""Fulfilment plans as data: the tasks that deliver a request once it may go ahead.

    fulfilment:
      tasks:
        - key: order
          title: {en: Order the webcam, de: Webcam bestellen}
          group: it-procurement            # an IT group (a Django group of that name)
          due_days: 2                      # working days after the task opens
        - key: supplier
          title: {en: Send the order to the supplier}
          action: email_supplier           # a registered action (fulfilment/actions.py)
          params: {to: orders@supplier.example}
          after: [order]
        - key: handover
          title: {en: Pick a time for the handover}
          requester: pick_slot             # confirm_receipt | pick_slot | answer
          group: it-workplace              # pick_slot: the group whose slots are offered
          after: [supplier]
        - key: received
          title: {en: Confirm you got it}
          requester: confirm_receipt
          after: [handover]

Tasks without ``after`` start at once and run in parallel; ``after`` lists tasks that must be
done first. ``answer`` tasks carry a ``question`` (a translated text).
"""

from dataclasses import dataclass, field

from concierge.catalog.formspec import KEY_RE, FormSpecError, check_text
from concierge.fulfilment.choices import RequesterTask, TaskKind


@dataclass(frozen=True)
class PlannedTask:
    key: str
    title: dict
    kind: str
    group: str = ""
    requester_task: str = ""
    action: str = ""
    params: dict = field(default_factory=dict)
    question: dict = field(default_factory=dict)
    after: tuple[str, ...] = ()
    due_days: int = 2


def parse_plan(raw, *, path: str = "fulfilment") -> list[PlannedTask]:
    """Check a plan and return its tasks in order, or raise FormSpecError."""
    from concierge.fulfilment.actions import ACTIONS

    if raw in (None, {}, ""):
        return []
    if not isinstance(raw, dict) or not isinstance(raw.get("tasks"), list):
        raise FormSpecError([f"{path}: needs a list of `tasks`"])
    problems: list[str] = []
    tasks: list[PlannedTask] = []
    keys: set[str] = set()
    allowed = {"key", "title", "group", "requester", "action", "params", "question", "after",
               "due_days"}
    for index, entry in enumerate(raw["tasks"]):
        where = f"{path}.tasks[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        unknown = set(entry) - allowed
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        key = entry.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key) or key in keys:
            problems.append(f"{where}.key: a unique key of lowercase letters, digits and _")
            continue
        after = entry.get("after") or []
        if not isinstance(after, list) or any(name not in keys for name in after):
            problems.append(f"{where}.after: may only name tasks listed before it")
            after = []
        keys.add(key)
        requester, action, group = entry.get("requester"), entry.get("action"), entry.get("group")
        if requester:
            kind = TaskKind.REQUESTER
            if requester not in RequesterTask.values:
                problems.append(f"{where}.requester: one of {', '.join(RequesterTask.values)}")
            if requester == RequesterTask.PICK_SLOT and not group:
                problems.append(f"{where}.group: pick_slot offers the slots of a group")
        elif action:
            kind = TaskKind.ACTION
            if action not in ACTIONS:
                problems.append(f"{where}.action: one of {', '.join(sorted(ACTIONS))}")
        elif group:
            kind = TaskKind.GROUP
        else:
            problems.append(f"{where}: needs a group, a requester task or an action")
            continue
        due_days = entry.get("due_days", 2)
        if isinstance(due_days, bool) or not isinstance(due_days, int) or due_days < 0:
            problems.append(f"{where}.due_days: a whole number, 0 or more")
            due_days = 2
        params = entry.get("params") or {}
        if not isinstance(params, dict):
            problems.append(f"{where}.params: must be a mapping")
            params = {}
        question = check_text(entry.get("question"), f"{where}.question", problems,
                              required=requester == RequesterTask.ANSWER)
        tasks.append(PlannedTask(
            key=key, title=check_text(entry.get("title"), f"{where}.title", problems), kind=kind,
            group=group or "", requester_task=requester or "", action=action or "",
            params=params, question=question, after=tuple(after), due_days=due_days))
    if problems:
        raise FormSpecError(problems)
    return tasks
