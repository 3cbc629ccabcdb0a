import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from concierge.core.i18n import localize
from concierge.core.markdown import render_markdown
from concierge.env import EnvError, env_bool, env_int, env_list, env_secret


def test_localize_picks_the_language_and_falls_back_to_english():
    value = {"en": "Laptop", "de": "Notebook"}
    with translation.override("de"):
        assert localize(value) == "Notebook"
        assert localize({"en": "Only English"}) == "Only English"
    assert localize(value, "en") == "Laptop"
    assert localize({"fr": "Ordinateur"}) == "Ordinateur"
    assert localize(None) == "" and localize("plain") == "plain"


def test_markdown_is_sanitised():
    html = render_markdown('**bold** <script>alert(1)</script> [x](javascript:alert(1)) '
                           '<img src=x onerror=alert(1)>')
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html


def test_markdown_links_get_noopener():
    assert 'rel="noopener noreferrer"' in render_markdown("[site](https://example.com)")


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("0", False), ("Yes", True),
                                            ("off", False)])
def test_env_bool(monkeypatch, raw, value):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG") is value


def test_bad_environment_values_fail_loudly_with_the_name(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(EnvError, match="X_FLAG"):
        env_bool("X_FLAG")
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(EnvError, match="X_NUM must be a whole number"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(EnvError, match="at least 1"):
        env_int("X_NUM", 1, minimum=1)


def test_env_list_and_secret_file(monkeypatch, tmp_path):
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_list("X_LIST") == ["a", "b", "c"]
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_secret("X_SECRET") == "s3cret"
    monkeypatch.setenv("X_SECRET", "other")
    with pytest.raises(EnvError, match="not both"):
        env_secret("X_SECRET")


def test_check_upload_reports_what_is_allowed():
    from django.core.exceptions import ValidationError

    from concierge.core.files import check_upload

    with pytest.raises(ValidationError, match="Allowed: PNG, JPG"):
        check_upload(SimpleUploadedFile("x.pdf", b"%PDF-1.4 hello"), allowed_kinds=("png", "jpg"),
                     max_mb=1)
    assert check_upload(SimpleUploadedFile("x.pdf", b"%PDF-1.4 hello"), max_mb=1).kind == "pdf"


def test_a_list_right_after_a_line_of_text_is_a_list():
    html = render_markdown("**What you get**\n- a camera\n- a cable\n\n1. one\n2. two")
    assert "<ul>" in html and html.count("<li>") == 4 and "<ol>" in html


def test_money_is_formatted_for_the_reader():
    from concierge.core.i18n import format_money

    assert format_money(1150) == "€1,150.00"
    assert format_money(110, sign=True) == "+€110.00"
    with translation.override("de"):
        assert format_money("19.99") == "19,99 €"


def test_options_mark_the_chosen_one_and_escape_everything():
    from concierge.core.templatetags.concierge import options

    html = options([(1, "Ann"), (2, 'Bob <b>"&'), ("x", "Cat")], 2)
    assert html == ('<option value="1">Ann</option>'
                    '<option value="2" selected>Bob &lt;b&gt;&quot;&amp;</option>'
                    '<option value="x">Cat</option>')
    assert options([("a", "A", True), ("b", "B", False)]) == \
        '<option value="a" selected>A</option><option value="b">B</option>'
    assert options([('"><script>', "x")]) == \
        '<option value="&quot;&gt;&lt;script&gt;">x</option>'
