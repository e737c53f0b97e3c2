"""Password policy (NIST SP 800-63B): a minimum length, no common password, no composition rules."""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from extranet_app.services.security import MAX_PASSWORD_BYTES

MIN_PASSWORD_LENGTH = 12
LISTS_DIR = Path(__file__).resolve().parent / "password_lists"

# Digits, spaces and punctuation that people add around a word to pass composition rules.
_EDGE_NOISE = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_REPEATED_UNIT = re.compile(r"(.+?)\1+")
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "$": "s"})
_LEET.update(str.maketrans({"5": "s", "7": "t", "€": "e"}))
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890123456789",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
)


class PasswordRejected(ValueError):
    """A password the policy refuses; `message` is what the person reads, `reason` a short code
    that can travel in a URL (see `REJECTION_MESSAGES`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = next(code for code, text in REJECTION_MESSAGES.items() if text == message)


TOO_SHORT = f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères."
TOO_LONG = (
    f"Le mot de passe est trop long : {MAX_PASSWORD_BYTES} octets au maximum, sinon la fin serait "
    "ignorée. Une lettre accentuée compte pour 2 octets, un emoji pour 4."
)
TOO_COMMON = (
    "Ce mot de passe est trop courant ou trop facile à deviner. Choisissez-en un autre : "
    "une phrase de plusieurs mots est à la fois sûre et facile à retenir."
)
CONTAINS_EMAIL = "Le mot de passe ne doit pas reprendre votre adresse e-mail."
SAME_AS_CURRENT = "Le nouveau mot de passe doit être différent de l'actuel."
REJECTION_MESSAGES = {
    "trop-court": TOO_SHORT,
    "trop-long": TOO_LONG,
    "trop-courant": TOO_COMMON,
    "adresse-e-mail": CONTAINS_EMAIL,
    "identique": SAME_AS_CURRENT,
}


def check_password_policy(password: str, *, email: str = "") -> None:
    """Raise PasswordRejected (with a French message) unless `password` is acceptable."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected(TOO_SHORT)
    # bcrypt silently ignores everything after 72 bytes: refuse rather than cut.
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise PasswordRejected(TOO_LONG)
    if _reuses_email(password, email):
        raise PasswordRejected(CONTAINS_EMAIL)
    if is_common_password(password):
        raise PasswordRejected(TOO_COMMON)


def is_common_password(password: str) -> bool:
    """Whether `password` is, or is a common word dressed up as, a well-known password."""
    lowered = _fold(password)
    core = _EDGE_NOISE.sub("", lowered)
    deleeted = _EDGE_NOISE.sub("", lowered.translate(_LEET))
    candidates = {lowered, core, core.translate(_LEET), deleeted}
    candidates |= {candidate.replace(" ", "") for candidate in candidates}
    common = common_passwords()
    if any(candidate in common for candidate in candidates if candidate):
        return True
    return _is_repetitive(lowered, core, common) or _is_sequence(lowered)


def _fold(password: str) -> str:
    # "Chérie" and "cherie" are the same guess for an attacker.
    decomposed = unicodedata.normalize("NFKD", password.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()


def _is_repetitive(lowered: str, core: str, common: frozenset[str]) -> bool:
    if len(set(lowered)) < 4:
        return True
    repeated = _REPEATED_UNIT.fullmatch(core)
    return repeated is not None and (len(repeated[1]) <= 3 or repeated[1] in common)


def _is_sequence(lowered: str) -> bool:
    squeezed = re.sub(r"[\s\W_]", "", lowered)
    return any(squeezed in text or squeezed in text[::-1] for text in _SEQUENCES)


def _reuses_email(password: str, email: str) -> bool:
    local_part = _fold(email).split("@", 1)[0]
    return len(local_part) >= 4 and local_part in _fold(password)


@lru_cache
def common_passwords() -> frozenset[str]:
    """The shipped lists of common passwords, folded (lower case, no accents)."""
    with gzip.open(LISTS_DIR / "django-common-passwords.txt.gz", "rt", encoding="utf-8") as file:
        entries = set(file.read().splitlines())
    french = (LISTS_DIR / "french.txt").read_text(encoding="utf-8").splitlines()
    entries.update(line for line in french if line and not line.startswith("#"))
    return frozenset(_fold(entry) for entry in entries if entry.strip())
