"""Turns a declarative request form into Django forms, one per wizard step.

The wizard never trusts the browser: every step is validated here, the review step validates all
answers again, and ``answers_problems`` re-checks stored answers at submit time. Answers are kept
as plain JSON values (``"pro"``, ``["a", "b"]``, ``True``, ``"2026-12-01"``, ``{"id": 7, ...}``).
"""

import datetime
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import RegexValidator
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concierge.accounts.models import User
from concierge.accounts.selectors import colleague_get_for
from concierge.catalog.formspec import Choice, Condition, FormSpec, Question
from concierge.catalog.models import CatalogItem
from concierge.core.files import DEFAULT_KINDS
from concierge.core.i18n import format_money, language_codes, localize


def _all_languages(text) -> dict:
    """A lazily translated string as ``{"en": ..., "de": ...}``, like catalog texts."""
    values = {}
    for code in language_codes():
        with translation.override(code):
            values[code] = str(text)
    return values


def wizard_spec(item: CatalogItem) -> FormSpec:
    """The item's form, with "Who is this for?" first when it may be ordered for others."""
    spec = item.form_spec
    if not item.order_for_others or not spec.steps:
        return spec
    for_whom = Question(
        key="for_whom", type="choice", required=True, default="myself",
        label=_all_languages(gettext_lazy("Who is this for?")),
        choices=(
            Choice("myself", _all_languages(gettext_lazy("For me"))),
            Choice("someone_else", _all_languages(gettext_lazy("For someone else"))),
        ),
    )
    requested_for = Question(
        key="requested_for", type="person", required=True,
        label=_all_languages(gettext_lazy("Colleague")),
        help=_all_languages(gettext_lazy("Type a name or e-mail address.")),
        conditions=(Condition("for_whom", "equals", "someone_else"),),
    )
    first = spec.steps[0]
    steps = (replace(first, questions=(for_whom, requested_for, *first.questions)),
             *spec.steps[1:])
    return FormSpec(steps=steps)


def profile_value(user: User, source: str):
    match source:
        case "location" | "phone" | "job_title":
            return getattr(user, source) or None
        case "department":
            return user.department.name if user.department_id else None
        case "cost_centre":
            return user.cost_centre.code if user.cost_centre_id else None
        case "manager":
            manager = user.manager
            return person_answer(manager) if manager else None
    return None


def person_answer(person: User) -> dict:
    return {"id": person.pk, "name": person.display_name, "email": person.email}


def default_answers(spec: FormSpec, user: User) -> dict:
    """Answers before the user has typed anything: literal defaults and profile values."""
    answers = {}
    for question in spec.questions:
        value = profile_value(user, question.default_from) if question.default_from else None
        if value is None:
            value = question.default
        if value is not None:
            answers[question.key] = value
    return answers


# --- answers <-> form data --------------------------------------------------------------------

def to_data(question: Question, value):
    """A stored answer as the value a form field expects."""
    if value is None:
        return None
    match question.type:
        case "yesno":
            return "yes" if value else "no"
        case "person":
            return value.get("email", "") if isinstance(value, dict) else str(value)
        case "number":
            return str(value)
    return value


def peek(question: Question, data) -> object:
    """What the browser sent for a question, read leniently (only to decide what to show)."""
    if question.type == "multichoice":
        return data.getlist(question.key) if hasattr(data, "getlist") else data.get(question.key)
    raw = data.get(question.key)
    if raw in (None, ""):
        return None
    match question.type:
        case "yesno":
            return {"yes": True, "no": False}.get(raw)
        case "number":
            try:
                return _plain_number(Decimal(raw))
            except InvalidOperation:
                return None
    return raw


def _plain_number(number: Decimal):
    return int(number) if number == number.to_integral_value() else float(number)


# --- fields -----------------------------------------------------------------------------------

class PersonField(forms.CharField):
    """A colleague, typed as e-mail or name; cleaned to ``{"id", "name", "email"}``."""

    def __init__(self, *, viewer: User, **kwargs):
        self.viewer = viewer
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        person = colleague_get_for(self.viewer, value)
        if person is None:
            raise forms.ValidationError(
                _("We could not find a colleague called “%(value)s”. Please type their "
                  "e-mail address or pick a name from the list.") % {"value": value})
        return person_answer(person)


