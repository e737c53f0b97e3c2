"""`python -m extranet_app.cli import KIND FILE [--dry-run]`, run as a real process: the same
report as the screen, and exit status 0 only when nothing failed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlmodel import func, select

from extranet_app.models import Tenant
from extranet_app.settings import PROJECT_ROOT
from tests.import_support import TENANTS, csv_bytes, xlsx_bytes


def run_cli(database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  (our own command, arguments from the tests)
        [sys.executable, "-m", "extranet_app.cli", *arguments],
        cwd=PROJECT_ROOT,
        env={**os.environ, "REFLEX_DB_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def tenant_count(session) -> int:
    return session.exec(select(func.count()).select_from(Tenant)).one()


@pytest.fixture
def tenants_file(tmp_path):
    path = tmp_path / "locataires.csv"
    path.write_bytes(csv_bytes(TENANTS))
    return path


def test_a_clean_file_is_imported_with_exit_status_zero(database_url, session, tenants_file):
    result = run_cli(database_url, "import", "locataires", str(tenants_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Import terminé : 3 créés, 0 modifié, 0 inchangé."
    assert tenant_count(session) == 3
    again = run_cli(database_url, "import", "locataires", str(tenants_file))
    assert again.stdout.strip() == "Import terminé : 0 créé, 0 modifié, 3 inchangés."


def test_a_dry_run_of_a_clean_file_exits_zero_and_writes_nothing(database_url, session, tmp_path):
    path = tmp_path / "locataires.xlsx"
    path.write_bytes(xlsx_bytes(TENANTS))
    result = run_cli(database_url, "import", "locataires", str(path), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "rien n'a encore été enregistré" in result.stdout
    assert tenant_count(session) == 0


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_file_with_problems_exits_one_lists_them_and_imports_nothing(
    database_url, session, tmp_path, dry_run
):
    rows = [*TENANTS, ["LOC-001", "", "Doublon", "", "", ""], ["LOC-004", "", "", "", "x@", ""]]
    path = tmp_path / "locataires.csv"
    path.write_bytes(csv_bytes(rows))
    arguments = ["import", "locataires", str(path)] + (["--dry-run"] if dry_run else [])
    result = run_cli(database_url, *arguments)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "Ligne 5, colonne « Référence » : référence « LOC-001 » en double (déjà à la ligne 2)",
        "Ligne 6, colonne « E-mail » : adresse e-mail invalide « x@ »",
        "2 problèmes : rien n'a été importé.",
    ]
    assert tenant_count(session) == 0


def test_a_missing_file_or_unknown_kind_is_refused_with_exit_status_two(database_url, tmp_path):
    missing = run_cli(database_url, "import", "locataires", str(tmp_path / "absent.csv"))
    assert missing.returncode == 2 and "fichier illisible" in missing.stderr
    unknown = run_cli(database_url, "import", "voitures", str(tmp_path / "absent.csv"))
    assert unknown.returncode == 2
