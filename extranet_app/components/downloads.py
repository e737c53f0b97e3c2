"""Links that download a file without leaving the page.

Following a plain link to a download fires "beforeunload", on which Reflex drops the page's
websocket for good: the page would look alive but no button would work any more. A `download`
attribute saves the file in place (same origin, as in production); `target=_blank` does the
same across origins (development, where the backend has its own port).
"""

from __future__ import annotations

import reflex as rx

from extranet_app.api.document_routes import DOWNLOAD_PREFIX, SPACE_QUERY
from extranet_app.components.backend_url import backend_url
from extranet_app.services.auth import Space


def document_href(reference: rx.Var | str, space: Space) -> rx.Var[str]:
    """The authenticated route's address for the document named by `reference`."""
    return backend_url(DOWNLOAD_PREFIX) + reference + f"?{SPACE_QUERY}={space.value}"


def download_link(*children: rx.Component, href: rx.Var | str, **props) -> rx.Component:
    """A link that downloads `href` and keeps the page connected."""
    return rx.link(*children, href=href, is_external=True, custom_attrs={"download": ""}, **props)