class YesNoField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect,
                         coerce=lambda v: v == "yes", empty_value=None, **kwargs)


def _date_limits(question: Question):
    today = timezone.localdate()
    low = question.options.get("min_days_ahead")
    high = question.options.get("max_days_ahead")
    return (today + datetime.timedelta(days=low) if low is not None else None,
            today + datetime.timedelta(days=high) if high is not None else None)


def _surcharge(once: Decimal, monthly: Decimal) -> str:
    parts = []
    if once:
        parts.append(format_money(once, sign=True))
    if monthly:
        parts.append(_("%(amount)s a month") % {"amount": format_money(monthly, sign=True)})
    return ", ".join(parts)


def _choice_text(choice: Choice) -> str:
    surcharge = _surcharge(choice.price_once, choice.price_monthly)
    return f"{localize(choice.label)} ({surcharge})" if surcharge else localize(choice.label)


def field_for(question: Question, *, viewer: User, has_upload: bool = False) -> forms.Field:
    label = localize(question.label)
    common = {"label": label, "help_text": localize(question.help),
              "required": question.required}
    placeholder = localize(question.placeholder)
    attrs = {"placeholder": placeholder} if placeholder else {}
    opts = question.options
    match question.type:
        case "text":
            validators = []
            if opts.get("pattern"):
                message = localize(opts.get("pattern_message")) or \
                    _("Please check the format of this answer.")
                validators.append(RegexValidator(rf"^(?:{opts['pattern']})$", message))
            return forms.CharField(min_length=opts.get("min_length"),
                                   max_length=opts.get("max_length", 500),
                                   validators=validators,
                                   widget=forms.TextInput(attrs=attrs), **common)
        case "textarea":
            return forms.CharField(min_length=opts.get("min_length"),
                                   max_length=opts.get("max_length", 5000),
                                   widget=forms.Textarea(attrs={"rows": 4, **attrs}), **common)
        case "number":
            return forms.DecimalField(min_value=opts.get("min"), max_value=opts.get("max"),
                                      max_digits=14, decimal_places=4,
                                      widget=forms.NumberInput(attrs={
                                          "step": opts.get("step", "any"), "inputmode": "decimal"}),
                                      **common)
        case "date":
            low, high = _date_limits(question)
            widget_attrs = {"type": "date"}
            if low:
                widget_attrs["min"] = low.isoformat()
            if high:
                widget_attrs["max"] = high.isoformat()
            field = forms.DateField(widget=forms.DateInput(attrs=widget_attrs, format="%Y-%m-%d"),
                                    **common)
            field.limits = (low, high)
            return field
        case "choice":
            choices = [(c.value, _choice_text(c)) for c in question.choices]
            widget = forms.RadioSelect if len(choices) <= 6 else forms.Select
            if widget is forms.Select:
                choices = [("", _("Please choose")), *choices]
            return forms.ChoiceField(choices=choices, widget=widget, **common)
        case "multichoice":
            return forms.MultipleChoiceField(
                choices=[(c.value, _choice_text(c)) for c in question.choices],
                widget=forms.CheckboxSelectMultiple, **common)
        case "yesno":
            surcharge = _surcharge(Decimal(str(opts.get("price_once", 0))),
                                   Decimal(str(opts.get("price_monthly", 0))))
            if surcharge:
                common["label"] = f"{label} ({surcharge})"
            return YesNoField(**common)
        case "person":
            return PersonField(viewer=viewer, widget=forms.TextInput(attrs={
                "autocomplete": "off", "data-person-picker": "", **attrs}), **common)
        case "attachment":
            common["required"] = question.required and not has_upload
            kinds = opts.get("allowed_types") or DEFAULT_KINDS
            accept = ",".join(f".{kind}" for kind in kinds)
            return forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": accept}),
                                   **common)
    raise ValueError(question.type)


