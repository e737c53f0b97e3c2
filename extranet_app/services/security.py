"""The only place that hashes passwords and makes secret tokens."""

from __future__ import annotations

import hashlib
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
