"""A plain document on the agency's letterhead: a title and paragraphs."""

from __future__ import annotations

from collections.abc import Sequence

from extranet_app.pdf.base import AgencyDocument, Letterhead


def render_simple_document(
    *, letterhead: Letterhead, title: str, paragraphs: Sequence[str]
) -> bytes:
    """A titled document made of paragraphs (notes, letters, placeholders)."""
    pdf = AgencyDocument(letterhead=letterhead, title=title)
    for text in paragraphs:
        pdf.paragraph(text)
    return pdf.to_bytes()
