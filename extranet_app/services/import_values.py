"""Cell values of the agency's files read the French way, and written back the same way.

Each `parse_*` takes a non-empty cell (text from a CSV file, or a typed value from an XLSX
sheet) and returns the value to store, or raises ValueProblem with French words the agency
reads in the report ("date invalide 31/02/2025"). Each `format_*` writes a stored value back
as text that the matching parser reads again: exports can be re-imported unchanged.

Amounts: the decimal comma is the rule ("1 234,56", "1234,5"); spaces (also non-breaking) or
dots group thousands when a decimal comma follows ("1.234,56"). A decimal point is accepted
only when it cannot be a thousands separator: one point, followed by one or two digits and no
comma ("1234.56", what an export with a ',' separator writes). Anything else is refused rather
than guessed: "12,3,4", "1.234" (a thousand, or one euro and a typo?), three decimals.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from extranet_app.services.access_management import InvalidEmail, checked_email
from extranet_app.services.auth import normalize_email

MAX_AMOUNT_CENTS = 100_000_000  # one million euros: anything above is a typing mistake
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_AMOUNT_COMMA = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+),(\d{1,2})$")
_AMOUNT_POINT = re.compile(r"^(\d+)\.(\d{1,2})$")
_WHOLE = re.compile(r"^\d+$")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_REFERENCE_SEPARATORS = re.compile(r"[,;|]")
_FORMULA_STARTS = ("=", "+", "-", "@")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class ValueProblem(ValueError):
    """A cell that cannot be read; the message is French, without the line and column."""


def cell_text(value: Any) -> str:
    """A cell as trimmed text ("" for an empty cell); XLSX numbers lose a useless ".0"."""
    if type(value) is str:  # nearly every cell: checked first
        return _unquoted(value.strip())
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return format_date(value.date())
    if isinstance(value, date):
        return format_date(value)
    return _unquoted(str(value).strip())


def _unquoted(text: str) -> str:
    # The export quotes cells that a spreadsheet would run as formulas ("'=…"): unquote them.
    if text[:1] == "'" and text[1:2] in _FORMULA_STARTS:
        return text[1:]
    return text


def _shown(value: Any) -> str:
    text = cell_text(value)
    return text if len(text) <= 40 else text[:40] + "…"


# --- Text ---------------------------------------------------------------------------------------


def text_parser(max_length: int) -> Callable[[Any], str]:
    """A parser of free text of at most `max_length` characters."""

    def parse(value: Any) -> str:
        text = cell_text(value)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if len(text) > max_length:
            raise ValueProblem(f"texte trop long ({len(text)} caractères, {max_length} au plus)")
        if _CONTROL_CHARACTERS.search(text):
            raise ValueProblem("caractères de contrôle interdits")
        return text

    return parse


_reference_text = text_parser(64)


def parse_reference(value: Any) -> str:
    """A reference of the agency's software: up to 64 characters, no separator inside."""
    text = _reference_text(value)
    if _REFERENCE_SEPARATORS.search(text):
        raise ValueProblem(
            f"référence invalide « {_shown(value)} » (ni virgule, ni « ; », ni « | »)"
        )
    return text


def parse_references(value: Any) -> tuple[str, ...]:
    """Several references in one cell, separated by commas, semicolons or « | »."""
    parts = [part.strip() for part in _REFERENCE_SEPARATORS.split(cell_text(value))]
    references = tuple(dict.fromkeys(part for part in parts if part))
    for reference in references:
        if len(reference) > 64:
            raise ValueProblem(f"référence trop longue « {reference[:40]}… »")
    return references


def parse_email(value: Any) -> str:
    """An e-mail address, trimmed and lower-cased as logins store them."""
    try:
        return normalize_email(checked_email(cell_text(value)))
    except InvalidEmail:
        raise ValueProblem(f"adresse e-mail invalide « {_shown(value)} »") from None


# --- Dates --------------------------------------------------------------------------------------


