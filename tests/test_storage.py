"""Private document storage: bytes come back intact, and keys cannot leave the folder."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from extranet_app.services.storage import (
    InvalidStorageKey,
    delete_stored,
    path_for,
    read_bytes,
    store_bytes,
)
from extranet_app.settings import get_settings


@pytest.fixture
def documents_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "documents"
    monkeypatch.setenv("DOCUMENTS_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def test_stored_bytes_read_back_identical_with_size_and_sha256(documents_dir: Path) -> None:
    data = b"%PDF-1.7 quittance de loyer \xe2\x82\xac"
    stored = store_bytes(data=data, extension="pdf")
    assert read_bytes(stored.storage_key) == data
    assert stored.size_bytes == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert path_for(stored.storage_key).is_relative_to(documents_dir.resolve())


def test_storage_keys_are_random_two_level_names_with_the_extension(documents_dir: Path) -> None:
    keys = {store_bytes(data=b"x", extension=".PDF").storage_key for _ in range(20)}
    assert len(keys) == 20
    for key in keys:
        assert re.fullmatch(r"([0-9a-f]{2})/([0-9a-f]{2})/\1\2[0-9a-f]{28}\.pdf", key)


def test_store_leaves_no_temporary_file_behind(documents_dir: Path) -> None:
    store_bytes(data=b"abc", extension="txt")
    files = [path.name for path in documents_dir.rglob("*") if path.is_file()]
    assert len(files) == 1 and not files[0].startswith(".tmp")


@pytest.mark.parametrize("extension", ["", "p/df", "../pdf", "pdf\x00", "a" * 11, "pdf exe"])
def test_store_refuses_a_strange_extension(documents_dir: Path, extension: str) -> None:
    with pytest.raises(ValueError):
        store_bytes(data=b"x", extension=extension)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../secret.pdf",
        "ab/../../secret.pdf",
        "/etc/passwd",
        "ab/cd/../../..",
        "ab\\..\\secret.pdf",
        "ab/cd/file.pdf\x00.txt",
        ".",
        "ab/./cd.pdf",
        "ab//cd.pdf",
    ],
)
def test_path_for_refuses_keys_that_leave_the_documents_folder(
    documents_dir: Path, key: str
) -> None:
    with pytest.raises(InvalidStorageKey):
        path_for(key)


def test_path_for_refuses_a_link_pointing_outside(documents_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("confidentiel")
    documents_dir.mkdir(parents=True, exist_ok=True)
    (documents_dir / "link.txt").symlink_to(secret)
    with pytest.raises(InvalidStorageKey):
        path_for("link.txt")


def test_delete_stored_removes_the_file_and_tolerates_a_second_call(documents_dir: Path) -> None:
    stored = store_bytes(data=b"x", extension="pdf")
    delete_stored(stored.storage_key)
    delete_stored(stored.storage_key)
    assert not path_for(stored.storage_key).exists()
