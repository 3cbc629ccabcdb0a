"""Declarative request forms: parsing, checking and evaluating a form definition.

A catalog item's form is data (see docs/catalog-as-code.md): steps holding questions, each with a
type, options and an optional ``show_when`` condition on an earlier answer. ``parse_form`` turns
the stored mapping into frozen dataclasses and reports every problem with its path, so the admin,
the YAML import and the wizard all rely on the same checks.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from concierge.core.files import FILE_KINDS

QUESTION_TYPES = ("text", "textarea", "number", "date", "choice", "multichoice", "yesno",
                  "person", "attachment")
PROFILE_DEFAULTS = ("location", "phone", "job_title", "department", "cost_centre", "manager")
OPERATORS = ("equals", "not_equals", "in", "not_in", "gt", "lt", "contains", "is_set")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Keys the engine itself uses.
RESERVED_KEYS = {"for_whom", "requested_for", "action", "shown", "csrfmiddlewaretoken"}

_COMMON = {"key", "type", "label", "help", "required", "default", "default_from", "show_when",
           "placeholder"}
_OPTIONS = {
    "text": {"min_length", "max_length", "pattern", "pattern_message"},
    "textarea": {"min_length", "max_length"},
    "number": {"min", "max", "step"},
    "date": {"min_days_ahead", "max_days_ahead"},
    "choice": {"choices"},
    "multichoice": {"choices", "min_choices", "max_choices"},
    "yesno": {"price_once", "price_monthly"},
    "person": set(),
    "attachment": {"allowed_types", "max_size_mb"},
}


class FormSpecError(ValueError):
    """A form definition that cannot be used; ``problems`` lists each with its path."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Choice:
    value: str
    label: dict
    # Added to the item's price when this choice is made.
    price_once: Decimal = Decimal(0)
    price_monthly: Decimal = Decimal(0)


@dataclass(frozen=True)
class Condition:
    question: str
    operator: str
    operand: Any

    def holds(self, answers: dict) -> bool:
        value = answers.get(self.question)
        match self.operator:
            case "is_set":
                return bool(self.operand) == (value not in (None, "", []))
            case "equals":
                return value == self.operand
            case "not_equals":
                return value != self.operand
            case "in":
                return value in self.operand
            case "not_in":
                return value not in self.operand
            case "contains":
                return isinstance(value, list) and self.operand in value
            case "gt" | "lt":
                if value in (None, "", []):
                    return False
                try:
                    number = Decimal(str(value))
                except InvalidOperation:
                    return False
                limit = Decimal(str(self.operand))
                return number > limit if self.operator == "gt" else number < limit
        return False


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    label: dict
    help: dict = field(default_factory=dict)
    placeholder: dict = field(default_factory=dict)
    required: bool = False
    default: Any = None
    default_from: str = ""
    conditions: tuple[Condition, ...] = ()
    choices: tuple[Choice, ...] = ()
    options: dict = field(default_factory=dict)

    def is_visible(self, answers: dict) -> bool:
        return all(condition.holds(answers) for condition in self.conditions)

    def choice_label(self, value) -> dict:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return {"en": str(value)}


@dataclass(frozen=True)
class Step:
    key: str
    title: dict
    questions: tuple[Question, ...]



@dataclass(frozen=True)
class FormSpec:
    steps: tuple[Step, ...]

    @property
    def questions(self) -> list[Question]:
        return [question for step in self.steps for question in step.questions]

    @property
    def controlling_keys(self) -> frozenset[str]:
        """Keys whose answers decide whether other questions are shown."""
        return frozenset(c.question for q in self.questions for c in q.conditions)

    def visible_questions(self, answers: dict) -> list[Question]:
        """Questions shown for these answers. A hidden question's answer counts as not given,
        so a question that depends on it is hidden too."""
        effective: dict = {}
        visible = []
        for question in self.questions:
            if question.is_visible(effective):
                visible.append(question)
                if question.key in answers:
                    effective[question.key] = answers[question.key]
        return visible

    def visible_in_step(self, step: Step, answers: dict) -> list[Question]:
        keys = {q.key for q in step.questions}
        return [q for q in self.visible_questions(answers) if q.key in keys]

    def visible_steps(self, answers: dict) -> list[Step]:
        shown = {q.key for q in self.visible_questions(answers)}
        return [step for step in self.steps if any(q.key in shown for q in step.questions)]

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def step(self, key: str) -> Step | None:
        return next((step for step in self.steps if step.key == key), None)


