"""Messages are plain text: checked here, and cut into segments so that links can be clicked.

Nothing a person types is ever rendered as HTML. The page shows each segment as text (React
escapes it) and only a segment recognised here as a web address becomes a link, always to an
http(s) address: a `<script>` or a `javascript:` URL stays visible text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 20_000  # the column's limit

_ADDRESS = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»]+", re.IGNORECASE)
# Punctuation that ends a sentence rather than the address ("voir https://x.fr.").
_TRAILING = ".,;:!?)]}'\"»…"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class InvalidMessage(ValueError):
    """A subject or text that cannot be sent; the message is in French, for the writer."""


@dataclass(frozen=True)
class Segment:
    """A piece of a message: plain text, or a link when `href` is set."""

    text: str
    href: str = ""


def checked_body(text: object) -> str:
    """The message text as stored: line breaks normalised, control characters removed."""
    if not isinstance(text, str):
        raise InvalidMessage("Écrivez votre message.")
    body = _CONTROL.sub("", unicodedata.normalize("NFC", text).replace("\r\n", "\n")).strip()
    if not body:
        raise InvalidMessage("Écrivez votre message.")
    if len(body) > MAX_BODY_LENGTH:
        raise InvalidMessage(f"Le message est trop long ({MAX_BODY_LENGTH} caractères au plus).")
    return body


def checked_subject(subject: object) -> str:
    """The subject as stored: one line, not empty, 200 characters at most."""
    if not isinstance(subject, str):
        raise InvalidMessage("Indiquez l'objet du message.")
    line = " ".join(_CONTROL.sub(" ", unicodedata.normalize("NFC", subject)).split())
    if not line:
        raise InvalidMessage("Indiquez l'objet du message.")
    if len(line) > MAX_SUBJECT_LENGTH:
        raise InvalidMessage(f"L'objet est trop long ({MAX_SUBJECT_LENGTH} caractères au plus).")
    return line


def text_segments(body: str) -> list[Segment]:
    """`body` cut into text and link segments, in order; joined, they give `body` back."""
    segments: list[Segment] = []
    position = 0
    for match in _ADDRESS.finditer(body):
        address = match.group(0).rstrip(_TRAILING)
        if not _has_host(address):
            continue
        start, end = match.start(), match.start() + len(address)
        if start > position:
            segments.append(Segment(body[position:start]))
        segments.append(Segment(address, _href(address)))
        position = end
    if position < len(body):
        segments.append(Segment(body[position:]))
    return segments


def excerpt(body: str, length: int = 120) -> str:
    """The start of a message on one line, for lists."""
    line = " ".join(body.split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


def _has_host(address: str) -> bool:
    rest = address.split("://", 1)[1] if "://" in address else address[len("www.") :]
    return "." in rest.split("/", 1)[0] or rest.split("/", 1)[0] == "localhost"


def _href(address: str) -> str:
    return address if address.lower().startswith(("http://", "https://")) else f"https://{address}"
