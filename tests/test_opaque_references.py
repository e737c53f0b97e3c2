"""Opaque references: the browser never sees a row id, and cannot forge or re-use a reference."""

import pytest

from extranet_app.services.security import id_from_reference, opaque_reference


@pytest.mark.parametrize("row_id", [1, 2, 41, 1_000_000, 2**40 + 7])
def test_a_reference_leads_back_to_its_row(row_id):
    reference = opaque_reference("document", row_id)
    assert len(reference) == 32
    assert int(reference[:16], 16) != row_id  # the id itself is not in clear
    assert id_from_reference("document", reference) == row_id


def test_consecutive_ids_give_unrelated_references():
    first, second = opaque_reference("document", 1), opaque_reference("document", 2)
    assert sum(a == b for a, b in zip(first, second, strict=True)) < 8


def test_a_reference_of_one_kind_is_worthless_for_another():
    assert id_from_reference("news", opaque_reference("document", 5)) is None


@pytest.mark.parametrize(
    "forged", ["", "0" * 32, "z" * 32, "1" * 31, None, 12, "0" * 16 + "f" * 16]
)
def test_forged_references_are_refused(forged):
    assert id_from_reference("document", forged) is None


def test_changing_one_character_breaks_the_reference():
    reference = opaque_reference("document", 77)
    for position in (0, 15, 16, 31):
        flipped = "1" if reference[position] != "1" else "2"
        tampered = reference[:position] + flipped + reference[position + 1 :]
        assert id_from_reference("document", tampered) is None


def test_references_depend_on_the_secret_key(monkeypatch):
    from extranet_app.settings import get_settings

    before = opaque_reference("document", 9)
    monkeypatch.setenv("SECRET_KEY", "une-autre-cle-secrete-tres-longue-0123456789")
    get_settings.cache_clear()
    try:
        assert opaque_reference("document", 9) != before
        assert id_from_reference("document", before) is None
    finally:
        get_settings.cache_clear()
