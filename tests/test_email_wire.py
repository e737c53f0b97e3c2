"""The fast wire builder (message_bytes) writes exactly what the email.mime builder writes."""

from __future__ import annotations

import email
import random
from email import policy as email_policy

import pytest

from extranet_app.email import sender
from extranet_app.email.sender import SMTP_POLICY, OutgoingEmail, build_mime_message

BOUNDARY = "=_extranet_0123456789abcdef0123456789abcdef"
DATE = "Fri, 27 Nov 2026 23:55:12 GMT"
# Specials, spaces and tabs, accents, CJK, emoji, a no-break space: what folding and RFC 2047
# encoding must get right.
ALPHABET = "abcXYZ019  \t\"'<>()@,;:.\\[]=?_-éèàçÉœ€ü日本😀\u00a0"


def _random_text(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest)))


def _random_message(rng: random.Random, number: int) -> OutgoingEmail:
    return OutgoingEmail(
        message_id=rng.choice([f"<{rng.randbytes(16).hex()}@agence.test>", "<" + "a" * 90 + "@b>"]),
        to_address=rng.choice([f"locataire{number}@example.test", "x" * 70 + "@example.test"]),
        to_name=_random_text(rng, rng.choice([5, 30, 120])),
        subject=_random_text(rng, rng.choice([5, 40, 200])),
        text=_random_text(rng, rng.choice([0, 50, 2000])),
        html=rng.choice(["", _random_text(rng, 3000)]),
        from_name=rng.choice(["", "Agence Démo Immobilier", _random_text(rng, 60)]),
        reply_to=rng.choice(["", "contact@agence.test"]),
    )


def _reference(message: OutgoingEmail, monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setattr(sender, "_new_boundary", lambda: BOUNDARY)
    monkeypatch.setattr(sender, "formatdate", lambda **_: DATE)
    mime = build_mime_message(message, mail_from="extranet@agence.test")
    return mime.as_bytes(policy=SMTP_POLICY)


@pytest.mark.parametrize("seed", range(4))
def test_wire_bytes_equal_the_email_mime_bytes(seed, monkeypatch):
    rng = random.Random(seed)  # test data, not secrets
    for number in range(300):
        message = _random_message(rng, number)
        expected = _reference(message, monkeypatch)
        wire = sender._wire_bytes(message, "extranet@agence.test", BOUNDARY, DATE)
        assert wire == expected, message


def test_wire_bytes_parse_back_to_the_message():
    message = OutgoingEmail(
        "<abc@agence.test>",
        "camille@example.test",
        "Camille Durand",
        "Votre code d'accès à l'extranet – Agence Démo",
        "Bonjour,\n\nvotre code : ABCD-EFGH.\n",
        "<p>Bonjour,</p><p>votre code : <b>ABCD-EFGH</b>.</p>",
        "Agence Démo Immobilier",
        "contact@agence.test",
    )
    data = sender.message_bytes(message, mail_from="extranet@agence.test")
    parsed = email.message_from_bytes(data, policy=email_policy.default)
    assert parsed["Subject"] == message.subject
    assert parsed["From"] == "Agence Démo Immobilier <extranet@agence.test>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    text, html = (part.get_content() for part in parsed.iter_parts())
    assert (text, html) == (message.text, message.html)
    assert max(len(line) for line in data.split(b"\r\n")) <= 998  # RFC 5322's hard limit


def test_line_breaks_in_addresses_are_refused():
    message = OutgoingEmail("<a@b>", "a@example.test\r\nBcc: x@example.test", "", "S", "T", "")
    with pytest.raises(ValueError, match="Retour à la ligne"):
        sender.message_bytes(message, mail_from="extranet@agence.test")
