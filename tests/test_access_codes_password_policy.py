"""Password policy: length, the 72-byte bcrypt limit, common passwords; no composition rules."""

from __future__ import annotations

import pytest

from extranet_app.services.passwords import (
    CONTAINS_EMAIL,
    TOO_COMMON,
    TOO_LONG,
    TOO_SHORT,
    PasswordRejected,
    check_password_policy,
    common_passwords,
)


def _refusal(password: str, email: str = "") -> str:
    with pytest.raises(PasswordRejected) as caught:
        check_password_policy(password, email=email)
    return caught.value.message


def test_passphrases_without_digits_or_symbols_are_accepted():
    check_password_policy("un jardin sous la pluie")
    check_password_policy("correct horse battery staple")
    check_password_policy("Lyon-Marseille-2024")


def test_fewer_than_twelve_characters_are_refused():
    assert _refusal("Court-2026!") == TOO_SHORT
    check_password_policy("douze lettres")


def test_more_than_72_utf8_bytes_are_refused_with_an_explanation():
    assert len("é" * 37) == 37
    assert _refusal("é" * 37) == TOO_LONG  # 74 bytes
    assert "72 octets" in TOO_LONG
    check_password_policy("Une phrase accentuée : été à Sète, où l'on déjeune")


@pytest.mark.parametrize(
    "password",
    [
        "azertyuiop12",
        "motdepasse123",
        "Mot de passe 1",
        "Soleil2024!!!!",
        "P@ssw0rd2024!",
        "iloveyou1234",
        "Chérie2024!!!",
        "123456789012",
        "abcabcabcabc",
        "aaaaaaaaaaaaaa",
        "qwertyuiop!!",
    ],
)
def test_common_passwords_and_dressed_up_common_words_are_refused(password):
    assert _refusal(password) == TOO_COMMON


def test_a_password_built_on_the_email_address_is_refused():
    assert _refusal("jean.dupont2024", email="Jean.Dupont@example.test") == CONTAINS_EMAIL


def test_the_common_password_list_is_shipped_and_large():
    common = common_passwords()
    assert len(common) > 19_000
    assert {"password", "azerty", "motdepasse", "soleil"} <= common
