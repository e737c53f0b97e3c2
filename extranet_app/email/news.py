"""The e-mail that tells the audience of a news item (Actualités) that it was published."""

from __future__ import annotations

from extranet_app.email.messages import EmailContent, render_email
from extranet_app.services.agency import AgencyIdentity

# An e-mail is a notice, not the whole archive: a very long text is cut, the link gives the rest.
MAX_EMAIL_TEXT_LENGTH = 4000


def _shortened(paragraphs: list[str]) -> tuple[list[str], bool]:
    kept, length = [], 0
    for paragraph in paragraphs:
        if length + len(paragraph) > MAX_EMAIL_TEXT_LENGTH:
            return kept, True
        kept.append(paragraph)
        length += len(paragraph)
    return kept, False


def build_news_email(
    *,
    agency: AgencyIdentity,
    to_name: str,
    title: str,
    paragraphs: list[str],
    has_image: bool,
    link_url: str,
) -> EmailContent:
    """A news item in plain paragraphs (no markup from the agency's text), and its link."""
    kept, cut = _shortened(paragraphs)
    return render_email(
        "news",
        subject=f"Actualité : {title} – {agency.name}",
        agency=agency,
        to_name=to_name,
        title=title,
        paragraphs=kept,
        cut=cut,
        has_image=has_image,
        link_url=link_url,
    )
