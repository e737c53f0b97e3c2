"""E-mail templates: French text and HTML, the agency's identity, escaping, expiry in Paris time."""

from __future__ import annotations

from datetime import UTC, datetime

from extranet_app.email import messages
from extranet_app.services.agency import AgencyIdentity, get_agency_identity

AGENCY = AgencyIdentity(
    name="Agence Démo Immobilier",
    address="12 rue de la République, 69002 Lyon",
    phone="04 72 00 00 00",
    email="contact@agence.test",
    iban="",
    bic="",
    primary_color="#1f4e79",
)


def _invitation(**overrides) -> messages.EmailContent:
    values = {
        "agency": AGENCY,
        "to_name": "Mme Camille Durand",
        "login_email": "camille@example.test",
        "activation_url": "https://extranet.agence.test/activation?jeton=abc&x=1",
        "short_code": "K7QF-9XM2-PA",
        "expires_at": datetime(2026, 6, 12, 22, 30, tzinfo=UTC),
    } | overrides
    return messages.build_invitation_email(**values)


def test_invitation_carries_login_link_code_expiry_and_agency_contact():
    email = _invitation()
    assert email.subject == "Votre code d'accès à l'extranet – Agence Démo Immobilier"
    for part in (email.text, email.html):
        assert "camille@example.test" in part
        assert "K7QF-9XM2-PA" in part
        assert "04 72 00 00 00" in part and "contact@agence.test" in part
        assert "Bonjour Mme Camille Durand," in part
    assert "https://extranet.agence.test/activation?jeton=abc&x=1" in email.text
    assert 'href="https://extranet.agence.test/activation?jeton=abc&amp;x=1"' in email.html


def test_expiry_is_a_french_date_in_paris_time():
    # 22:30 UTC in June is 00:30 the next day in Paris.
    email = _invitation()
    assert "jusqu'au 13/06/2026 à 00h30" in email.text
    assert "13/06/2026" in email.html


def test_html_part_escapes_names_and_text_part_keeps_them():
    email = _invitation(to_name="<script>alert(1)</script>")
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html
    assert "Bonjour <script>alert(1)</script>," in email.text


def test_an_unsafe_brand_colour_is_not_written_into_styles():
    agency = AgencyIdentity(**(AGENCY.__dict__ | {"primary_color": "red;background:url(x)"}))
    email = _invitation(agency=agency)
    assert "url(x)" not in email.html
    assert "#1f4e79" in email.html


def test_account_activated_tells_what_to_do_if_it_was_not_you():
    email = messages.build_account_activated_email(
        agency=AGENCY,
        to_name="",
        login_email="camille@example.test",
        login_url="https://extranet.agence.test/connexion",
    )
    assert email.text.startswith("Bonjour,\n")
    assert "contactez votre agence" in email.text.lower()
    assert "https://extranet.agence.test/connexion" in email.html


def test_password_reset_says_how_long_the_link_lasts():
    email = messages.build_password_reset_email(
        agency=AGENCY, to_name="Paul Martin", reset_url="https://x.test/r?jeton=t", valid_minutes=30
    )
    assert "valable 30 minutes" in email.text and "valable 30 minutes" in email.html
    assert "https://x.test/r?jeton=t" in email.text


def test_notification_has_a_title_paragraphs_and_an_optional_link():
    with_link = messages.build_notification_email(
        agency=AGENCY,
        to_name="Paul Martin",
        title="Nouveau document disponible",
        text="Votre compte rendu de gestion est disponible.\n\nBonne lecture.",
        link_url="https://x.test/proprietaire/documents",
        link_label="Voir le document",
    )
    assert with_link.subject == "Nouveau document disponible – Agence Démo Immobilier"
    assert with_link.html.count('<p style="margin:0 0 16px;">Votre compte rendu') == 1
    assert "Voir le document : https://x.test/proprietaire/documents" in with_link.text
    without_link = messages.build_notification_email(
        agency=AGENCY, to_name="", title="Information", text="Texte."
    )
    assert "href" not in without_link.html.split("Information", 1)[1].split("Cordialement")[0]


def test_agency_identity_comes_from_the_settings_before_the_agency_saves_its_own(session):
    email = _invitation(agency=get_agency_identity(session=session))
    assert "Agence Démo Immobilier" in email.text
    assert "12 rue de la République, 69002 Lyon" in email.text
