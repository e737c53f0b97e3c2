"""The agency's logo: scripts refused, pixels redrawn, served publicly by one route."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from extranet_app.api.agency_routes import routes
from extranet_app.models import AuditEvent
from extranet_app.services.agency import LOGO_PATH, get_agency_identity
from extranet_app.services.agency_logo import (
    LOGO_MAX_BYTES,
    SVG_REFUSED,
    redrawn_logo,
    remove_logo,
    set_logo,
)
from extranet_app.services.errors import AccessDenied
from extranet_app.services.uploads import UploadRefused
from tests.document_support import stored_files
from tests.factories import make_user
from tests.test_documents import as_session_user


def png(*, size=(120, 40), text: dict[str, str] | None = None, mode="RGBA") -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    output = io.BytesIO()
    Image.new(mode, size, (31, 78, 121, 255) if mode == "RGBA" else (31, 78, 121)).save(
        output, format="PNG", pnginfo=info
    )
    return output.getvalue()


def jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (300, 100), (200, 30, 30)).save(output, format="JPEG")
    return output.getvalue()


@pytest.fixture
def admin(session):
    user = make_user(session, email="direction@agence.test", is_agency=True, is_admin=True)
    session.commit()
    return as_session_user(user)


@pytest.fixture
def client(database_url):
    return TestClient(Starlette(routes=routes), base_url="http://localhost:8000")


def test_a_png_logo_is_redrawn_from_its_pixels_only(database_url):
    original = png(text={"Comment": "onmouseover=alert(document.cookie)"})
    redrawn = redrawn_logo(filename="logo.png", data=original)
    assert redrawn.startswith(b"\x89PNG") and b"alert" not in redrawn
    with Image.open(io.BytesIO(redrawn)) as image:
        assert image.size == (120, 40)


def test_a_large_jpeg_logo_is_reduced_and_stored_as_png(database_url):
    redrawn = redrawn_logo(filename="logo.jpg", data=jpeg())
    with Image.open(io.BytesIO(redrawn)) as image:
        assert image.format == "PNG" and image.size == (300, 100)
    big = io.BytesIO()
    Image.new("RGB", (2400, 600)).save(big, format="PNG")
    with Image.open(io.BytesIO(redrawn_logo(filename="big.png", data=big.getvalue()))) as image:
        assert image.size == (800, 200)


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("logo.png", b'<?xml version="1.0"?><svg onload="alert(1)"></svg>'),
    ],
)
def test_an_svg_logo_is_refused_with_a_clear_message(database_url, filename, data):
    with pytest.raises(UploadRefused, match="SVG"):
        redrawn_logo(filename=filename, data=data)
    assert "PNG" in SVG_REFUSED


def test_a_png_with_a_script_inside_is_refused(database_url):
    with_script_chunk = png(text={"Comment": "<script>alert(1)</script>"})
    html_after_the_image = png() + b"<html><body><script>alert(1)</script></body></html>"
    for data in (with_script_chunk, html_after_the_image):
        with pytest.raises(UploadRefused, match="code web"):
            redrawn_logo(filename="logo.png", data=data)


def test_a_logo_that_is_not_an_image_or_too_large_is_refused(database_url):
    with pytest.raises(UploadRefused):
        redrawn_logo(filename="logo.png", data=b"%PDF-1.4 pas une image")
    with pytest.raises(UploadRefused, match="taille maximale"):
        redrawn_logo(filename="logo.png", data=png() + b"\0" * LOGO_MAX_BYTES)


def test_the_logo_route_serves_the_current_logo_to_anyone_with_safe_headers(session, admin, client):
    assert client.get(LOGO_PATH).status_code == 404
    version = set_logo(session=session, actor=admin, filename="logo.png", data=png())
    answer = client.get(f"{LOGO_PATH}?v={version}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in answer.headers["content-security-policy"]
    assert answer.content.startswith(b"\x89PNG")
    assert get_agency_identity(session=session).logo_url.endswith(f"{LOGO_PATH}?v={version}")


def test_replacing_or_removing_the_logo_leaves_no_old_file_and_is_journaled(session, admin, client):
    set_logo(session=session, actor=admin, filename="logo.png", data=png())
    set_logo(session=session, actor=admin, filename="logo.jpg", data=jpeg())
    assert len(stored_files()) == 1
    assert remove_logo(session=session, actor=admin)
    assert stored_files() == []
    assert client.get(LOGO_PATH).status_code == 404
    events = session.exec(
        select(AuditEvent).where(AuditEvent.action == "agency_settings.changed")
    ).all()
    assert len(events) == 3 and all('"field": "logo"' in event.detail for event in events)


def test_only_administrators_change_the_logo(session):
    plain = as_session_user(make_user(session, email="gestion@agence.test", is_agency=True))
    with pytest.raises(AccessDenied):
        set_logo(session=session, actor=plain, filename="logo.png", data=png())
    with pytest.raises(AccessDenied):
        remove_logo(session=session, actor=plain)
