"""The agency's formatted text: the Markdown subset it may use, and nothing that could run."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from extranet_app.services.rich_text import (
    excerpt,
    plain_paragraphs,
    render_markdown,
    sanitize_html,
)

HOSTILE_TEXTS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">clic</a>',
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](javascript&#58;alert(1))",
    "[clic](&#106;avascript:alert(1))",
    "[clic](%6Aavascript:alert(1))",
    "[clic](java\tscript:alert(1))",
    "[clic](vbscript:msgbox(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    '[clic](https://ok.example "x" onmouseover="alert(1)")',
    "**<b onmouseover=alert(1)>gras</b>**",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!-- <script>alert(1)</script> -->",
    "[clic](/agence/acces)",
]


class _Elements(HTMLParser):
    """The tags and attributes a browser would build from the HTML (text is not markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.extend(attrs)


def _elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def test_the_subset_renders_paragraphs_bold_italic_lists_and_links():
    html = render_markdown(
        "Bonjour **tout le monde** et *bienvenue*\nà la ligne\n\n"
        "- un\n- deux\n\n1. premier\n2. second\n\n"
        "[Le site](https://agence.example/infos) ou [écrire](mailto:contact@agence.example)"
    )
    assert "<strong>tout le monde</strong>" in html
    assert "<em>bienvenue</em>" in html
    assert "<br" in html
    assert "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>" in html
    assert "<ol>\n<li>premier</li>" in html
    assert '<a href="https://agence.example/infos"' in html
    assert '<a href="mailto:contact@agence.example"' in html
    assert html.count('rel="noopener noreferrer nofollow"') == 2
    assert html.count('target="_blank"') == 2


@pytest.mark.parametrize("source", HOSTILE_TEXTS)
def test_hostile_text_is_shown_inert(source):
    html = render_markdown(source)
    elements = _elements(html)
    assert elements.tags <= {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
    assert {name for name, _ in elements.attributes} <= {"href", "rel", "target", "start"}
    hrefs = [value or "" for name, value in elements.attributes if name == "href"]
    assert all(href.startswith(("https://", "http://", "mailto:")) for href in hrefs)


def test_raw_html_is_shown_as_text_not_dropped():
    html = render_markdown("<script>alert(1)</script>")
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"


def test_links_to_other_schemes_or_paths_lose_their_address():
    assert "href" not in render_markdown("[x](/agence/acces)")
    assert "href" not in render_markdown("[x](ftp://files.example/a)")
    assert render_markdown("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>\n"


def test_the_sanitizer_alone_strips_what_the_parser_would_never_produce():
    html = sanitize_html(
        '<p onclick="x()" style="color:red" title="t">a<script>b</script>'
        '<a href="javascript:alert(1)">c</a><a href="https://ok.example">d</a>'
        '<img src="x" onerror="y"></p>'
    )
    assert html == (
        '<p>a<a target="_blank" rel="noopener noreferrer nofollow">c</a>'
        '<a href="https://ok.example" target="_blank" rel="noopener noreferrer nofollow">d</a></p>'
    )


def test_plain_paragraphs_and_excerpt_drop_the_markup():
    source = "Les **travaux** commencent.\n\n- fermez vos fenêtres\n- libérez les balcons"
    assert plain_paragraphs(source) == [
        "Les travaux commencent.",
        "• fermez vos fenêtres",
        "• libérez les balcons",
    ]
    assert plain_paragraphs("<b>x</b> & y") == ["<b>x</b> & y"]
    assert excerpt("mot " * 100, length=20) == "mot mot mot mot mot…"
    assert excerpt("Court.") == "Court."