def parse_date(value: Any) -> date:
    """A date written dd/mm/yyyy (or a date cell of a spreadsheet)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    match = _DATE.match(text)
    if match is None:
        raise ValueProblem(f"date invalide {_shown(value)} (attendu jj/mm/aaaa)")
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(f"date invalide {text}") from None


def format_date(value: date | None) -> str:
    """A date as dd/mm/yyyy ("" for none)."""
    return value.strftime("%d/%m/%Y") if value else ""


# --- Numbers ------------------------------------------------------------------------------------


def _decimal_from_number(value: int | float) -> Decimal:
    if isinstance(value, float):
        # repr gives the shortest text that is this float: 0.1 stays 0.1, not 0.1000000000000000055
        return Decimal(repr(value))
    return Decimal(value)


def _decimal_from_text(text: str, shown: str) -> Decimal:
    compact = _SPACES.sub("", text).removesuffix("€")
    negative = compact.startswith("-")
    compact = compact.removeprefix("-")
    if _WHOLE.match(compact):
        number = Decimal(compact)
    elif match := _AMOUNT_COMMA.match(compact):
        number = Decimal(match[1].replace(".", "") + "." + match[2])
    elif match := _AMOUNT_POINT.match(compact):
        number = Decimal(match[1] + "." + match[2])
    else:
        raise ValueProblem(f"montant invalide « {shown} » (attendu par exemple 1 234,56)")
    return -number if negative else number


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueProblem(f"montant invalide « {_shown(value)} »")
    if isinstance(value, int | float):
        return _decimal_from_number(value)
    return _decimal_from_text(cell_text(value), _shown(value))


def parse_amount(value: Any) -> int:
    """An amount in euros ("1 234,56") as integer cents; negative amounts are refused."""
    try:
        number = _decimal(value)
    except InvalidOperation:
        raise ValueProblem(f"montant invalide « {_shown(value)} »") from None
    cents = number * 100
    if cents != cents.to_integral_value():
        raise ValueProblem(f"montant invalide « {_shown(value)} » (deux décimales au plus)")
    if number < 0:
        raise ValueProblem(f"montant négatif « {_shown(value)} »")
    if cents > MAX_AMOUNT_CENTS:
        raise ValueProblem(f"montant trop élevé « {_shown(value)} »")
    return int(cents)


def format_amount(cents: int | None) -> str:
    """Cents as "1234,56": what French Excel reads as a number, and parse_amount reads back."""
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}"


def parse_percent(value: Any) -> int:
    """A rate in percent ("7", "7,5 %") as basis points (750); at most 100 %."""
    text = cell_text(value).removesuffix("%").strip() if isinstance(value, str) else value
    try:
        number = _decimal(text)
    except (InvalidOperation, ValueProblem):
        raise ValueProblem(f"pourcentage invalide « {_shown(value)} »") from None
    basis_points = number * 100
    if basis_points != basis_points.to_integral_value() or not 0 <= number <= 100:
        raise ValueProblem(f"pourcentage invalide « {_shown(value)} » (de 0 à 100, 2 décimales)")
    return int(basis_points)


def format_percent(basis_points: int | None) -> str:
    """Basis points as a French percentage without the sign: 750 -> "7,5"."""
    if basis_points is None:
        return ""
    whole, rest = divmod(basis_points, 100)
    return f"{whole},{rest:02d}".rstrip("0").rstrip(",")


def parse_surface(value: Any) -> float:
    """A surface in square metres ("42,5")."""
    try:
        number = _decimal(value)
    except (InvalidOperation, ValueProblem):
        raise ValueProblem(f"surface invalide « {_shown(value)} »") from None
    if not 0 < number <= 100_000:
        raise ValueProblem(f"surface invalide « {_shown(value)} »")
    return float(round(number, 2))


def format_surface(value: float | None) -> str:
    """A surface as "42,5" ("" for none)."""
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def integer_parser(low: int, high: int, what: str) -> Callable[[Any], int]:
    """A parser of whole numbers from `low` to `high`; `what` names them in the message."""

    def parse(value: Any) -> int:
        text = cell_text(value)
        if not _WHOLE.match(text) or not low <= int(text) <= high:
            raise ValueProblem(f"{what} invalide « {_shown(value)} » (de {low} à {high})")
        return int(text)

    return parse


def format_integer(value: int | None) -> str:
    """A whole number as text ("" for none)."""
    return "" if value is None else str(value)


# --- Choices ------------------------------------------------------------------------------------


def folded(text: str) -> str:
    """Text compared without case, accents, spaces or punctuation ("Date de début" = "date_debut"
    = "DATE DE DEBUT")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum())


def choice_parser(labels: Mapping[str, str], what: str) -> Callable[[Any], str]:
    """A parser of one of `labels` (stored value -> French label), given as value or label."""
    accepted = {folded(value): value for value in labels} | {
        folded(label): value for value, label in labels.items()
    }
    expected = ", ".join(labels.values())

    def parse(value: Any) -> str:
        found = accepted.get(folded(cell_text(value)))
        if found is None:
            raise ValueProblem(f"{what} inconnu « {_shown(value)} » (attendu : {expected})")
        return found

    return parse


def choice_formatter(labels: Mapping[str, str]) -> Callable[[str | None], str]:
    """Writes a stored choice as its French label."""

    def format_choice(value: str | None) -> str:
        return labels.get(value or "", value or "")

    return format_choice
