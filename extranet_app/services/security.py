"""The only place that hashes passwords and makes secret tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import bcrypt

from extranet_app.settings import get_settings

# bcrypt only reads the first 72 bytes; longer passwords are refused rather than silently cut.
MAX_PASSWORD_BYTES = 72


def hash_password(password: str) -> str:
    """A bcrypt hash of `password` with the configured cost (slow: call it off the event loop)."""
    salt = bcrypt.gensalt(rounds=get_settings().bcrypt_rounds)
    return bcrypt.hashpw(password.encode(), salt).decode()


def verify_password(password: str, password_hash: str) -> bool:
    """Whether `password` matches; a malformed hash counts as no match (slow, like hashing)."""
    encoded = password.encode()
    if len(encoded) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(encoded, password_hash.encode())
    except ValueError:
        return False


def new_token() -> str:
    """A random URL-safe token of 256 bits, for login sessions and activation links."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored instead of a token (random tokens need no salt)."""
    return hashlib.sha256(token.encode()).hexdigest()


# Opaque references -----------------------------------------------------------------------
# The browser names a row by a reference that hides its id (a keyed permutation of the id) and
# cannot be forged (a keyed tag over it): no id to guess or count, and the server turns a
# reference back into its id in microseconds instead of searching for it.
_REFERENCE_ROUNDS = 4
_HALF_MASK = 0xFFFFFFFF


def _reference_key(kind: str) -> bytes:
    return hmac.new(
        get_settings().secret_key.encode(), f"reference:{kind}".encode(), "sha256"
    ).digest()


def _round_value(key: bytes, number: int, half: int) -> int:
    digest = hmac.new(key, bytes([number]) + half.to_bytes(4, "big"), "sha256").digest()
    return int.from_bytes(digest[:4], "big")


def _tag(key: bytes, block: int) -> str:
    return hmac.new(key, b"tag" + block.to_bytes(8, "big"), "sha256").hexdigest()[:16]


def opaque_reference(kind: str, row_id: int) -> str:
    """A 32-character reference to row `row_id` of `kind` ("document", "news"…)."""
    if not 0 < row_id <= 0xFFFFFFFFFFFFFFFF:
        raise ValueError("row id out of range")
    key = _reference_key(kind)
    left, right = row_id >> 32, row_id & _HALF_MASK
    for number in range(_REFERENCE_ROUNDS):
        left, right = right, left ^ _round_value(key, number, right)
    block = (left << 32) | right
    return f"{block:016x}{_tag(key, block)}"


def id_from_reference(kind: str, reference: object) -> int | None:
    """The row id behind a reference made by `opaque_reference`, or None if it is not one."""
    if not isinstance(reference, str) or len(reference) != 32:
        return None
    try:
        block = int(reference[:16], 16)
    except ValueError:
        return None
    key = _reference_key(kind)
    if not hmac.compare_digest(_tag(key, block), reference[16:].lower()):
        return None
    left, right = block >> 32, block & _HALF_MASK
    for number in reversed(range(_REFERENCE_ROUNDS)):
        left, right = right ^ _round_value(key, number, left), left
    row_id = (left << 32) | right
    return row_id or None
