"""Cells read the French way: amounts, dates, rates, choices and references."""

from datetime import date, datetime

import pytest

from extranet_app.services import import_values as values
from extranet_app.services.import_values import ValueProblem


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1 234,56", 123_456),
        ("1\u00a0234,56 €", 123_456),
        ("1\u202f234,5", 123_450),
        ("1.234,56", 123_456),
        ("650", 65_000),
        ("0,5", 50),
        ("1234.56", 123_456),  # a decimal point that cannot be a thousands separator
        (" 80,00 ", 8_000),
    ],
)
def test_amounts_in_french_writing_become_cents(text, cents):
    assert values.parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("12,3,4", "montant invalide « 12,3,4 »"),
        ("1.234", "montant invalide"),  # a thousand euros, or a typo? refused, not guessed
        ("12,345", "montant invalide"),
        ("douze", "montant invalide"),
        ("-50,00", "montant négatif"),
        ("2000000,00", "montant trop élevé"),
    ],
)
def test_ambiguous_or_wrong_amounts_are_refused_with_the_value(text, words):
    with pytest.raises(ValueProblem, match=words):
        values.parse_amount(text)


def test_spreadsheet_numbers_are_amounts_to_the_cent():
    assert values.parse_amount(650) == 65_000
    assert values.parse_amount(0.1) == 10
    assert values.parse_amount(1234.56) == 123_456
    with pytest.raises(ValueProblem, match="deux décimales"):
        values.parse_amount(12.345)


def test_amounts_are_written_back_as_they_are_read():
    for cents in (0, 5, 65_000, 123_456):
        assert values.parse_amount(values.format_amount(cents)) == cents
    assert values.format_amount(123_456) == "1234,56"


def test_dates_are_day_month_year_and_must_exist():
    assert values.parse_date("05/01/2025") == date(2025, 1, 5)
    assert values.parse_date("5/1/2025") == date(2025, 1, 5)
    assert values.parse_date(datetime(2025, 2, 28, 0, 0)) == date(2025, 2, 28)
    with pytest.raises(ValueProblem, match=r"^date invalide 31/02/2025$"):
        values.parse_date("31/02/2025")
    with pytest.raises(ValueProblem, match="attendu jj/mm/aaaa"):
        values.parse_date("2025-01-05")


def test_rates_are_percentages_stored_in_basis_points():
    assert values.parse_percent("7") == 700
    assert values.parse_percent("7,5 %") == 750
    assert values.format_percent(750) == "7,5"
    assert values.format_percent(2000) == "20"
    with pytest.raises(ValueProblem, match="pourcentage invalide"):
        values.parse_percent("120")


def test_choices_accept_the_stored_value_or_the_french_label_in_any_case():
    parse = values.choice_parser({"habitation_meublee": "Habitation meublée"}, "type de bail")
    assert parse("HABITATION MEUBLEE") == "habitation_meublee"
    assert parse("habitation_meublee") == "habitation_meublee"
    with pytest.raises(ValueProblem, match="type de bail inconnu « bureau »"):
        parse("bureau")


def test_several_references_in_one_cell():
    assert values.parse_references("LOC-1, LOC-2;LOC-3 | LOC-1") == ("LOC-1", "LOC-2", "LOC-3")
    with pytest.raises(ValueProblem, match="référence invalide"):
        values.parse_reference("A,B")


def test_emails_are_checked_and_lower_cased():
    assert values.parse_email(" Helene.Lefevre@Example.TEST ") == "helene.lefevre@example.test"
    with pytest.raises(ValueProblem, match="adresse e-mail invalide « helene@ »"):
        values.parse_email("helene@")


def test_cells_quoted_against_spreadsheet_formulas_are_unquoted():
    assert values.cell_text("'=1+1") == "=1+1"
    assert values.cell_text("'Aujourd'hui") == "'Aujourd'hui"
