"""Markdown written by catalog and knowledge managers, rendered to safe HTML."""

import html
import re
from urllib.parse import urlsplit

import markdown as md
import nh3
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote",
    "h2", "h3", "h4", "hr", "table", "thead", "tbody", "tr", "th", "td", "img",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


# A list right after a line of text (no blank line between) is still a list, as people expect.
_LIST_AFTER_TEXT = re.compile(r"(?m)^(?!\s*(?:[-*+]|\d+\.)\s)(\S.*)\n(?=(?:[-*+]|\d+\.)\s)")


# A paragraph that is nothing but one link (what a video link on its own line becomes).
_LONE_LINK = re.compile(r'<p><a href="(https://[^"]+)"[^>]*>([^<]*)</a></p>')


def _embed(match: re.Match) -> str:
    url, title = match.group(1), match.group(2)
    host = urlsplit(html.unescape(url)).hostname or ""
    if host not in settings.KNOWLEDGE_VIDEO_HOSTS:
        return match.group(0)
    # nh3 leaves quotes unescaped in text; an attribute needs them escaped.
    title = escape(html.unescape(title).strip())
    # Sandboxed: the player runs its scripts in its own origin and can do nothing to the page.
    return (f'<figure class="video"><iframe src="{url}" title="{title or escape(host)}" '
            'sandbox="allow-scripts allow-same-origin allow-presentation" '
            'allow="fullscreen; picture-in-picture" allowfullscreen loading="lazy" '
            'referrerpolicy="strict-origin-when-cross-origin"></iframe>'
            f'<figcaption><a href="{url}" rel="noopener noreferrer">{title or url}</a>'
            '</figcaption></figure>')


def render_markdown(text: str, *, embed_videos: bool = False) -> SafeString:
    """Markdown to HTML that keeps only harmless tags; links get rel=noopener.

    With ``embed_videos``, a link on a line of its own to a host in
    ``settings.KNOWLEDGE_VIDEO_HOSTS`` becomes a sandboxed video player (the CSP allows frames
    from exactly those hosts); links to other hosts stay links."""
    text = _LIST_AFTER_TEXT.sub(r"\1\n\n", text or "")
    html = md.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    if embed_videos:
        # Applied to nh3's output: the URL and title are already escaped and harmless.
        clean = _LONE_LINK.sub(_embed, clean)
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
