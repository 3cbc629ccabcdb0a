import pytest

from concierge.catalog.formspec import FormSpecError, parse_form
from concierge.core.testing import WEBCAM_FORM


def test_a_valid_form_parses_into_steps_and_questions():
    spec = parse_form(WEBCAM_FORM)
    assert [step.key for step in spec.steps] == ["choice", "delivery"]
    assert [q.key for q in spec.questions] == ["model", "reason", "address", "quantity"]
    assert spec.controlling_keys == {"model"}


def test_an_empty_form_has_no_steps():
    assert parse_form({}).steps == ()


@pytest.mark.parametrize(("answers", "visible"), [
    ({"model": "standard"}, ["model", "address", "quantity"]),
    ({"model": "pro"}, ["model", "reason", "address", "quantity"]),
    ({}, ["model", "address", "quantity"]),
])
def test_conditional_questions_follow_earlier_answers(answers, visible):
    spec = parse_form(WEBCAM_FORM)
    assert [q.key for q in spec.visible_questions(answers)] == visible


def test_a_question_depending_on_a_hidden_question_is_hidden_too():
    spec = parse_form({"steps": [{"key": "s", "title": "S", "questions": [
        {"key": "a", "type": "yesno", "label": "A"},
        {"key": "b", "type": "text", "label": "B", "show_when": {"question": "a", "equals": True}},
        {"key": "c", "type": "text", "label": "C", "show_when": {"question": "b", "is_set": True}},
    ]}]})
    # b has an old answer but is hidden because a is now "no": c must hide as well.
    assert [q.key for q in spec.visible_questions({"a": False, "b": "old"})] == ["a"]
    assert [q.key for q in spec.visible_questions({"a": True, "b": "x"})] == ["a", "b", "c"]


@pytest.mark.parametrize(("operator", "operand", "value", "holds"), [
    ("equals", "x", "x", True), ("not_equals", "x", "y", True), ("in", ["a", "b"], "b", True),
    ("not_in", ["a"], "a", False), ("gt", 5, 6, True), ("gt", 5, None, False),
    ("lt", 5, 4.5, True), ("contains", "b", ["a", "b"], True), ("contains", "c", ["a"], False),
    ("is_set", True, "", False), ("is_set", False, None, True),
])
def test_condition_operators(operator, operand, value, holds):
    question = {"key": "q", "type": "text", "label": "Q"}
    if operator in ("contains",):
        question = {"key": "q", "type": "multichoice", "label": "Q",
                    "choices": [{"value": v, "label": v} for v in "abc"]}
    if operator in ("equals", "not_equals", "in", "not_in"):
        question = {"key": "q", "type": "text", "label": "Q"}
    spec = parse_form({"steps": [{"key": "s", "title": "S", "questions": [
        question,
        {"key": "r", "type": "text", "label": "R",
         "show_when": {"question": "q", operator: operand}},
    ]}]})
    assert spec.question("r").is_visible({"q": value}) is holds


@pytest.mark.parametrize(("form", "message"), [
    ({"steps": "nope"}, "needs a list of `steps`"),
    ({"steps": [{"key": "s", "title": "S", "questions": []}]}, "at least one question"),
    ({"steps": [{"key": "s", "title": "S", "questions": [
        {"key": "Bad Key", "type": "text", "label": "x"}]}]}, "lowercase letters"),
    ({"steps": [{"key": "s", "title": "S", "questions": [
        {"key": "a", "type": "colour", "label": "x"}]}]}, "must be one of"),
    ({"steps": [{"key": "s", "title": "S", "questions": [
        {"key": "a", "type": "text", "label": "x"},
        {"key": "a", "type": "text", "label": "y"}]}]}, "used twice"),
    ({"steps": [{"key": "s", "title": "S", "questions": [
        {"key": "a", "type": "text", "label": "x", "show_when": {"question": "b", "equals": 1}},
        {"key": "b", "type": "text", "label": "y"}]}]}, "not a question asked earlier"),
    ({"steps": [{"key": "s", "title": "S", "questions": [
        {"key": "a", "type": "choice", "label": "x", "choices": [{"value": "v", "label": "V"}],
         "default": "w"}]}]}, "not one of the choices"),
    ({"steps": [{"key": "s", "title": "S", "questions": [
        {"key": "a", "type": "text", "label": "x", "pattern": "("}]}]}, "regular expression"),
    ({"steps": [{"key": "s", "title": "S", "questions": [
        {"key": "a", "type": "text", "label": {"de": "nur Deutsch"}}]}]}, "English text"),
    ({"steps": [{"key": "s", "title": "S", "questions": [
        {"key": "a", "type": "text", "label": "x", "colour": "red"}]}]}, "unknown option"),
    ({"steps": [{"key": "s", "title": "S", "questions": [
        {"key": "a", "type": "choice", "label": "x", "choices": [{"value": "v", "label": "V"}]},
        {"key": "b", "type": "text", "label": "y", "show_when": {"question": "a", "equals": "z"}},
    ]}]}, "is not a choice of `a`"),
])
def test_invalid_forms_are_rejected_with_a_path_to_the_problem(form, message):
    with pytest.raises(FormSpecError) as error:
        parse_form(form)
    assert any(message in problem for problem in error.value.problems), error.value.problems
    assert all(problem.startswith("form") for problem in error.value.problems)