class StepForm(forms.Form):
    """The visible questions of one step, prefilled from earlier answers."""

    error_css_class = "has-error"
    required_css_class = "is-required"

    def __init__(self, *, questions: list[Question], viewer: User, answers: dict,
                 uploaded_keys=frozenset(), controlling_keys=frozenset(), refresh_url="",
                 data=None, files=None):
        super().__init__(data=data, files=files)
        self.questions = {q.key: q for q in questions}
        for question in questions:
            field = field_for(question, viewer=viewer, has_upload=question.key in uploaded_keys)
            field.kind = question.type
            if question.key in controlling_keys and refresh_url:
                # With htmx, changing this answer redraws the step's questions at once.
                field.widget.attrs.update({
                    "hx-post": refresh_url, "hx-trigger": "change", "hx-target": "#step-fields",
                    "hx-swap": "outerHTML", "hx-include": "closest form",
                })
            self.fields[question.key] = field
            if question.type != "attachment":
                self.initial[question.key] = to_data(question, answers.get(question.key))

    def clean(self):
        cleaned = super().clean()
        for key, field in self.fields.items():
            limits = getattr(field, "limits", None)
            value = cleaned.get(key)
            if limits and value:
                low, high = limits
                if low and value < low:
                    self.add_error(key, _("Please choose %(date)s or later.")
                                   % {"date": low.strftime("%d.%m.%Y")})
                if high and value > high:
                    self.add_error(key, _("Please choose %(date)s or earlier.")
                                   % {"date": high.strftime("%d.%m.%Y")})
            question = self.questions[key]
            if question.type == "multichoice" and value:
                low, high = question.options.get("min_choices"), question.options.get(
                    "max_choices")
                if low and len(value) < low:
                    self.add_error(key, _("Please choose at least %(n)s.") % {"n": low})
                if high and len(value) > high:
                    self.add_error(key, _("Please choose at most %(n)s.") % {"n": high})
        return cleaned

    def answers(self, *, only_valid: bool = False) -> dict:
        """The cleaned values as JSON answers (uploads are stored by the caller).

        ``only_valid`` keeps just the fields that passed, for saving a step one leaves with
        "Back" while some answers are still wrong.
        """
        result = {}
        for key, question in self.questions.items():
            if question.type == "attachment" or (only_valid and key not in self.cleaned_data):
                continue
            value = self.cleaned_data.get(key)
            if value in (None, "", []):
                result[key] = None
            elif question.type == "number":
                result[key] = _plain_number(value)
            elif question.type == "date":
                result[key] = value.isoformat()
            else:
                result[key] = value
        return result


def answers_problems(spec: FormSpec, answers: dict, *, viewer: User,
                     uploaded_keys=frozenset()) -> dict[str, list[str]]:
    """Re-validate stored answers against the form as it is now, per step key."""
    problems: dict[str, list[str]] = {}
    for step in spec.visible_steps(answers):
        questions = spec.visible_in_step(step, answers)
        data = QueryDict(mutable=True)
        for question in questions:
            value = to_data(question, answers.get(question.key))
            if isinstance(value, list):
                data.setlist(question.key, value)
            elif value is not None:
                data[question.key] = value
        form = StepForm(questions=questions, viewer=viewer, answers=answers,
                        uploaded_keys=uploaded_keys, data=data, files={})
        if not form.is_valid():
            problems[step.key] = [f"{form.fields[k].label}: {' '.join(v)}"
                                  for k, v in form.errors.items()]
    return problems


def answer_display(question: Question, value) -> dict | str:
    """How an answer reads, per language where it comes from the form (choices, yes/no)."""
    match question.type:
        case "choice":
            return question.choice_label(value)
        case "multichoice":
            labels = [question.choice_label(v) for v in value or []]
            return {code: ", ".join(localize(label, code) for label in labels)
                    for code in language_codes()}
        case "yesno":
            return _all_languages(gettext_lazy("Yes") if value else gettext_lazy("No"))
        case "person":
            return f"{value['name']} <{value['email']}>" if isinstance(value, dict) else ""
        case "date":
            try:
                return datetime.date.fromisoformat(value).strftime("%d.%m.%Y")
            except (TypeError, ValueError):
                return str(value)
    return "" if value is None else str(value)
