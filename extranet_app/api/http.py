"""Small helpers shared by the HTTP routes: where pages are, who posts, what a form holds."""

from __future__ import annotations

from urllib.parse import urlsplit

from reflex.config import get_config
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse

_MAX_FIELD_LENGTH = 300


def frontend_url(path: str) -> str:
    """Absolute address of a page (in development the pages are served on another port)."""
    return (get_config().deploy_url or "").rstrip("/") + path


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def is_trusted_origin(request: Request) -> bool:
    """Refuse cross-site form posts (CSRF); browsers always send Origin on a POST."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    config = get_config()
    return origin in {_origin(config.deploy_url or ""), _origin(config.api_url)}


def foreign_origin_refusal(request: Request) -> PlainTextResponse | None:
    """A 403 for a form posted from another site, or None when the post may go on."""
    if is_trusted_origin(request):
        return None
    return PlainTextResponse("Origine de la requête refusée.", status_code=403)


def redirect_to_page(path: str) -> RedirectResponse:
    """A 303 to a page of the extranet, never cached."""
    response = RedirectResponse(frontend_url(path), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def form_text(form: FormData, name: str) -> str:
    """A text field of a posted form, cut to a sane length; "" when absent or a file."""
    value = form.get(name)
    return value[:_MAX_FIELD_LENGTH] if isinstance(value, str) else ""


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""
