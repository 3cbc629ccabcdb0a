"""Approval policies as data: the ordered stages a catalog item's requests go through.

A policy lives beside the item's form (catalog as code, see docs/catalog-as-code.md):

    approval:
      stages:
        - key: manager
          title: {en: Your manager, de: Ihre Führungskraft}
          approvers: manager          # manager | managers_manager | cost_centre_owner |
                                      # service_owner | group:<group name>
          mode: any                   # any | all | quorum (with quorum: N)
          when: {price_above: "500"}  # optional: price_above, organisations, or a test on an
                                      # answer like show_when ({question: model, equals: pro})
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from concierge.catalog.formspec import (
    KEY_RE,
    OPERATORS,
    Condition,
    FormSpec,
    FormSpecError,
    check_text,
)

RULES = ("manager", "managers_manager", "cost_centre_owner", "service_owner")
MODES = ("any", "all", "quorum")


@dataclass(frozen=True)
class StageCondition:
    """When a stage applies: a price threshold, the requester's organisation, or an answer."""

    price_above: Decimal | None = None
    organisations: tuple[str, ...] = ()
    answer: Condition | None = None

    def holds(self, *, price: Decimal, organisation: str, answers: dict) -> bool:
        if self.price_above is not None and not price > self.price_above:
            return False
        if self.organisations and organisation not in self.organisations:
            return False
        return self.answer is None or self.answer.holds(answers)


@dataclass(frozen=True)
class Stage:
    key: str
    title: dict
    approvers: str
    mode: str = "any"
    quorum: int = 1
    conditions: tuple[StageCondition, ...] = field(default_factory=tuple)

    @property
    def group(self) -> str:
        return self.approvers.removeprefix("group:") if self.approvers.startswith("group:") \
            else ""

    def applies(self, *, price: Decimal, organisation: str, answers: dict) -> bool:
        return all(c.holds(price=price, organisation=organisation, answers=answers)
                   for c in self.conditions)


def _condition(raw, path: str, form: FormSpec | None, problems: list[str]):
    if not isinstance(raw, dict) or not raw:
        problems.append(f"{path}: a condition is a mapping such as {{price_above: 500}}")
        return None
    if "price_above" in raw:
        try:
            return StageCondition(price_above=Decimal(str(raw["price_above"])))
        except InvalidOperation:
            problems.append(f"{path}.price_above: must be an amount")
            return None
    if "organisations" in raw:
        values = raw["organisations"]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            problems.append(f"{path}.organisations: must be a list of organisation slugs")
            return None
        return StageCondition(organisations=tuple(values))
    if "question" in raw:
        tests = [key for key in raw if key != "question"]
        if len(tests) != 1 or tests[0] not in OPERATORS:
            problems.append(f"{path}: needs one test out of {', '.join(OPERATORS)}")
            return None
        if form is not None and form.question(raw["question"]) is None:
            problems.append(f"{path}: `{raw['question']}` is not a question of this form")
            return None
        return StageCondition(answer=Condition(raw["question"], tests[0], raw[tests[0]]))
    problems.append(f"{path}: use price_above, organisations or question")
    return None


def parse_policy(raw, *, form: FormSpec | None = None, path: str = "approval") -> list[Stage]:
    """Check an approval policy and return its stages, or raise FormSpecError."""
    if raw in (None, {}, ""):
        return []
    if not isinstance(raw, dict) or not isinstance(raw.get("stages"), list):
        raise FormSpecError([f"{path}: needs a list of `stages`"])
    problems: list[str] = []
    stages, keys = [], set()
    for index, entry in enumerate(raw["stages"]):
        where = f"{path}.stages[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        unknown = set(entry) - {"key", "title", "approvers", "mode", "quorum", "when"}
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        key = entry.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key) or key in keys:
            problems.append(f"{where}.key: a unique key of lowercase letters, digits and _")
            continue
        keys.add(key)
        approvers = entry.get("approvers")
        if not isinstance(approvers, str) or not (
            approvers in RULES or (approvers.startswith("group:") and len(approvers) > 6)
        ):
            problems.append(f"{where}.approvers: one of {', '.join(RULES)} or group:<name>")
            continue
        mode = entry.get("mode", "any")
        if mode not in MODES:
            problems.append(f"{where}.mode: one of {', '.join(MODES)}")
            continue
        quorum = entry.get("quorum", 1)
        if mode == "quorum" and (isinstance(quorum, bool) or not isinstance(quorum, int)
                                 or quorum < 1):
            problems.append(f"{where}.quorum: a whole number, 1 or more")
            continue
        raw_when = entry.get("when")
        items = raw_when if isinstance(raw_when, list) else [] if raw_when is None else [raw_when]
        conditions = tuple(c for i, item in enumerate(items)
                           if (c := _condition(item, f"{where}.when[{i}]", form, problems)))
        stages.append(Stage(key=key, title=check_text(entry.get("title"), f"{where}.title",
                                                      problems),
                            approvers=approvers, mode=mode,
                            quorum=quorum if mode == "quorum" else 1, conditions=conditions))
    if problems:
        raise FormSpecError(problems)
    return stages
