"""The Actualités e-mail: the item in plain paragraphs, escaped, with its link."""

from __future__ import annotations

from extranet_app.email.news import MAX_EMAIL_TEXT_LENGTH, build_news_email
from extranet_app.services.rich_text import plain_paragraphs
from tests.test_email_messages import AGENCY


def _email(**overrides):
    values = {
        "agency": AGENCY,
        "to_name": "M. Paul Martin",
        "title": "Ravalement <b>urgent</b>",
        "paragraphs": plain_paragraphs("Les **travaux** commencent.\n\n- fermez vos fenêtres"),
        "has_image": True,
        "link_url": "https://extranet.agence.test/proprietaire/actualites",
    } | overrides
    return build_news_email(**values)


def test_news_email_carries_title_text_and_link():
    email = _email()
    assert email.subject == "Actualité : Ravalement <b>urgent</b> – Agence Démo Immobilier"
    for part in (email.text, email.html):
        assert "Bonjour M. Paul Martin," in part
        assert "Les travaux commencent." in part
        assert "• fermez vos fenêtres" in part
        assert "https://extranet.agence.test/proprietaire/actualites" in part
        assert "Une image accompagne cette actualité" in part
    assert "Ravalement <b>urgent</b>" in email.text
    assert "Ravalement &lt;b&gt;urgent&lt;/b&gt;" in email.html
    assert "<b>urgent</b>" not in email.html


def test_a_very_long_item_is_cut_and_points_to_the_extranet():
    paragraphs = [f"Paragraphe {n} " + "x" * 500 for n in range(20)]
    email = _email(paragraphs=paragraphs, has_image=False)
    assert "Paragraphe 0 " in email.text
    assert "Paragraphe 19 " not in email.text
    assert "La suite est à lire sur l'extranet." in email.text
    assert len(email.text) < MAX_EMAIL_TEXT_LENGTH + 2000
    assert "Une image accompagne" not in email.text
