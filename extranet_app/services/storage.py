"""Private document storage: files named by the server, kept outside any public folder."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from extranet_app.settings import get_settings

_EXTENSION = re.compile(r"[a-z0-9]{1,10}")


class InvalidStorageKey(ValueError):
    """A storage key that does not name a file inside the documents folder."""


@dataclass(frozen=True)
class StoredFile:
    """Where stored bytes are, and what identifies them (for the Document row)."""

    storage_key: str
    size_bytes: int
    sha256: str


def documents_root() -> Path:
    """The private documents folder (created on first use)."""
    root = get_settings().documents_dir.resolve()
    root.mkdir(parents=True, exist_ok=True)
    return root


def new_storage_key(*, extension: str) -> str:
    """A fresh random key like "3f/a2/3fa2….pdf"; two levels keep folders small."""
    extension = extension.lower().lstrip(".")
    if not _EXTENSION.fullmatch(extension):
        raise ValueError(f"Extension de fichier invalide : {extension!r}")
    name = secrets.token_hex(16)
    return f"{name[:2]}/{name[2:4]}/{name}.{extension}"


def path_for(storage_key: str) -> Path:
    """The file of `storage_key`; refuses any key that could point outside the documents folder."""
    if not storage_key or "\x00" in storage_key or "\\" in storage_key:
        raise InvalidStorageKey("Clé de stockage invalide.")
    # Empty segments catch absolute keys ("/etc") and "a//b"; "." and ".." any relative trick.
    if any(part in ("", ".", "..") for part in storage_key.split("/")):
        raise InvalidStorageKey("Clé de stockage invalide.")
    root = documents_root()
    path = (root / storage_key).resolve()
    # Also catches symbolic links inside the folder that lead elsewhere.
    if not path.is_relative_to(root) or path == root:
        raise InvalidStorageKey("Clé de stockage invalide.")
    return path


def store_bytes(*, data: bytes, extension: str) -> StoredFile:
    """Write `data` under a new server-chosen name, atomically, and describe it."""
    storage_key = new_storage_key(extension=extension)
    path = path_for(storage_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(path=path, data=data)
    return StoredFile(
        storage_key=storage_key, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest()
    )


def read_bytes(storage_key: str) -> bytes:
    """The content of a stored file (FileNotFoundError when it is missing)."""
    return path_for(storage_key).read_bytes()


def delete_stored(storage_key: str) -> None:
    """Remove a stored file; a file already gone is not an error."""
    path_for(storage_key).unlink(missing_ok=True)


def _write_atomically(*, path: Path, data: bytes) -> None:
    # A reader never sees a half-written file: write beside it, then rename over it.
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as temp_file:
            temp_file.write(data)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
