"""Markdown written by catalog and knowledge managers, rendered to safe HTML."""

import re

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote",
    "h2", "h3", "h4", "hr", "table", "thead", "tbody", "tr", "th", "td", "img",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


# A list right after a line of text (no blank line between) is still a list, as people expect.
_LIST_AFTER_TEXT = re.compile(r"(?m)^(?!\s*(?:[-*+]|\d+\.)\s)(\S.*)\n(?=(?:[-*+]|\d+\.)\s)")


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML that keeps only harmless tags; links get rel=noopener."""
    text = _LIST_AFTER_TEXT.sub(r"\1\n\n", text or "")
    html = md.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
