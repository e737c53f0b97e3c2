"""Settings: what production refuses to start without, and where documents may not live."""

import pytest
from pydantic import ValidationError

from extranet_app.settings import PROJECT_ROOT, Settings


def test_production_requires_a_secret_key(monkeypatch):
    monkeypatch.setenv("EXTRANET_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(_env_file=None)


def test_production_starts_with_a_real_secret_key_and_an_smtp_server(monkeypatch):
    monkeypatch.setenv("EXTRANET_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-secret-for-this-test-only")
    monkeypatch.setenv("SMTP_HOST", "smtp.agence.fr")
    assert Settings(_env_file=None).is_production


def test_production_requires_an_smtp_server(monkeypatch):
    monkeypatch.setenv("EXTRANET_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-secret-for-this-test-only")
    monkeypatch.setenv("SMTP_HOST", "")
    with pytest.raises(ValidationError, match="SMTP_HOST"):
        Settings(_env_file=None)


@pytest.mark.parametrize("folder", ["assets", "assets/documents", ".web/public", "uploaded_files"])
def test_documents_folder_inside_a_served_folder_is_refused(monkeypatch, folder):
    monkeypatch.setenv("DOCUMENTS_DIR", str(PROJECT_ROOT / folder))
    with pytest.raises(ValidationError, match="DOCUMENTS_DIR"):
        Settings(_env_file=None)


def test_cookie_is_secure_only_behind_https(monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://extranet.agence.fr")
    assert Settings(_env_file=None).cookie_secure
    monkeypatch.setenv("PUBLIC_URL", "http://localhost:3000")
    assert not Settings(_env_file=None).cookie_secure
