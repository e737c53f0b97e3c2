"""Checks of what the agency types in its settings: SIRET, IBAN, BIC, e-mail, colour, patterns.

Each check returns the value as it is stored (trimmed, grouped the French way) or raises
ValueError with the French message shown beside the field.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9 .()-]{6,30}")
_POSTAL_CODE = re.compile(r"[0-9]{5}")
_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
# La Poste's establishments share one SIREN whose SIRET numbers follow another rule (INSEE).
_LA_POSTE_SIREN = "356000000"
# Lengths of the IBANs of SEPA countries a French agency meets; others: 15 to 34 characters.
_IBAN_LENGTHS = {
    "FR": 27, "MC": 27, "DE": 22, "BE": 16, "LU": 20, "NL": 18, "ES": 24, "IT": 27, "PT": 25,
    "CH": 21, "GB": 22, "AT": 20, "IE": 22, "AD": 24, "SM": 27, "GR": 27, "FI": 18, "DK": 18,
}  # fmt: skip
# What a SEPA transfer reference may hold (the Latin character set of the EPC guidelines).
_SEPA_TEXT = re.compile(r"[A-Za-z0-9/?:().,'+ -]*")
PAYMENT_PLACEHOLDERS = ("{bail}", "{lot}")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of a string of digits (SIREN, SIRET)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def checked_siret(text: str) -> str:
    """A SIRET: 14 digits with a valid check digit, stored as "812 345 678 00021"."""
    digits = "".join(text.split())
    if not digits:
        return ""
    if not (digits.isascii() and digits.isdigit() and len(digits) == 14):
        raise ValueError("Le SIRET compte 14 chiffres.")
    la_poste = digits.startswith(_LA_POSTE_SIREN) and sum(map(int, digits)) % 5 == 0
    if not (luhn_valid(digits) or la_poste):
        raise ValueError("Ce SIRET n'est pas valable (clé de contrôle incorrecte).")
    return f"{digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]}"


def iban_valid(compact: str) -> bool:
    """The ISO 13616 check (mod 97 == 1) of an IBAN without spaces, upper-case."""
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", compact):
        return False
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def checked_iban(text: str) -> str:
    """An IBAN with a valid checksum, stored in groups of four: "FR76 3000 4008 …"."""
    compact = "".join(text.split()).upper()
    if not compact:
        return ""
    if not iban_valid(compact):
        raise ValueError("Cet IBAN n'est pas valable : vérifiez-le caractère par caractère.")
    return " ".join(compact[start : start + 4] for start in range(0, len(compact), 4))


def checked_bic(text: str) -> str:
    """A BIC (SWIFT code) of 8 or 11 characters."""
    compact = "".join(text.split()).upper()
    if compact and not _BIC.fullmatch(compact):
        raise ValueError("Un BIC compte 8 ou 11 caractères (ex. BNPAFRPPXXX).")
    return compact


def checked_email(text: str) -> str:
    """An e-mail address (or nothing)."""
    value = text.strip()
    if value and (len(value) > 254 or not _EMAIL.fullmatch(value)):
        raise ValueError("Adresse e-mail invalide.")
    return value


def checked_phone(text: str) -> str:
    """A phone number: digits, spaces, dots, dashes, brackets and a leading +."""
    value = " ".join(text.split())
    if value and not _PHONE.fullmatch(value):
        raise ValueError("Numéro de téléphone invalide.")
    return value


def checked_postal_code(text: str) -> str:
    """A French postal code (5 digits)."""
    value = text.strip()
    if value and not _POSTAL_CODE.fullmatch(value):
        raise ValueError("Le code postal compte 5 chiffres.")
    return value


def checked_color(text: str) -> str:
    """A colour as "#rrggbb" (lower-case)."""
    value = text.strip().lower()
    if not _HEX_COLOR.fullmatch(value):
        raise ValueError("Choisissez une couleur au format #rrggbb (ex. #1f4e79).")
    return value


def checked_payment_pattern(text: str) -> str:
    """The payment reference pattern: it must name the lease ({bail}), may name the lot ({lot}),
    and only use characters a bank transfer reference accepts."""
    value = " ".join(text.split())
    if "{bail}" not in value:
        raise ValueError("Le modèle doit contenir {bail} (la référence du bail).")
    rest = value
    for placeholder in PAYMENT_PLACEHOLDERS:
        rest = rest.replace(placeholder, "")
    if "{" in rest or "}" in rest:
        raise ValueError("Seuls {bail} et {lot} peuvent être utilisés dans le modèle.")
    if not _SEPA_TEXT.fullmatch(rest):
        raise ValueError(
            "Caractères acceptés dans une référence de virement : lettres sans accent, "
            "chiffres, espaces et / - ? : ( ) . , ' +"
        )
    return value


def plain_text(text: str, *, max_length: int, multiline: bool = False) -> str:
    """Free text: control characters removed (line breaks kept when `multiline`), trimmed,
    refused when longer than `max_length`."""
    kept = "".join(
        char for char in text if char.isprintable() or (multiline and char == "\n")
    ).strip()
    if multiline:
        kept = re.sub(r"\n{3,}", "\n\n", kept.replace("\r", ""))
    if len(kept) > max_length:
        raise ValueError(f"{max_length} caractères au plus.")
    return kept
