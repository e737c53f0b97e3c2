"""Formatted text written by the agency: a small Markdown subset, shown as sanitized HTML.

Two locks, so that no script can get through even if one of them has a flaw: the Markdown parser
knows only paragraphs, line breaks, **bold**, *italic*, lists and links, and never lets raw HTML
through (it is shown as text); then an allow-list sanitizer (nh3, Rust's ammonia) keeps only
those few tags, the `href` of links, and only http, https and mailto addresses.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

# What the agency may use; everything else in the text stays literal characters.
_BLOCK_RULES = ["paragraph", "list"]
_INLINE_RULES = ["newline", "escape", "emphasis", "link", "autolink", "entity"]
_ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
# "*" replaces the generic attributes ammonia would otherwise allow everywhere (lang, title).
_ALLOWED_ATTRIBUTES = {"*": set(), "a": {"href"}, "ol": {"start"}}
_URL_SCHEMES = {"http", "https", "mailto"}
_LINK_REL = "noopener noreferrer nofollow"
_BLOCK_ENDS = re.compile(r"</p>|</li>|<br\s*/?>")
_LIST_ITEM = re.compile(r"<li>")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "zero" enables nothing but plain paragraphs; `html=False` turns raw HTML into text.
    parser = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False})
    return parser.enable(_BLOCK_RULES).enable(_INLINE_RULES)


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        url_relative="deny",  # a link is a full address, never a path inside the extranet
        link_rel=_LINK_REL,
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )


@lru_cache(maxsize=512)
def render_markdown(source: str) -> str:
    """The agency's text as safe HTML (cached: the same text is shown to many people)."""
    return sanitize_html(_parser().render(source or ""))


def sanitize_html(fragment: str) -> str:
    """Keep only the allowed tags, attributes and link schemes of an HTML fragment."""
    return _cleaner().clean(fragment)


def plain_paragraphs(source: str) -> list[str]:
    """The text without markup, one string per paragraph or list item (for e-mails, excerpts)."""
    marked = _LIST_ITEM.sub("<li>• ", render_markdown(source))
    text = html.unescape(nh3.clean(_BLOCK_ENDS.sub("\n", marked), tags=set()))
    return [line.strip() for line in text.splitlines() if line.strip()]


def excerpt(source: str, *, length: int = 180) -> str:
    """The beginning of the text, without markup, cut at a word."""
    text = " ".join(plain_paragraphs(source))
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"