def check_text(value, path: str, problems: list[str], *, required: bool = True) -> dict:
    """Translated text: a mapping of language to text (a bare string counts as English)."""
    if value is None or value == "" or value == {}:
        if required:
            problems.append(f"{path}: required (a text per language, English at least)")
        return {}
    if isinstance(value, str):
        return {"en": value}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        problems.append(f"{path}: must map language codes to texts, e.g. {{en: ..., de: ...}}")
        return {}
    if required and not value.get("en"):
        problems.append(f"{path}: the English text is missing")
    return {k: v for k, v in value.items() if v}


def _number(value, path: str, problems: list[str]):
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.append(f"{path}: must be a number")
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        problems.append(f"{path}: must be a number")
        return None


def _conditions(raw, path: str, earlier: dict[str, "Question"], problems: list[str]):
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    conditions = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]" if isinstance(raw, list) else path
        if not isinstance(item, dict) or "question" not in item:
            problems.append(
                f"{where}: needs `question` and one test, e.g. {{question: x, equals: y}}")
            continue
        tests = [op for op in item if op != "question"]
        if len(tests) != 1 or tests[0] not in OPERATORS:
            problems.append(f"{where}: needs exactly one test out of {', '.join(OPERATORS)}")
            continue
        operator, operand = tests[0], item[tests[0]]
        target = earlier.get(item["question"])
        if target is None:
            problems.append(
                f"{where}: `{item['question']}` is not a question asked earlier in this form"
            )
            continue
        if operator in ("in", "not_in") and not isinstance(operand, list):
            problems.append(f"{where}: `{operator}` takes a list")
            continue
        if operator in ("gt", "lt") and _number(operand, f"{where}.{operator}", problems) is None:
            continue
        if target.choices:
            values = {choice.value for choice in target.choices}
            wanted = operand if isinstance(operand, list) else [operand]
            if operator in ("equals", "not_equals", "in", "not_in", "contains"):
                unknown = [v for v in wanted if v not in values]
                if unknown:
                    problems.append(f"{where}: {unknown} is not a choice of `{target.key}`")
                    continue
        if target.type == "yesno" and operator in ("equals", "not_equals") \
                and not isinstance(operand, bool):
            problems.append(f"{where}: a yes/no question is compared with true or false")
            continue
        conditions.append(Condition(question=item["question"], operator=operator,
                                    operand=operand))
    return tuple(conditions)


def _question(raw, path: str, earlier: dict[str, Question], problems: list[str]):
    if not isinstance(raw, dict):
        problems.append(f"{path}: must be a mapping")
        return None
    key, qtype = raw.get("key"), raw.get("type")
    if not isinstance(key, str) or not KEY_RE.match(key):
        problems.append(f"{path}.key: use lowercase letters, digits and _ (starting with a letter)")
        return None
    if key in RESERVED_KEYS:
        problems.append(f"{path}.key: `{key}` is reserved")
        return None
    if key in earlier:
        problems.append(f"{path}.key: `{key}` is used twice in this form")
        return None
    if qtype not in QUESTION_TYPES:
        problems.append(f"{path}.type: must be one of {', '.join(QUESTION_TYPES)}")
        return None
    unknown = set(raw) - _COMMON - _OPTIONS[qtype]
    if unknown:
        problems.append(f"{path}: unknown option(s) for a {qtype} question: "
                        f"{', '.join(sorted(unknown))}")
    choices: list[Choice] = []
    if qtype in ("choice", "multichoice"):
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, list) or not raw_choices:
            problems.append(f"{path}.choices: a {qtype} question needs at least one choice")
        else:
            for index, item in enumerate(raw_choices):
                where = f"{path}.choices[{index}]"
                if not isinstance(item, dict) or not isinstance(item.get("value"), str) \
                        or not item["value"]:
                    problems.append(f"{where}: needs a `value` (text) and a `label`")
                    continue
                if any(c.value == item["value"] for c in choices):
                    problems.append(f"{where}.value: `{item['value']}` is listed twice")
                    continue
                unknown_keys = set(item) - {"value", "label", "price_once", "price_monthly"}
                if unknown_keys:
                    problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown_keys))}")
                prices = {name: _number(item[name], f"{where}.{name}", problems) or Decimal(0)
                          for name in ("price_once", "price_monthly") if name in item}
                label = check_text(item.get("label"), f"{where}.label", problems)
                choices.append(Choice(value=item["value"], label=label, **prices))
    options = {name: raw[name] for name in _OPTIONS[qtype] if name in raw and name != "choices"}
    for name in ("min_length", "max_length", "min_choices", "max_choices", "min_days_ahead",
                 "max_days_ahead", "max_size_mb"):
        if name in options and (isinstance(options[name], bool)
                                or not isinstance(options[name], int)):
            problems.append(f"{path}.{name}: must be a whole number")
    for name in ("min", "max", "step", "price_once", "price_monthly"):
        if name in options:
            _number(options[name], f"{path}.{name}", problems)
    if "pattern" in options:
        try:
            re.compile(options["pattern"])
        except (re.error, TypeError) as exc:
            problems.append(f"{path}.pattern: not a valid regular expression ({exc})")
    if "pattern_message" in options:
        options["pattern_message"] = check_text(options["pattern_message"],
                                                f"{path}.pattern_message", problems)
    if "allowed_types" in options:
        kinds = options["allowed_types"]
        if not isinstance(kinds, list) or not all(kind in FILE_KINDS for kind in kinds):
            problems.append(f"{path}.allowed_types: choose from {', '.join(FILE_KINDS)}")
    default_from = raw.get("default_from") or ""
    if default_from and default_from not in PROFILE_DEFAULTS:
        problems.append(f"{path}.default_from: choose from {', '.join(PROFILE_DEFAULTS)}")
    default = raw.get("default")
    if default is not None:
        values = {c.value for c in choices}
        if qtype == "choice" and default not in values:
            problems.append(f"{path}.default: `{default}` is not one of the choices")
        if qtype == "multichoice" and (not isinstance(default, list)
                                       or not set(default) <= values):
            problems.append(f"{path}.default: must be a list of the choices' values")
        if qtype == "yesno" and not isinstance(default, bool):
            problems.append(f"{path}.default: must be true or false")
    return Question(
        key=key,
        type=qtype,
        label=check_text(raw.get("label"), f"{path}.label", problems),
        help=check_text(raw.get("help"), f"{path}.help", problems, required=False),
        placeholder=check_text(raw.get("placeholder"), f"{path}.placeholder", problems,
                               required=False),
        required=bool(raw.get("required", False)),
        default=default,
        default_from=default_from,
        conditions=_conditions(raw.get("show_when"), f"{path}.show_when", earlier, problems),
        choices=tuple(choices),
        options=options,
    )


def parse_form(raw, *, path: str = "form") -> FormSpec:
    """Check a form definition and return it as a FormSpec, or raise FormSpecError."""
    problems: list[str] = []
    if raw in (None, {}, ""):
        return FormSpec(steps=())
    if not isinstance(raw, dict) or not isinstance(raw.get("steps"), list):
        raise FormSpecError([f"{path}: needs a list of `steps`"])
    earlier: dict[str, Question] = {}
    step_keys: set[str] = set()
    steps = []
    for s_index, raw_step in enumerate(raw["steps"]):
        s_path = f"{path}.steps[{s_index}]"
        if not isinstance(raw_step, dict):
            problems.append(f"{s_path}: must be a mapping")
            continue
        key = raw_step.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key):
            problems.append(f"{s_path}.key: use lowercase letters, digits and _")
        elif key in step_keys:
            problems.append(f"{s_path}.key: `{key}` is used twice")
        step_keys.add(key)
        questions = []
        raw_questions = raw_step.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            problems.append(f"{s_path}.questions: a step needs at least one question")
            raw_questions = []
        for q_index, raw_question in enumerate(raw_questions):
            question = _question(raw_question, f"{s_path}.questions[{q_index}]", earlier, problems)
            if question is not None:
                earlier[question.key] = question
                questions.append(question)
        steps.append(Step(key=key or f"step{s_index}",
                          title=check_text(raw_step.get("title"), f"{s_path}.title", problems),
                          questions=tuple(questions)))
    if problems:
        raise FormSpecError(problems)
    return FormSpec(steps=tuple(steps))
